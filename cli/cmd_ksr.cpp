// `zonekiln ksr` and `zonekiln skr-sign`: the offline KSK exchange (signer/lifecycle/skr.hpp).
#include <chrono>
#include <cstdlib>
#include <memory>

#include "cli/commands.hpp"
#include "cli/lifecycle_args.hpp"
#include "dns/timeparse.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/skr.hpp"
#include "signer/pkcs11.hpp"
#include "signer/signer.hpp"

namespace zk::cli {

namespace {

struct KsrArgs {
  std::string origin, keys, from, to = "+90d", output, now = "now";
  std::string period = "10d";
  PolicyFlags policy;  // algorithm, zsk-lifetime, dnskey-ttl
};

struct SkrSignArgs {
  std::string request, ksk_dir, output, overlap = "5d", skew = "1h";
  std::vector<std::string> uris;
  std::string pin_file, pkcs11_module;
  bool no_cds = false;
};

int run_ksr(const KsrArgs& a) {
  auto now = resolve_now(a.now);
  if (!now) return report_error(now.error());
  auto origin = origin_name(a.origin);
  if (!origin) return report_error(origin.error());
  signer::KsrOptions o;
  auto from = parse_time(a.from.empty() ? "now" : a.from, *now);
  if (!from) return report_error(from.error());
  auto to = parse_time(a.to, *from);  // "+90d" counts from --from
  if (!to) return report_error(to.error());
  // The periods' RRSIGs carry these times (RFC 4034 s3.1.5).
  if (auto r = check_serial_time("--from " + a.from, *from, *now, "--now"); !r)
    return report_error(r.error());
  if (auto r = check_serial_time("--to " + a.to, *to, *from, "--from"); !r)
    return report_error(r.error());
  auto period = parse_duration(a.period);
  if (!period) return report_error(period.error());
  std::vector<std::string> warnings;
  auto policy = a.policy.policy(warnings);
  if (!policy) return report_error(policy.error());
  // The same defaults as sign: ZSK lifetime derive_policy's, DNSKEY TTL at most 3600.
  const signer::Policy timing = config::default_timing(*policy);
  o.from = *from;
  o.to = *to;
  o.period = *period;
  o.zsk_lifetime = timing.zsk_lifetime;
  o.algorithm = config::algorithm_or_default(*policy);
  o.dnskey_ttl = timing.dnskey_ttl;
  if (auto d = signer::require_key_dir(a.keys, a.origin); !d) return report_error(d.error());
  {
    OutputGuard guard;
    auto state = signer::read_state(a.keys);
    signer::protect_keys(guard, a.keys, state ? &*state : nullptr);
    if (auto g = guard.check({"--output", a.output}); !g) return report_error(g.error());
  }
  std::vector<std::string> notes;
  auto req = signer::make_ksr(a.keys, *origin, o, *now, &notes);
  if (!req) return report_error(req.error());
  if (auto w = signer::write_skr_file(a.output, *req); !w) return report_error(w.error());
  std::string out;
  for (const auto& n : notes) out += "created " + n + "\n";
  out += "wrote " + a.output + ": " + std::to_string(req->periods.size()) + " periods from " +
         time_to_iso(o.from) + " to " + time_to_iso(o.to) +
         "; take it to the KSK and run `zonekiln skr-sign " + a.output + " --ksk DIR --output " +
         "RESPONSE` there\n";
  return print_out(out);
}

int run_skr_sign(const SkrSignArgs& a) {
  {
    OutputGuard guard;
    guard.protect_file(a.request, "the request");
    signer::protect_keys(guard, a.ksk_dir, nullptr);
    if (auto g = guard.check({"--output", a.output}); !g) return report_error(g.error());
  }
  auto req = signer::read_skr_file(a.request);
  if (!req) return report_error(req.error());
  auto overlap = parse_duration(a.overlap);
  if (!overlap) return report_error(overlap.error());
  auto skew = parse_duration(a.skew);
  if (!skew) return report_error(skew.error());
  if (a.ksk_dir.empty() && a.uris.empty())
    return report_error(make_error(Errc::Usage, "skr-sign needs --ksk DIR and/or --uri URI"));

  auto config = token_config(a.pkcs11_module, a.pin_file);
  if (!config) return report_error(config.error());
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<signer::Key> ksks;
  std::string out;
  if (!a.ksk_dir.empty()) {
    std::vector<Error> problems;
    auto keys = signer::load_key_dir(a.ksk_dir, req->origin, &problems, &*config);
    if (!keys) return report_error(keys.error());
    for (const Error& e : problems) out += "warning: " + e.detail + "\n";
    for (auto& k : *keys)
      if (k.is_ksk() && k.has_private()) ksks.push_back(std::move(k));
  }
  for (const std::string& uri : a.uris) {
    auto k = signer::load_pkcs11_key(uri, *config, 257);
    if (!k) return report_error(k.error());
    ksks.push_back(std::move(*k));
  }
  if (ksks.empty())
    return report_error(
        make_error(Errc::KeyActionNeeded, "no KSK with its private part found in " + a.ksk_dir +
                                              "; pass the KSK's directory with --ksk or --uri"));
  const auto t1 = std::chrono::steady_clock::now();
  signer::SkrSignOptions o;
  o.overlap = *overlap;
  o.skew = *skew;
  o.cds = !a.no_cds;
  auto resp = signer::sign_ksr(*req, ksks, o);
  if (!resp) return report_error(resp.error());
  const auto t2 = std::chrono::steady_clock::now();
  if (auto w = signer::write_skr_file(a.output, *resp); !w) return report_error(w.error());
  size_t sigs = 0;
  for (const auto& p : resp->periods)
    for (const auto& r : p.records) sigs += r.type == 46;
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  for (const auto& k : ksks)
    out += "KSK " + std::to_string(k.tag()) + " (" + signer::algorithm_name(k.algorithm()) +
           ") from " + k.source() + "\n";
  char timing[160];
  std::snprintf(timing, sizeof timing,
                "key load %.1f ms, %zu RRSIGs over %zu periods in %.1f ms (%.2f ms each)\n",
                ms(t1 - t0), sigs, resp->periods.size(), ms(t2 - t1),
                sigs ? ms(t2 - t1) / static_cast<double>(sigs) : 0.0);
  out += timing;
  out += "wrote " + a.output + "; use it with `zonekiln sign ... --skr " + a.output + "`\n";
  return print_out(out);
}

}  // namespace

void register_ksr(CLI::App& root, std::function<int()>& action) {
  auto k = std::make_shared<KsrArgs>();
  CLI::App* ksr = root.add_subcommand(
      "ksr", "offline KSK: make a key signing request listing the ZSKs to publish per period");
  ksr->add_option("--origin", k->origin, "zone apex")->required();
  ksr->add_option("--keys", k->keys, "key directory of the zone (ZSKs are created here)")
      ->required();
  ksr->add_option("--from", k->from,
                  "start (YYYYMMDDHHmmSS UTC, unix seconds, +/-offset; "
                  "default now)");
  ksr->add_option("--to", k->to, "end (absolute, or +offset from --from; default +90d)");
  ksr->add_option("--output", k->output, "request file to write")->required();
  ksr->add_option("--period", k->period, "signature period (default 10d)");
  k->policy.add(ksr, {"algorithm", "zsk-lifetime", "dnskey-ttl"});
  ksr->add_option("--now", k->now, "the clock (for tests)");
  ksr->callback([k, &action] { action = [k] { return run_ksr(*k); }; });

  auto s = std::make_shared<SkrSignArgs>();
  CLI::App* sign = root.add_subcommand(
      "skr-sign", "offline KSK: answer a request with the KSK-signed DNSKEY/CDS/CDNSKEY RRsets");
  sign->add_option("REQUEST", s->request, "request file from `zonekiln ksr`")->required();
  sign->add_option("--ksk", s->ksk_dir, "directory with the KSK files (or .pkcs11 descriptors)");
  sign->add_option("--uri", s->uris, "a KSK in an HSM (PKCS#11 URI); may be repeated");
  sign->add_option("--pin-file", s->pin_file, "file holding the token PIN (else $ZONEKILN_PIN)");
  sign->add_option("--pkcs11-module", s->pkcs11_module, "PKCS#11 module");
  sign->add_option("--output", s->output, "response file to write")->required();
  sign->add_option("--overlap", s->overlap, "RRSIGs expire this long after a period (5d)");
  sign->add_option("--skew", s->skew, "RRSIGs start this long before a period (1h)");
  sign->add_flag("--no-cds", s->no_cds, "no CDS/CDNSKEY RRsets");
  sign->callback([s, &action] { action = [s] { return run_skr_sign(*s); }; });
}

}  // namespace zk::cli
