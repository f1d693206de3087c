// The fuzz targets for the readers of files an operator or an attacker can touch, beyond the
// zone parser: one function per target, called by tests/fuzz/<target>_fuzz.cpp (libFuzzer) and
// by tests/signer/fuzz_replay_test.cpp (ctest), which replays every seed and every input that
// once failed (testdata/fuzz/<target>/, testdata/fuzz/crashers/<target>/). Each returns 0 and
// calls finding() when an invariant breaks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config_file.hpp"
#include "config/policy.hpp"
#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "pipeline/verify.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/skr.hpp"
#include "signer/signer.hpp"
#include "tests/fuzz/fuzz_files.hpp"

namespace zk::fuzz {

// keystate: the key state file (zonekiln-state.json) -> signer::state_from_json.
//
// The state file sits in the key directory and is read by every run; a damaged or crafted one
// must be refused with an error, never crash, hang or leak. What it accepts must write back to
// JSON that reads again to the same state (the second write is identical to the first).
inline int keystate_one(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto state = zk::signer::state_from_json(text, "fuzz-state.json");
  if (!state) {
    if (state.error().detail.empty()) finding("state refused without a reason");
    return 0;
  }
  const std::string once = zk::signer::state_to_json(*state);
  auto again = zk::signer::state_from_json(once, "fuzz-state-2.json");
  if (!again) finding("a state it wrote does not read back");
  if (zk::signer::state_to_json(*again) != once) finding("state changes when re-read");
  return 0;
}

// config: the configuration file (zonekiln.toml) -> config::parse_config.
//
// `sign --config` and `check-config` read it on every run, and whoever may edit it can type
// anything: it must be refused with errors that say where, never crash, hang or leak. What it
// accepts must hold up: no error recorded, every zone's policy passes validate(), and every
// zone is found again by its origin. The file's name is in a directory that does not exist, so
// the relative paths it resolves point nowhere.
inline int config_one(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<zk::config::ConfigError> errors;
  auto cfg = zk::config::parse_config(text, "/nonexistent-zk-fuzz/zonekiln.toml", errors);
  if (!cfg) {
    if (errors.empty() && cfg.error().detail.empty()) finding("configuration refused silently");
    for (const auto& e : errors)
      if (e.message.empty()) finding("a configuration error without a message");
    return 0;
  }
  if (!errors.empty()) finding("configuration accepted with errors");
  for (const auto& z : cfg->zones) {
    if (!zk::config::validate(cfg->policy_for(z))) finding("an accepted zone's policy is invalid");
    if (cfg->find(z.origin) != &z) finding("an accepted zone is not found by its origin");
  }
  return 0;
}

// skr: KSR/SKR files (offline KSK exchange) -> signer::skr_from_text.
//
// A signed key response comes from another machine (where the KSK lives) and is read by every
// nightly `sign --skr`; a request is read by `skr-sign`. Either may be damaged or crafted: it
// must be refused with an error naming the line, never crash, hang or leak. What it accepts
// must print (skr_to_text) to a document that reads back to the same text.
inline int skr_one(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = zk::signer::skr_from_text(text, "fuzz.skr");
  if (!doc) {
    if (doc.error().detail.empty()) finding("document refused without a reason");
    return 0;
  }
  const std::string once = zk::signer::skr_to_text(*doc);
  auto again = zk::signer::skr_from_text(once, "fuzz-2.skr");
  if (!again) finding("a document it wrote does not read back");
  if (zk::signer::skr_to_text(*again) != once) finding("document changes when re-read");
  return 0;
}

// bindkey: BIND key pairs (K<zone>.+<alg>+<tag>.key and .private) -> signer::load_key.
//
// Key files sit in the key directory and are read by every run; dnssec-keygen, an editor or an
// attacker may have written them. A damaged pair must be refused (Errc::KeyActionNeeded or
// Usage), never crash, hang or leak, and the private bytes must never appear in a message.
//
// Input: the .key text, then the line "%%private%%", then the .private text (no such line: an
// empty .private). Both files are written to a scratch directory (the .private with mode 0600)
// and read through the real path-taking loader, owner check off.
inline int bindkey_one(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  static constexpr std::string_view kSep = "\n%%private%%\n";
  const size_t cut = in.find(kSep);
  const std::string_view pub = in.substr(0, cut);
  const std::string_view priv =
      cut == std::string_view::npos ? std::string_view{} : in.substr(cut + kSep.size());
  static const std::string base = scratch_dir() + "/Kfuzz.+013+00001";
  write_file(base + ".key", pub, 0644);
  write_file(base + ".private", priv, 0600);
  auto key = zk::signer::load_key(base, zk::NameView{});
  if (key) {
    if (!key->has_private()) finding("a BIND pair loaded without its private key");
    const auto rdata = key->dnskey_rdata();
    if (rdata.size() < 5 || rdata[2] != 3) finding("loaded key has bad DNSKEY RDATA");
    return 0;
  }
  const auto code = key.error().code;
  if (code != zk::Errc::KeyActionNeeded && code != zk::Errc::Usage) {
    finding(("key refused with an unexpected error kind: " + key.error().detail).c_str());
  }
  // Private key fields are base64 in the file; a message must never quote that text. Only
  // base64 counts: the fuzzer learns to copy the message's own words and the file's path into
  // a field, which is not a leak.
  std::string detail = key.error().detail;
  for (size_t at; (at = detail.find(base)) != std::string::npos;) detail.erase(at, base.size());
  auto is_b64 = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
  };
  for (const char* tag : {"PrivateKey: ", "PrivateExponent: ", "Prime1: "}) {
    const size_t at = priv.find(tag);
    if (at == std::string_view::npos) continue;
    std::string_view value = priv.substr(at + std::string_view(tag).size());
    value = value.substr(0, std::min<size_t>(value.find('\n'), 20));
    if (value.size() < 20 || !std::all_of(value.begin(), value.end(), is_b64)) continue;
    if (detail.find(value) != std::string::npos)
      finding("error message quotes private key material");
  }
  return 0;
}

