// Internal to cli/: options and plumbing shared by the lifecycle subcommands (ksk, status,
// unsign) and usable by `sign`: --origin/--keys/--now/--lock-wait, policy options, printing.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "cli/policy_flags.hpp"
#include "dns/name.hpp"
#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/pkcs11.hpp"

namespace zk::cli {

struct ZoneKeyArgs {
  std::string origin, keys, now = "now";
  int lock_wait = 60;  // seconds a second run waits for the state lock
};

/// Adds --origin, --keys (both required), --now and --lock-wait to cmd.
void add_zone_key_options(CLI::App* cmd, ZoneKeyArgs& args);

/// The timing settings of status and ksk (kTimingSettings: --sig-validity, --sig-refresh,
/// --sig-jitter, --zsk-lifetime, --propagation, --run-interval, --max-ttl, --dnskey-ttl,
/// --ds-ttl; --ttl-clamp is the old spelling of --max-ttl). apply_policy_options applies the
/// given ones over the policy the zone's last sign run recorded (or, for a zone never signed,
/// the defaults sign uses) and runs check_timing; deprecation warnings go to stderr.
void add_policy_options(CLI::App* cmd, PolicyFlags& flags);
Result<signer::Policy> apply_policy_options(const PolicyFlags& flags,
                                            const signer::ZoneKeyState* zone);

/// The clock for this command: --now relative to the wall clock (read only here).
Result<int64_t> resolve_now(const std::string& text);

/// The origin as a wire name (absolute).
Result<Name> origin_name(const std::string& text);

/// The token configuration for PKCS#11 keys: module (empty = p11-kit's proxy, which reaches every
/// module registered with p11-kit, else SoftHSM2's, where Debian installs them), the PIN from
/// pin_file, else from the ZONEKILN_PIN environment variable. The one place the PIN variable is
/// read and the install paths are known.
Result<signer::Pkcs11Config> token_config(const std::string& module = {},
                                          const std::string& pin_file = {});

/// Prints to stdout / stderr ("zonekiln: " prefix on errors) and returns the exit code.
int print_out(const std::string& text);
int report_error(const Error& e);

/// Runs f(state_file, zone, now) under the state lock: reads the state, lets f change it, and
/// writes it when f returns true. Returns f's exit code, or the error's.
int with_state(const ZoneKeyArgs& args,
               const std::function<Result<bool>(signer::KeyStateFile&, signer::ZoneKeyState&,
                                                int64_t now, int& exit_code)>& f);

}  // namespace zk::cli
