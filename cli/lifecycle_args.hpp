// Internal to cli/: options and plumbing shared by the lifecycle subcommands (ksk, status,
// unsign) and usable by `sign`: --origin/--keys/--now/--lock-wait, policy options, printing.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "signer/keystate.hpp"
#include "signer/policy.hpp"

namespace zk::cli {

struct ZoneKeyArgs {
  std::string origin, keys, now = "now";
  int lock_wait = 60;  // seconds a second run waits for the state lock
};

/// Adds --origin, --keys (both required), --now and --lock-wait to cmd.
void add_zone_key_options(CLI::App* cmd, ZoneKeyArgs& args);

/// Timing policy options (--zsk-lifetime, --dnskey-ttl, --max-ttl, --ttl-clamp, --propagation,
/// --sig-validity, --sig-refresh, --sig-jitter, --run-interval, --ds-ttl); durations accept
/// units (90d). apply_policy_options applies the given ones over base (normally the policy the
/// zone's last sign run recorded, signer::recorded_policy) and runs check_timing.
struct PolicyArgs {
  std::string zsk_lifetime, propagation, sig_validity, sig_refresh, sig_jitter, run_interval;
  uint32_t dnskey_ttl = 0, max_ttl = 0, ttl_clamp = 0, ds_ttl = 0;
};
void add_policy_options(CLI::App* cmd, PolicyArgs& args);
Result<signer::Policy> apply_policy_options(const PolicyArgs& args, signer::Policy base = {});

/// The clock for this command: --now relative to the wall clock (read only here).
Result<int64_t> resolve_now(const std::string& text);

/// The origin as a wire name (absolute).
Result<Name> origin_name(const std::string& text);

/// Prints to stdout / stderr ("zonekiln: " prefix on errors) and returns the exit code.
int print_out(const std::string& text);
int report_error(const Error& e);

/// Runs f(state_file, zone, now) under the state lock: reads the state, lets f change it, and
/// writes it when f returns true. Returns f's exit code, or the error's.
int with_state(const ZoneKeyArgs& args,
               const std::function<Result<bool>(signer::KeyStateFile&, signer::ZoneKeyState&,
                                                int64_t now, int& exit_code)>& f);

}  // namespace zk::cli