// pemkey: PEM private key files (the owner's KSK, `ksk add --file k.pem`) -> signer::load_key.
//
// Input: byte 0 selects the requested algorithm (0 = the one the key type implies; otherwise
// one of 8, 10, 13, 14, 15, 16 by its value modulo 6), byte 1 bit 0 the flags (256 or 257);
// the rest is the file, written with mode 0600 to a scratch directory. A damaged, encrypted or
// unusable key must be refused with an error, never crash, hang, leak or prompt.
inline int pemkey_one(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static constexpr uint8_t kAlgs[] = {8, 10, 13, 14, 15, 16};
  const uint8_t alg = data[0] == 0 ? 0 : kAlgs[data[0] % sizeof kAlgs];
  const uint16_t flags = (data[1] & 1) ? 257 : 256;
  static const std::string path = scratch_dir() + "/owner-ksk.pem";
  write_file(path, std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  auto key = zk::signer::load_key(path, zk::NameView{}, alg, flags);
  if (key) {
    if (!key->has_private()) finding("a PEM key loaded without its private key");
    if (key->flags() != flags) finding("PEM key flags differ from those requested");
    return 0;
  }
  const auto code = key.error().code;
  if (code != zk::Errc::KeyActionNeeded && code != zk::Errc::Usage) {
    finding(("PEM key refused with an unexpected error kind: " + key.error().detail).c_str());
  }
  return 0;
}

// verify: a signed zone fed to `zonekiln verify` -> pipeline::verify_file.
//
// verify is what an operator runs on zones signed elsewhere, so its input is anyone's. Every
// file must give a report or a parse error, never a crash, hang or leak, and the report must
// count what it lists. The clock is fixed so that runs repeat; signatures are checked
// (OpenSSL), on one thread.
//
// Input: the first line is the zone apex (--origin); the rest is the zone text, written to a
// scratch file and read through the real path-taking reader with a small input budget (a fuzz
// input must not be able to make a run slow).
inline int verify_one(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t eol = in.find('\n');
  if (eol == std::string_view::npos) return 0;
  zk::Name apex;
  if (!zk::name_from_text(in.substr(0, eol), zk::NameView{}, apex)) return 0;
  apex.to_lower();
  static const std::string path = scratch_dir() + "/signed.zone";
  write_file(path, in.substr(eol + 1), 0644);
  zk::pipeline::VerifyOptions o;
  o.now = 1'767'225'600;  // 2026-01-01; inside the seeds' validity or not, both are fine
  o.max_problems = 100;
  o.budget.max_records = 20'000;
  o.budget.max_input_bytes = 4u << 20;
  o.budget.max_includes = 4;
  zk::Diagnostics diag(20);
  auto report = zk::pipeline::verify_file(path, apex, o, diag);
  if (!report) {
    if (report.error().code != zk::Errc::ZoneCheck && report.error().code != zk::Errc::Io) {
      finding(("verify failed with an unexpected error kind: " + report.error().detail).c_str());
    }
    return 0;
  }
  const auto& s = report->summary;
  if (report->problems.size() > s.errors + s.warnings) {
    finding("more problems listed than counted");
  }
  if (report->problems.size() > o.max_problems) finding("max_problems ignored");
  if (s.signatures_verified > s.signatures) finding("verified more than there are");
  (void)zk::pipeline::format_report(*report, apex);
  return 0;
}

}  // namespace zk::fuzz
