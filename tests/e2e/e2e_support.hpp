// Helpers for end-to-end tests: run build/zonekiln and the installed DNSSEC tools.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "tests/support/zone_builder.hpp"

namespace zk::test {

inline std::string zone_path(const std::string& name) {
  return std::string(ZK_SOURCE_DIR) + "/testdata/zones/" + name;
}

/// Runs a shell command with stdout+stderr captured into log; returns the exit status.
inline int run(const std::string& cmd, std::string* log = nullptr) {
  TempDir tmp;
  const std::string out = tmp.file("log");
  const int st = std::system((cmd + " >" + out + " 2>&1").c_str());
  if (log) *log = read_file(out);
  if (st == -1 || !WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

inline std::string zonekiln() { return ZK_BINARY; }

/// Makes a KSK (+ a ZSK unless ksk_only) with BIND's dnssec-keygen, published and active
/// since 2020-01-01 so tests can sign at fixed times.
inline void make_keys(const std::string& dir, const std::string& origin, const std::string& alg,
                      bool ksk_only = false) {
  const std::string base =
      "dnssec-keygen -q -K " + dir + " -a " + alg + " -P 20200101000000 -A 20200101000000 ";
  std::string log;
  if (run(base + "-f KSK " + origin, &log) != 0) throw std::runtime_error(log);
  if (!ksk_only && run(base + origin, &log) != 0) throw std::runtime_error(log);
}

/// Fixed signing times: signatures valid 2026-01-01 .. 2037-12-31 (ldns compares times as signed
/// 32-bit), so the validators (which use the clock) accept them until 2037 and the output does not
/// depend on when tests run.
inline std::string fixed_times() {
  return " --now 20260101000000 --sig-inception-offset 0 --sig-validity 4382d";
}

struct Validation {
  int ldns = -1, bind = -1, knot = -1;
  std::string log;
};

/// csk: the zone is signed by KSK-flagged keys only (dnssec-verify then needs -z).
inline Validation validate(const std::string& signed_zone, const std::string& origin,
                           bool csk = false) {
  Validation v;
  std::string l;
  v.ldns = run("ldns-verify-zone " + signed_zone, &l);
  v.log += "ldns-verify-zone: " + l;
  v.bind = run(
      std::string("dnssec-verify ") + (csk ? "-z " : "") + "-o " + origin + " " + signed_zone, &l);
  v.log += "dnssec-verify: " + l;
  v.knot = run("kzonecheck -o " + origin + " " + signed_zone, &l);
  v.log += "kzonecheck: " + l;
  return v;
}

}  // namespace zk::test
