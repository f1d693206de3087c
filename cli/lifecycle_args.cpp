#include "cli/lifecycle_args.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "cli/commands.hpp"
#include "dns/timeparse.hpp"
#include "signer/lifecycle/lifecycle.hpp"

namespace zk::cli {

void add_zone_key_options(CLI::App* cmd, ZoneKeyArgs& args) {
  cmd->add_option("--origin", args.origin, "zone apex, e.g. example.com.")->required();
  cmd->add_option("--keys", args.keys, "key directory (holds zonekiln-state.json)")->required();
  cmd->add_option("--now", args.now,
                  "the time to act at: YYYYMMDDHHmmSS (UTC), unix seconds, or +/-offset like "
                  "+30d (default: now)");
  cmd->add_option("--lock-wait", args.lock_wait,
                  "seconds to wait for another run holding the key directory lock (default 60)");
}

void add_policy_options(CLI::App* cmd, PolicyFlags& flags) {
  flags.add(cmd, kTimingSettings, {"ttl-clamp"});
}

Result<signer::Policy> apply_policy_options(const PolicyFlags& flags,
                                            const signer::ZoneKeyState* zone) {
  std::vector<std::string> warnings;
  auto given = flags.policy(warnings);
  for (const auto& w : warnings) std::fprintf(stderr, "zonekiln: warning: %s\n", w.c_str());
  if (!given) return fail(given.error());
  const signer::Policy defaults = config::default_timing(*given);
  const signer::Policy base =
      zone && !zone->policy_json.empty() ? signer::recorded_policy(*zone, defaults) : defaults;
  return config::timing_policy(*given, base);
}

Result<int64_t> resolve_now(const std::string& text) {
  const int64_t clock = static_cast<int64_t>(std::time(nullptr));
  auto now = parse_time(text, clock);
  if (!now) return now;
  // The key timeline records this time; it must be one RRSIG fields can express (RFC 4034
  // s3.1.5), or a rollover would wait for a date that never comes.
  if (auto r = check_serial_time("--now " + text, *now, clock, "the clock"); !r)
    return fail(r.error());
  return now;
}

Result<Name> origin_name(const std::string& text) {
  auto n = origin_arg(text);
  if (!n) return fail(Errc::Usage, "bad --origin '" + text + "': " + n.error().detail);
  return n;
}

Result<signer::Pkcs11Config> token_config(const std::string& module, const std::string& pin_file) {
  std::string chosen = module;
  if (chosen.empty()) {
    const std::string p11kit = std::string("/usr/lib/") + ZK_LIBRARY_ARCH + "/p11-kit-proxy.so";
    for (const std::string& path : {p11kit, std::string("/usr/lib/softhsm/libsofthsm2.so")}) {
      if (::access(path.c_str(), R_OK) == 0) {
        chosen = path;
        break;
      }
    }
  }
  return signer::make_pkcs11_config(chosen, pin_file, std::getenv(signer::kPinEnvVar));
}

int print_out(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  return 0;
}

int report_error(const Error& e) {
  std::fprintf(stderr, "zonekiln: %s\n", e.detail.c_str());
  return zk::exit_code_for(e.code);
}

int with_state(const ZoneKeyArgs& args,
               const std::function<Result<bool>(signer::KeyStateFile&, signer::ZoneKeyState&,
                                                int64_t, int&)>& f) {
  if (auto o = origin_name(args.origin); !o) return report_error(o.error());
  auto now = resolve_now(args.now);
  if (!now) return report_error(now.error());
  auto lock = signer::StateLock::acquire(args.keys, args.lock_wait);
  if (!lock) return report_error(lock.error());
  auto file = signer::read_state(args.keys);
  if (!file) return report_error(file.error());
  for (const auto& n : file->recovery_notes)
    std::fprintf(stderr, "zonekiln: note: %s\n", n.c_str());
  signer::ZoneKeyState& zone = file->get_or_add(args.origin);
  std::string clock_warning;
  const int64_t at = signer::timeline_now(zone, *now, &clock_warning);
  if (!clock_warning.empty())
    std::fprintf(stderr, "zonekiln: warning: %s\n", clock_warning.c_str());
  int code = 0;
  auto changed = f(*file, zone, at, code);
  if (!changed) return report_error(changed.error());
  if (*changed || !file->recovery_notes.empty()) {
    if (auto w = signer::write_state(args.keys, *file); !w) return report_error(w.error());
  }
  return code;
}

}  // namespace zk::cli
