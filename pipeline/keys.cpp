// Stage: the run's keys (signer/lifecycle/lifecycle.hpp) -> DNSKEY, CDS, CDNSKEY and NSEC3PARAM
// records.
#include "pipeline/detail/keys.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "dns/base64.hpp"
#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "dns/timeparse.hpp"
#include "signer/lifecycle/unsign.hpp"
#include "signer/pkcs11.hpp"

namespace zk::pipeline::detail {

namespace {

RR make_rr(ZoneStore& store, const Owner* owner, uint16_t type, uint32_t ttl,
           std::span<const uint8_t> rdata) {
  const uint8_t* p = store.arena().copy(rdata.data(), rdata.size());
  return RR{owner, p, ttl, type, static_cast<uint16_t>(rdata.size())};
}

bool is_sep(std::span<const uint8_t> dnskey) { return (dnskey_fields(dnskey).flags & 1) != 0; }

}  // namespace

signer::Policy sign_policy(const SignOptions& o, uint32_t max_zone_ttl, uint32_t dnskey_ttl) {
  signer::PolicyChoices c = o.timing;
  c.sig_validity = o.expiration - o.now;
  c.ttl_clamp = o.max_ttl;
  c.dnskey_ttl = dnskey_ttl;
  signer::Policy p = signer::derive_policy(c, max_zone_ttl, dnskey_ttl);
  // An explicit --expiration is exact: every new RRSIG carries it, no spread.
  if (o.fixed_expiration) p.sig_spread = 0;
  if (o.allow_deprecated_algorithm) signer::allow_deprecated_algorithms(p);
  return p;
}

Result<void> check_sign_timing(const SignOptions& o, const signer::Policy& p) {
  if (o.fixed_expiration && p.sig_validity <= p.sig_refresh) {
    const int64_t floor =
        int64_t{signer::effective_max_ttl(p)} + p.propagation_delay + 2 * p.run_interval;
    return fail(Errc::Usage,
                "--expiration " + time_to_iso(o.expiration) + " leaves " +
                    duration_to_text(p.sig_validity) + " of signature validity after " +
                    time_to_iso(o.now) + " (--now), not more than the refresh window " +
                    duration_to_text(p.sig_refresh) +
                    (o.timing.sig_refresh ? std::string(" (sig-refresh)") : std::string()) +
                    ": the new signatures would be due for renewal when made; give a later "
                    "--expiration or an earlier --now, or a refresh window (sig-refresh) of at "
                    "least max TTL + propagation + 2 run intervals = " +
                    duration_to_text(floor) + " and less than the validity");
  }
  return signer::check_timing(p);
}

namespace {

// What every run asks of the lifecycle: the zone, its key directory, the time, the lock and
// the token settings; a sign run adds its policy and key choices.
signer::SignRunRequest run_request(const SignOptions& o, NameView origin) {
  signer::SignRunRequest request;
  request.key_dir = o.key_dir;
  request.origin.assign(origin);
  request.now = o.now;
  request.lock_wait = o.lock_wait;
  request.dry_run = o.dry_run;
  request.zsk_uri = o.zsk_uri;
  request.pkcs11 = o.pkcs11;
  return request;
}

}  // namespace

Result<void> start_key_run(const SignOptions& o, NameView origin, KeyRun& run, Diagnostics& diag,
                           Stats& stats, OutputGuard guard, const std::vector<NamedPath>& outputs) {
  if (auto t = check_sign_timing(o, run.policy); !t) return fail(t.error());
  signer::SignRunRequest request = run_request(o, origin);
  request.policy = run.policy;
  request.csk = o.csk;
  request.allow_deprecated_algorithm = o.allow_deprecated_algorithm;
  request.nsec3 = o.nsec3.enabled;
  auto planned = signer::plan_sign_run(request, run, std::move(guard), outputs);
  for (auto& w : run.warnings) diag.warning(std::move(w));
  run.warnings.clear();
  stats.notes.insert(stats.notes.end(), run.notes.begin(), run.notes.end());
  run.notes.clear();
  if (!planned) return planned;
  const signer::KeyPlan& plan = run.keys->plan;
  stats.key_events = plan.actions;
  stats.owner_actions = plan.owner_actions;
  stats.next_key_event_at = plan.next_action_at;
  stats.next_key_event = plan.next_action;
  return ok();
}

Result<void> start_skr_run(const SignOptions& o, NameView origin, KeyRun& run, KeyPlan& plan,
                           std::vector<signer::SkrRecord>& records, Stats& stats) {
  const signer::SignRunRequest request = run_request(o, origin);
  auto skr = signer::plan_skr_run(request, o.skr, run);
  if (!skr) return fail(skr.error());
  plan.zsks = {std::move(skr->zsk)};
  plan.params.signer = origin;
  plan.params.inception = static_cast<uint32_t>(o.inception);
  plan.params.expiration = static_cast<uint32_t>(o.expiration);
  records = std::move(skr->records);
  stats.notes.push_back(std::move(skr->note));
  return ok();
}

KeyPlan key_plan_of(const KeyRun& run, const SignOptions& options, NameView origin,
                    uint32_t dnskey_ttl) {
  const signer::PreparedKeys& k = *run.keys;
  KeyPlan plan;
  plan.dnskeys = k.dnskey_rdata;
  plan.cds_keys = k.cds_dnskey_rdata;
  plan.cds_delete = k.plan.cds_delete;
  plan.ksks = k.dnskey_signers;
  if (k.plan.can_sign) plan.zsks = k.zone_signers;
  for (const signer::KeyRef& r : k.plan.retired_zone_signers) {
    plan.retired_zsks.push_back({r.tag, r.algorithm});
  }
  if (!plan.ksks.empty()) {
    // RFC 6840 s5.11 / RFC 4035 s2.2: the DNSKEY RRset must be signed with every algorithm in
    // it; a ZSK whose algorithm has no KSK signs it too, unless the algorithm is not in it: a ZSK
    // withdrawn at the end of an algorithm rollover (RFC 6781 s4.1.4 "DNSKEY removal": the
    // DNSKEY RRset is signed by the new KSK only).
    for (const auto& z : std::vector<signer::Key>(plan.zsks)) {
      const bool covered = std::any_of(plan.ksks.begin(), plan.ksks.end(), [&](const auto& x) {
        return x.algorithm() == z.algorithm();
      });
      const bool in_rrset =
          std::any_of(plan.dnskeys.begin(), plan.dnskeys.end(),
                      [&](const auto& d) { return d.size() > 3 && d[3] == z.algorithm(); });
      if (!covered && in_rrset) plan.ksks.push_back(z);
    }
  }
  plan.dnskey_signers = plan.ksks;
  if (options.dnskey_signed_by_all) {
    // --dnskey-signers all: every active key signs the DNSKEY RRset (the ZSKs too).
    for (const auto& z : plan.zsks) {
      const bool already =
          std::any_of(plan.dnskey_signers.begin(), plan.dnskey_signers.end(), [&](const auto& x) {
            return x.algorithm() == z.algorithm() && x.tag() == z.tag() &&
                   std::equal(x.dnskey_rdata().begin(), x.dnskey_rdata().end(),
                              z.dnskey_rdata().begin(), z.dnskey_rdata().end());
          });
      if (!already) plan.dnskey_signers.push_back(z);
    }
  }
  plan.params.signer = origin;
  plan.params.inception = static_cast<uint32_t>(options.inception);
  plan.params.expiration = static_cast<uint32_t>(options.expiration);
  plan.dnskey_ttl = dnskey_ttl;
  return plan;
}

std::vector<std::vector<uint8_t>> unpublished_signers(const KeyPlan& keys) {
  std::vector<std::vector<uint8_t>> out;
  for (const auto* set : {&keys.ksks, &keys.zsks, &keys.dnskey_signers}) {
    for (const signer::Key& k : *set) {
      const auto rd = k.dnskey_rdata();
      auto same = [&](const std::vector<uint8_t>& d) {
        return std::equal(d.begin(), d.end(), rd.begin(), rd.end());
      };
      if (std::none_of(keys.dnskeys.begin(), keys.dnskeys.end(), same) &&
          std::none_of(out.begin(), out.end(), same)) {
        out.emplace_back(rd.begin(), rd.end());
      }
    }
  }
  return out;
}

Result<void> add_key_records(ZoneStore& store, const Owner* apex, const KeyPlan& keys, bool cds,
                             const Nsec3Options& nsec3, uint32_t chain_ttl) {
  for (RR& rr : store.rrs) {
    if (owner_compare(rr.owner, apex) != 0) break;  // the apex is the first owner
    if (rr.type == rrtype::DNSKEY) rr.ttl = keys.dnskey_ttl;
  }
  std::vector<RR> added;
  for (const auto& rd : keys.dnskeys) {
    added.push_back(make_rr(store, apex, rrtype::DNSKEY, keys.dnskey_ttl, rd));
  }
  if (cds && keys.cds_delete) {
    // RFC 8078 s4: the parent is asked to remove the DS RRset.
    added.push_back(make_rr(store, apex, rrtype::CDS, keys.dnskey_ttl, signer::kCdsDeleteRdata));
    added.push_back(
        make_rr(store, apex, rrtype::CDNSKEY, keys.dnskey_ttl, signer::kCdnskeyDeleteRdata));
  } else if (cds) {
    for (const auto& rd : keys.cds_keys) {
      // RFC 7344 s4 / RFC 8078: CDS with SHA-256 (RFC 8624: MUST), CDNSKEY the key itself.
      auto ds = signer::ds_rdata(store.origin.view(), rd, signer::digest::SHA256);
      if (!ds) return fail(ds.error());
      added.push_back(make_rr(store, apex, rrtype::CDS, keys.dnskey_ttl, *ds));
      added.push_back(make_rr(store, apex, rrtype::CDNSKEY, keys.dnskey_ttl, rd));
    }
  }
  if (nsec3.enabled) {
    // RFC 5155 s4.1.2: flags 0 in NSEC3PARAM (opt-out lives in the NSEC3 records only).
    std::vector<uint8_t> rd = {1, 0, static_cast<uint8_t>(nsec3.iterations >> 8),
                               static_cast<uint8_t>(nsec3.iterations),
                               static_cast<uint8_t>(nsec3.salt.size())};
    rd.insert(rd.end(), nsec3.salt.begin(), nsec3.salt.end());
    added.push_back(make_rr(store, apex, rrtype::NSEC3PARAM, chain_ttl, rd));
  }
  store.rrs.insert(store.rrs.end(), added.begin(), added.end());
  return ok();
}

Result<std::string> ds_text(const ZoneStore& store, const KeyPlan& keys) {
  std::string out;
  for (const auto& rd : keys.dnskeys) {
    if (!is_sep(rd)) continue;
    auto ds = signer::ds_rdata(store.origin.view(), rd, signer::digest::SHA256);
    if (!ds) return fail(ds.error());
    emit::append_rr(out, store.origin.view(), keys.dnskey_ttl, store.rclass, rrtype::DS, *ds);
  }
  return out;
}

}  // namespace zk::pipeline::detail
