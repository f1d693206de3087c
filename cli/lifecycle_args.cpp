#include "cli/lifecycle_args.hpp"

#include <cstdio>
#include <ctime>

#include "dns/timeparse.hpp"
#include "signer/lifecycle.hpp"

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

void add_policy_options(CLI::App* cmd, PolicyArgs& a) {
  cmd->add_option("--zsk-lifetime", a.zsk_lifetime, "ZSK lifetime (default 90d)");
  cmd->add_option("--dnskey-ttl", a.dnskey_ttl, "DNSKEY TTL in seconds (default 3600)");
  cmd->add_option("--max-ttl", a.max_ttl, "largest TTL in the zone (default: the clamp)");
  cmd->add_option("--ttl-clamp", a.ttl_clamp, "TTLs above this are lowered (default 604800)");
  cmd->add_option("--propagation", a.propagation, "time to reach all secondaries (default 1h)");
  cmd->add_option("--sig-validity", a.sig_validity, "RRSIG validity (default 21d)");
  cmd->add_option("--sig-refresh", a.sig_refresh, "re-sign when less remains (default 9d)");
  cmd->add_option("--sig-jitter", a.sig_jitter, "expiration jitter (default 12h)");
  cmd->add_option("--run-interval", a.run_interval, "how often cron runs sign (default 1d)");
  cmd->add_option("--ds-ttl", a.ds_ttl, "the parent's DS TTL in seconds (default 86400)");
}

Result<signer::Policy> apply_policy_options(const PolicyArgs& a, signer::Policy p) {
  auto dur = [](const std::string& text, int64_t& out) -> Result<void> {
    if (text.empty()) return ok();
    auto v = parse_duration(text);
    if (!v) return fail(v.error());
    out = *v;
    return ok();
  };
  for (auto [text, field] : {std::pair{&a.zsk_lifetime, &p.zsk_lifetime},
                             {&a.propagation, &p.propagation_delay},
                             {&a.sig_validity, &p.sig_validity},
                             {&a.sig_refresh, &p.sig_refresh},
                             {&a.sig_jitter, &p.sig_jitter},
                             {&a.run_interval, &p.run_interval}}) {
    if (auto r = dur(*text, *field); !r) return fail(r.error());
  }
  if (a.dnskey_ttl) p.dnskey_ttl = a.dnskey_ttl;
  if (a.max_ttl) p.max_zone_ttl = a.max_ttl;
  if (a.ttl_clamp) p.ttl_clamp = a.ttl_clamp;
  if (a.ds_ttl) p.ds_ttl = a.ds_ttl;
  if (auto r = signer::check_timing(p); !r) return fail(r.error());
  return p;
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
  Name n;
  std::string abs = text;
  if (abs.empty() || abs.back() != '.') abs.push_back('.');
  if (auto r = name_from_text(abs, NameView{}, n); !r) {
    return fail(Errc::Usage, "bad --origin '" + text + "': " + r.error().detail);
  }
  return n;
}

int print_out(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  return 0;
}

int report_error(const Error& e) {
  std::fprintf(stderr, "zonekiln: %s\n", e.detail.c_str());
  return signer::exit_code_for_errc(e.code);
}

int with_state(const ZoneKeyArgs& args,
               const std::function<Result<bool>(signer::KeyStateFile&, signer::ZoneKeyState&,
                                                int64_t, int&)>& f) {
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
