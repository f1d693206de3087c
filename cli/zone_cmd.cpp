// `zonekiln compile` and `zonekiln sign`.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <span>

#include "cli/commands.hpp"
#include "dns/diagnostics.hpp"
#include "emit/emit.hpp"
#include "emit/metrics.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/verify.hpp"
#include "signer/pkcs11.hpp"

namespace zk::cli {

namespace {

void add_common(CLI::App* cmd, ZoneArgs& a) {
  cmd->add_option("ZONEFILE", a.zone_file, "zone file to read")->required();
  cmd->add_option("--origin", a.origin, "zone apex, e.g. example.com.")->required();
  cmd->add_flag("--strict", a.strict, "treat warnings as errors");
  cmd->add_option("--threads", a.threads, "worker threads (default: all cores)");
  cmd->add_option("--stats-json", a.stats_json, "write statistics as JSON to this file");
  cmd->add_option("--include-dir", a.include_dirs,
                  "a directory $INCLUDE may read from besides the zone file's own (repeatable)");
  add_budget_flags(cmd, a.budget);
}

Result<std::vector<uint8_t>> parse_salt(const std::string& text) {
  std::vector<uint8_t> salt;
  if (text == "-" || text.empty()) return salt;
  if (text.size() % 2 != 0 || text.size() > 510) {
    return fail(Errc::Usage, "--nsec3-salt must be '-' or up to 255 octets of hex");
  }
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned v = 0;
    for (size_t k = i; k < i + 2; ++k) {
      const char c = text[k];
      unsigned d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return fail(Errc::Usage, "--nsec3-salt is not hex: " + text);
      v = v * 16 + d;
    }
    salt.push_back(static_cast<uint8_t>(v));
  }
  return salt;
}

Result<pipeline::SerialPolicy> parse_serial(const std::string& s) {
  if (s == "keep") return pipeline::SerialPolicy::Keep;
  if (s == "increment") return pipeline::SerialPolicy::Increment;
  if (s == "unixtime") return pipeline::SerialPolicy::UnixTime;
  if (s == "date") return pipeline::SerialPolicy::Date;
  return fail(Errc::Usage, "--serial must be keep, increment, unixtime or date");
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Fills the sign options; any error is a usage error.
Result<void> sign_options(const ZoneArgs& a, int64_t clock_now, pipeline::CompileOptions& o) {
  auto& s = o.signing;
  s.key_dir = a.key_dir;
  s.now = clock_now;
  if (!a.now.empty()) {
    auto t = parse_time_arg(a.now, clock_now);
    if (!t) return fail(t.error());
    s.now = *t;
  }
  s.inception = s.now - 3600;  // allow for validators with slow clocks
  // 14 days, as managed DNS services sign; the lifecycle's refresh window (a quarter, at least
  // max TTL + 2 days + 1 hour) and jitter fit inside it (signer::check_timing).
  s.expiration = s.now + 14 * 86400;
  if (!a.inception.empty()) {
    auto t = parse_time_arg(a.inception, s.now);
    if (!t) return fail(t.error());
    s.inception = *t;
  }
  if (!a.expiration.empty()) {
    auto t = parse_time_arg(a.expiration, s.now);
    if (!t) return fail(t.error());
    s.expiration = *t;
  }
  if (s.expiration <= s.inception) {
    return fail(Errc::Usage, "signature expiration must be after inception");
  }
  struct Duration {
    const std::string& text;
    const char* flag;
    int64_t& out;
  };
  for (Duration d :
       {Duration{a.refresh, "--refresh", s.refresh}, Duration{a.jitter, "--jitter", s.jitter},
        Duration{a.zsk_lifetime, "--zsk-lifetime", s.zsk_lifetime}}) {
    if (d.text.empty()) continue;
    // A duration is an offset from 0: "9d", "12h", "3600".
    auto t = parse_time_arg(d.text[0] == '+' || d.text[0] == '-' ? d.text : "+" + d.text, 0);
    if (!t || *t < 0)
      return fail(Errc::Usage, std::string(d.flag) + " must be a duration such as 9d, 12h or 3600");
    d.out = *t;
  }
  s.lock_wait = a.lock_wait;
  s.previous = a.previous;
  s.skr = a.skr;
  s.zsk_uri = a.zsk_uri;
  auto p11 =
      signer::make_pkcs11_config(a.pkcs11_module, a.pin_file, std::getenv(signer::kPinEnvVar));
  if (!p11) return fail(p11.error());
  s.pkcs11 = std::move(*p11);
  // Test-only crash points (see SignOptions::test_kill_at); never set in production.
  if (const char* kill = std::getenv("ZK_TEST_KILL_AT")) s.test_kill_at = kill;
  s.full = a.full;
  s.nsec3.enabled = a.nsec3 || a.opt_out;
  s.nsec3.iterations = a.nsec3_iterations;
  if (a.nsec3_iterations > pipeline::kMaxNsec3Iterations) {
    return fail(Errc::Usage, "--nsec3-iterations " + std::to_string(a.nsec3_iterations) +
                                 " is above " + std::to_string(pipeline::kMaxNsec3Iterations) +
                                 ": validators would treat the zone as insecure (RFC 9276 s3.2); "
                                 "use 0");
  }
  s.nsec3.opt_out = a.opt_out;
  auto salt = parse_salt(a.nsec3_salt);
  if (!salt) return fail(salt.error());
  s.nsec3.salt = std::move(*salt);
  s.max_ttl = a.max_ttl;
  s.csk = a.csk;
  s.allow_deprecated_algorithm = a.allow_deprecated_algorithm;
  s.dnskey_signed_by_all = a.dnskey_signers == "all";
  if (s.dnskey_signed_by_all && !a.skr.empty()) {
    return fail(Errc::Usage,
                "--dnskey-signers all cannot be used with --skr: the DNSKEY RRset and its RRSIGs "
                "come from the signed key response");
  }
  s.cds = a.cds && !a.no_cds;
  auto serial = parse_serial(a.serial);
  if (!serial) return fail(serial.error());
  s.serial = *serial;
  s.verify = a.no_verify               ? pipeline::VerifyMode::None
             : a.verify == "structure" ? pipeline::VerifyMode::Structure
                                       : pipeline::VerifyMode::Full;
  if (a.zonemd || !a.zonemd_hash.empty()) {
    const std::string& h = a.zonemd_hash;
    s.zonemd_hash = h.empty() || h == "sha384" || h == "1" ? 1 : 2;  // checked by CLI11
  }
  o.output = a.output.empty() ? a.zone_file + ".signed" : a.output;
  if (s.zonemd_hash != 0 && o.output == "-") {
    return fail(Errc::Usage, "--zonemd needs an output file: stdout cannot be patched");
  }
  if (a.ds_output == "-" || !a.ds_output.empty()) {
    s.ds_output = a.ds_output;
  } else {
    const std::string dir = o.output == "-" ? "." : dir_of(o.output);
    s.ds_output =
        dir + "/dsset-" + a.origin + (a.origin.empty() || a.origin.back() != '.' ? "." : "");
  }
  return ok();
}

std::string stats_json(const pipeline::Stats& st) {
  nlohmann::json j;
  j["records_in"] = st.records_in;
  j["duplicates"] = st.duplicates;
  j["out_of_zone"] = st.out_of_zone;
  j["rrsets"] = st.rrsets;
  j["records_out"] = st.records_out;
  j["signatures"] = st.signatures;
  j["clamped_rrsets"] = st.clamped_rrsets;
  j["dnssec_removed"] = st.dnssec_removed;
  j["nsec"] = st.nsec;
  j["nsec3"] = st.nsec3;
  j["serial_old"] = st.serial_old;
  j["serial_new"] = st.serial_new;
  j["rrsets_signed"] = st.rrsets_signed;
  j["rrsets_reused"] = st.rrsets_reused;
  j["signatures_reused"] = st.signatures_reused;
  j["unchanged"] = st.unchanged;
  j["notes"] = st.notes;
  nlohmann::json times = nlohmann::json::object();
  for (const auto& t : st.times) times[t.stage] = t.seconds;
  j["seconds"] = times;
  return j.dump(2) + "\n";
}

}  // namespace

int finish_compile(const ZoneArgs& a, bool sign, const Result<pipeline::Stats>& res,
                   const Diagnostics& diag, const pipeline::SignOutcome& outcome, Report& report);

int exit_code_for(Errc code) noexcept {
  const auto v = static_cast<uint16_t>(code);
  if (v < 100) return 1;
  if (v < 200) return 2;
  if (v < 300) return 3;
  return 4;
}

CLI::App* add_compile(CLI::App& app, ZoneArgs& a) {
  CLI::App* cmd = app.add_subcommand("compile", "check a zone and write it in canonical form");
  add_common(cmd, a);
  cmd->add_option("--output,-o", a.output, "output file (default: stdout; '-' = stdout)");
  return cmd;
}

CLI::App* add_sign(CLI::App& app, ZoneArgs& a) {
  CLI::App* cmd = app.add_subcommand("sign", "check and DNSSEC-sign a zone");
  add_common(cmd, a);
  cmd->add_option("--keys", a.key_dir, "directory with the zone's BIND key files")->required();
  cmd->add_option("--output,-o", a.output, "signed zone (default ZONEFILE.signed; '-' = stdout)");
  cmd->add_option("--ds-output", a.ds_output,
                  "DS set file (default dsset-ORIGIN beside the output)");
  cmd->add_flag("--nsec3", a.nsec3, "NSEC3 instead of NSEC (RFC 5155)");
  cmd->add_option("--nsec3-iterations", a.nsec3_iterations, "extra hash iterations (RFC 9276: 0)");
  cmd->add_option("--nsec3-salt", a.nsec3_salt, "salt in hex or '-' for none (RFC 9276: none)");
  cmd->add_flag("--nsec3-opt-out", a.opt_out, "NSEC3 opt-out for insecure delegations");
  cmd->add_option("--max-ttl", a.max_ttl, "clamp TTLs to this many seconds (0 = off)");
  cmd->add_flag("--csk", a.csk, "sign everything with the KSK(s)");
  cmd->add_flag("--cds", a.cds, "publish CDS/CDNSKEY for the KSKs (default)");
  cmd->add_flag("--no-cds", a.no_cds, "do not publish CDS/CDNSKEY");
  cmd->add_flag("--zonemd", a.zonemd, "add a ZONEMD record (RFC 8976, SIMPLE, SHA-384)");
  cmd->add_option("--zonemd-hash", a.zonemd_hash,
                  "ZONEMD hash: sha384 (default) or sha512; "
                  "implies --zonemd")
      ->check(CLI::IsMember({"sha384", "sha512", "1", "2"}));
  cmd->add_option("--serial", a.serial, "SOA serial: keep, increment, unixtime, date")
      ->check(CLI::IsMember({"keep", "increment", "unixtime", "date"}));
  cmd->add_option("--inception", a.inception, "YYYYMMDDHHmmSS, unix seconds or +/-offset");
  cmd->add_option("--expiration", a.expiration, "YYYYMMDDHHmmSS, unix seconds or +/-offset");
  cmd->add_option("--now", a.now, "the time to sign at (default: the clock)");
  cmd->add_option("--verify", a.verify,
                  "check the output before publishing it: full (structure and every new "
                  "signature, default) or structure (all but the cryptography)")
      ->check(CLI::IsMember({"full", "structure"}));
  cmd->add_flag("--no-verify", a.no_verify, "publish without checking the output");
  cmd->add_option("--metrics-file", a.metrics_file,
                  "write Prometheus metrics here at the end of the run, also after a failure");
  cmd->add_option("--refresh", a.refresh,
                  "re-sign an RRset when less than this validity remains (default: a quarter of "
                  "the validity, at least max TTL + 2 days + 1 hour)");
  cmd->add_option("--jitter", a.jitter, "spread signature expirations over this much (default 4%)");
  cmd->add_option("--zsk-lifetime", a.zsk_lifetime, "ZSK rollover period (default 90d)");
  cmd->add_option("--lock-wait", a.lock_wait, "seconds to wait for another run's key state lock");
  cmd->add_option("--skr", a.skr, "offline KSK: signed key response from `zonekiln skr-sign`");
  cmd->add_option("--pin-file", a.pin_file, "PKCS#11 keys: file with the token PIN");
  cmd->add_option("--pkcs11-module", a.pkcs11_module, "PKCS#11 module");
  cmd->add_option("--zsk-uri", a.zsk_uri, "a ZSK in an HSM (PKCS#11 URI)");
  cmd->add_flag("--full", a.full, "sign every RRset anew instead of reusing valid RRSIGs");
  cmd->add_flag("--allow-deprecated-algorithm", a.allow_deprecated_algorithm,
                "sign with RSASHA1 (5) / RSASHA1-NSEC3-SHA1 (7) keys (RFC 8624: NOT RECOMMENDED), "
                "e.g. until a roll to another algorithm completes");
  cmd->add_option("--dnskey-signers", a.dnskey_signers,
                  "who signs the DNSKEY RRset: ksk (default) or all (the ZSKs too)")
      ->check(CLI::IsMember({"ksk", "all"}));
  cmd->add_option("--previous", a.previous,
                  "an earlier signed version of the zone (default: the output file)");
  return cmd;
}

int run_compile(const ZoneArgs& a, bool sign, int64_t clock_now, Report& report) {
  Diagnostics diag;
  pipeline::CompileOptions o;
  o.zone_file = a.zone_file;
  o.strict = a.strict;
  o.sign = sign;
  o.budget = a.budget;
  for (const auto& d : a.include_dirs) {
    std::error_code ec;
    o.include_dirs.push_back(std::filesystem::absolute(d, ec).lexically_normal().string());
  }
  if (auto n = origin_arg(a.origin); !n) {
    report.err += "zonekiln: error: bad --origin '" + a.origin + "': " + n.error().detail + "\n";
    return 2;
  } else {
    o.origin = *n;
  }
  o.output = a.output.empty() ? "-" : a.output;
  const auto t0 = std::chrono::steady_clock::now();
  pipeline::SignOutcome outcome;
  Result<pipeline::Stats> res = pipeline::Stats{};
  int code = 0;
  if (sign) {
    if (auto r = sign_options(a, clock_now, o); !r) {
      report.err += "zonekiln: error: " + r.error().detail + "\n";
      code = exit_code_for(r.error().code);
      res = fail(r.error());
    }
  }
  if (code == 0) {
    TerminalProgress progress;
    o.progress = progress.callback();
    res = pipeline::compile_zone(o, diag, sign ? &outcome : nullptr);
    code = finish_compile(a, sign, res, diag, outcome, report);
  }
  if (sign && !a.metrics_file.empty()) {
    emit::RunMetrics m;
    m.zone = a.origin;
    if (!m.zone.empty() && m.zone.back() != '.') m.zone += '.';
    m.internal_failure = code == 4 || outcome.internal_failure;
    m.ksk_action_needed = outcome.ksk_action_needed;
    m.ksk_action_needed_seconds = outcome.ksk_action_needed_seconds;
    for (const auto& [tag, age] : outcome.ksk_ages) m.ksk_ages.push_back({tag, age});
    m.last_success = outcome.last_success;
    m.rrsig_earliest_expiration = outcome.earliest_expiration;
    if (res) {
      m.rrsets_signed = outcome.rrsets_signed;
      m.rrsets_reused = outcome.rrsets_reused;
      m.ttl_clamped = res->clamped_rrsets;
    }
    m.run_duration_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (auto w = emit::write_metrics(a.metrics_file, std::span(&m, 1)); !w) {
      report.err += "zonekiln: error: " + w.error().detail + "\n";
      return code == 0 ? 4 : code;
    }
  }
  return code;
}

int finish_compile(const ZoneArgs& a, bool sign, const Result<pipeline::Stats>& res,
                   const Diagnostics& diag, const pipeline::SignOutcome& outcome, Report& report) {
  for (const Diagnostic& d : diag.sorted()) {
    // Cross-record checks have no single source position; name the file at least.
    if (d.error.where.line == 0) report.err += a.zone_file + ": ";
    report.err += diag.format(d) + "\n";
  }
  if (const size_t n = diag.warnings_not_listed()) {
    report.err += fmt::format("zonekiln: note: {} more warning(s) not listed\n", n);
  }
  if (!res) {
    report.err += "zonekiln: error: " + res.error().detail + "\n";
    return exit_code_for(res.error().code);
  }
  const pipeline::Stats& st = *res;
  for (const auto& note : st.notes) report.err += "zonekiln: note: " + note + "\n";
  double total = 0;
  std::string times;
  for (const auto& t : st.times) {
    total += t.seconds;
    times += fmt::format(" {}={:.3f}s", t.stage, t.seconds);
  }
  if (sign && st.unchanged) {
    report.err +=
        fmt::format("zonekiln: {} unchanged, no signature due; output not rewritten\n", a.origin);
  } else if (sign) {
    report.err += fmt::format(
        "zonekiln: signed {}: {} RRsets ({} signed, {} reused), {} signatures, {} NSEC, "
        "{} NSEC3, {} TTLs clamped, {} old DNSSEC records replaced, serial {} -> {}; {:.3f}s "
        "({})\n",
        a.origin, st.rrsets, st.rrsets_signed, st.rrsets_reused, st.signatures, st.nsec, st.nsec3,
        st.clamped_rrsets, st.dnssec_removed, st.serial_old, st.serial_new, total,
        times.empty() ? "" : times.substr(1));
  } else {
    report.err +=
        fmt::format("zonekiln: compiled {}: {} records ({} duplicates removed); {:.3f}s\n",
                    a.origin, st.records_out, st.duplicates, total);
  }
  if (!a.stats_json.empty()) {
    if (auto w = emit::write_file_atomic(a.stats_json, stats_json(st)); !w) {
      report.err += "zonekiln: error: " + w.error().detail + "\n";
      return exit_code_for(w.error().code);
    }
  }
  return sign ? outcome.exit_code : 0;
}

}  // namespace zk::cli
