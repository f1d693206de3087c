// zk::config: the signing policy as an operator writes it, in one struct with one parse and
// validate path for the command-line flags of every subcommand and for the configuration file.
//
// Every setting has one name, used as the file key (`sig-validity = "14d"`) and as the long flag
// (`--sig-validity 14d`), and one default (settings() lists them). A few older flag spellings are
// still accepted for one release with a warning (deprecated_flags()).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dns/result.hpp"
#include "pipeline/pipeline.hpp"
#include "signer/lifecycle/policy.hpp"

namespace zk::config {

/// A setting's value as the file (typed) or a flag (text, or true for a flag without value)
/// gives it.
using Value = std::variant<bool, int64_t, std::string>;

/// The policy settings; an unset one (nullopt) takes its default or the layer below it
/// (overlay). Plain data: copy freely, no thread-safety concerns.
struct Policy {
  // Keys (keygen, ksk add --generate, ksr).
  std::optional<uint8_t> algorithm;
  std::optional<unsigned> bits;
  std::optional<bool> csk;
  // Denial of existence (RFC 5155, RFC 9276).
  std::optional<bool> nsec3, nsec3_opt_out;
  std::optional<uint16_t> nsec3_iterations;
  std::optional<std::vector<uint8_t>> nsec3_salt;
  // Signature timing and key lifecycle (durations in seconds).
  std::optional<int64_t> sig_validity, sig_refresh, sig_jitter, sig_inception_offset;
  std::optional<int64_t> zsk_lifetime, propagation, run_interval;
  // TTLs (seconds).
  std::optional<uint32_t> max_ttl, dnskey_ttl, ds_ttl;
  // Apex records and serial.
  std::optional<bool> cds, zonemd;
  std::optional<uint8_t> zonemd_hash;  // RFC 8976: 1 SHA-384, 2 SHA-512
  std::optional<pipeline::SerialPolicy> serial;
  std::optional<pipeline::VerifyMode> verify;
  // Deprecated `sign --inception T` / `--expiration T` (absolute or +/-offset): resolved
  // against the run's clock by sign_options. Flags only, never from the file.
  std::optional<std::string> inception_time, expiration_time;
};

enum class Kind { Duration, Seconds, Bool, Count, Text };

/// One setting: its name (file key and long flag), the value it takes, its default and help.
struct Setting {
  std::string_view name;
  Kind kind;
  std::string_view expected;  // what a valid value looks like, for error messages
  std::string_view default_text;
  std::string_view help;
  Result<void> (*set)(Policy&, const Value&);  // parses and stores; Errc::Usage with `expected`
};

/// Every policy setting, in documentation order.
std::span<const Setting> settings();
/// The setting with this name, or nullptr.
const Setting* find_setting(std::string_view name);

/// An old flag spelling kept for one release: `--refresh` for `--sig-refresh`, ... value is
/// what a flag without an argument sets (`--no-verify`: verify = "none"), else empty.
struct DeprecatedFlag {
  std::string_view flag;      // "refresh"
  std::string_view replaced;  // "sig-refresh"
  std::string_view value;     // for flags without argument
  std::string_view note;      // how the meaning maps, when it is not one to one
};
std::span<const DeprecatedFlag> deprecated_flags();

/// Sets the named setting. Errc::Usage "NAME: expected ..." when the value does not fit.
Result<void> set(Policy& p, std::string_view name, const Value& v);

/// base with every setting that top sets replaced by top's.
Policy overlay(Policy base, const Policy& top);

/// Checks the settings against each other where no zone or clock is needed (e.g. NSEC3
/// settings without nsec3 are refused rather than ignored). Errc::Usage.
Result<void> validate(const Policy& p);

/// The timing choices (unset = default) for signer::derive_policy.
signer::PolicyChoices timing_choices(const Policy& p);

/// Fills the signing options of a sign run at `now` (unix seconds; clock_now is the real clock):
/// validity, inception, NSEC3, TTLs, CDS, ZONEMD, serial, verification, the lifecycle timing.
/// Errc::Usage when a value cannot be used, including signature times that RRSIG serial-number
/// fields cannot hold unambiguously relative to now and to the clock, and a validity over 68
/// years (RFC 4034 s3.1.5). The timing check against the zone's TTLs is the pipeline's
/// (signer::check_timing, once the zone is read). Leaves the non-policy fields of s alone.
Result<void> sign_options(const Policy& p, int64_t now, int64_t clock_now,
                          pipeline::SignOptions& s);

/// The timing policy of status / ksk: base (the policy the zone's last sign run recorded, or
/// derive_policy's defaults when none) with the settings p sets, then check_timing.
Result<signer::Policy> timing_policy(const Policy& p, const signer::Policy& base);
/// derive_policy's defaults for a zone with no recorded policy, with p's settings.
signer::Policy default_timing(const Policy& p);

/// "ECDSAP256SHA256" (13) unless p names an algorithm.
uint8_t algorithm_or_default(const Policy& p) noexcept;

/// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to word (distance at most 1/3 of its length, at least 2), or empty.
std::string closest(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace zk::config
