// Internal to cli/: the policy settings (config/policy.hpp) as command-line flags, one spelling
// per setting for every subcommand, plus the old spellings kept for one release.
#pragma once

#include <CLI/CLI.hpp>
#include <array>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/policy.hpp"
#include "dns/result.hpp"

namespace zk::cli {

/// Collects the policy flags of one subcommand while CLI11 parses; policy() then applies them
/// through config::set, so a bad value is reported the same way as in the configuration file.
/// Register it on one subcommand; the object must outlive the parse (CLI11 keeps callbacks
/// into it). Not thread-safe.
class PolicyFlags {
 public:
  /// Adds --NAME for each named setting (config::settings()) and --no-NAME for the true/false
  /// ones; old_spellings are the deprecated flags (config::deprecated_flags()) this subcommand
  /// had, accepted with a warning and hidden from --help. short_names adds -a for algorithm and
  /// -b for bits (keygen).
  void add(CLI::App* cmd, std::span<const std::string_view> names,
           std::initializer_list<std::string_view> old_spellings = {}, bool short_names = false);
  void add(CLI::App* cmd, std::initializer_list<std::string_view> names,
           std::initializer_list<std::string_view> old_spellings = {}, bool short_names = false) {
    add(cmd, std::span<const std::string_view>(names.begin(), names.size()), old_spellings,
        short_names);
  }

  /// The settings given on the command line. Errc::Usage "--NAME: expected ...". Each use of a
  /// deprecated spelling adds a line to warnings saying what to write instead.
  Result<config::Policy> policy(std::vector<std::string>& warnings) const;

  /// True when at least one flag was given.
  bool any() const noexcept { return !given_.empty(); }

 private:
  struct Given {
    std::string flag;     // as typed, without dashes
    std::string setting;  // the setting it sets
    config::Value value;
    bool deprecated = false;
  };
  std::vector<Given> given_;
};

/// The timing settings status and ksk take.
inline constexpr std::array<std::string_view, 9> kTimingSettings = {
    "sig-validity", "sig-refresh", "sig-jitter", "zsk-lifetime", "propagation",
    "run-interval", "max-ttl",     "dnskey-ttl", "ds-ttl"};

/// Every setting sign takes (all but the key-creation ones).
inline constexpr std::array<std::string_view, 20> kSignSettings = {
    "csk",          "nsec3",         "nsec3-iterations",
    "nsec3-salt",   "nsec3-opt-out", "sig-validity",
    "sig-refresh",  "sig-jitter",    "sig-inception-offset",
    "zsk-lifetime", "propagation",   "run-interval",
    "max-ttl",      "dnskey-ttl",    "ds-ttl",
    "cds",          "zonemd",        "zonemd-hash",
    "serial",       "verify"};

}  // namespace zk::cli
