// Stage: keys -> DNSKEY, CDS, CDNSKEY and NSEC3PARAM records.
#include "pipeline/detail/keys.hpp"

#include <algorithm>
#include <set>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"

namespace zk::pipeline::detail {

namespace {

bool published(const signer::Key& k, int64_t now) {
  const auto& t = k.timing;
  if (t.publish && *t.publish > now && !(t.activate && *t.activate <= now)) return false;
  if (t.remove && *t.remove <= now) return false;
  return true;
}

bool active(const signer::Key& k, int64_t now) {
  const auto& t = k.timing;
  if (t.activate && *t.activate > now) return false;
  if (t.inactive && *t.inactive <= now) return false;
  return published(k, now);
}

RR make_rr(ZoneStore& store, const Owner* owner, uint16_t type, uint32_t ttl,
           std::span<const uint8_t> rdata) {
  const uint8_t* p = store.arena().copy(rdata.data(), rdata.size());
  return RR{owner, p, ttl, type, static_cast<uint16_t>(rdata.size())};
}

}  // namespace

Result<KeyPlan> prepare_keys(const SignOptions& options, NameView origin, Diagnostics& diag,
                             Stats& stats) {
  const std::string origin_text = name_to_string(origin);
  std::vector<Error> problems;
  auto loaded = signer::load_key_dir(options.key_dir, origin, &problems);
  if (!loaded) return fail(loaded.error());
  for (auto& p : problems) diag.warning(std::move(p));

  KeyPlan plan;
  const int64_t now = options.now;
  for (const signer::Key& k : *loaded) {
    if (!k.has_private() || !signer::algorithm_can_sign(k.algorithm())) continue;
    if (!published(k, now)) continue;
    plan.published.push_back(k);
    if (!active(k, now)) continue;
    (k.is_ksk() ? plan.ksks : plan.zsks).push_back(k);
  }
  if (plan.ksks.empty()) {
    return fail(Errc::KeyActionNeeded, "no active KSK for " + origin_text + " in " +
                                           options.key_dir +
                                           "; create one with: zonekiln keygen --origin " +
                                           origin_text + " --keys " + options.key_dir + " --ksk");
  }
  if (options.csk) {
    plan.zsks = plan.ksks;
  } else {
    std::set<uint8_t> algorithms;
    for (const auto& k : plan.ksks) algorithms.insert(k.algorithm());
    for (uint8_t alg : algorithms) {
      const bool has_zsk = std::any_of(plan.zsks.begin(), plan.zsks.end(),
                                       [&](const signer::Key& z) { return z.algorithm() == alg; });
      if (has_zsk) continue;
      auto zsk = signer::generate_key(alg, false);
      if (!zsk) return fail(zsk.error());
      auto base = signer::write_key_files(*zsk, origin, options.key_dir, now);
      if (!base) return fail(base.error());
      stats.notes.push_back("created ZSK " + *base + " (no ZSK of algorithm " +
                            signer::algorithm_name(alg) + " in " + options.key_dir + ")");
      plan.zsks.push_back(*zsk);
      plan.published.push_back(*zsk);
    }
  }
  // RFC 6840 s5.11 / RFC 4035 s2.2: the DNSKEY RRset must be signed with every algorithm in
  // it; a ZSK whose algorithm has no KSK signs it too.
  for (const auto& z : std::vector<signer::Key>(plan.zsks)) {
    const bool covered = std::any_of(plan.ksks.begin(), plan.ksks.end(), [&](const signer::Key& k) {
      return k.algorithm() == z.algorithm();
    });
    if (!covered) plan.ksks.push_back(z);
  }
  plan.params.signer = origin;
  plan.params.inception = static_cast<uint32_t>(options.inception);
  plan.params.expiration = static_cast<uint32_t>(options.expiration);
  return plan;
}

Result<void> add_key_records(ZoneStore& store, const Owner* apex, const KeyPlan& keys, bool cds,
                             const Nsec3Options& nsec3, uint32_t chain_ttl) {
  for (RR& rr : store.rrs) {
    if (owner_compare(rr.owner, apex) != 0) break;  // the apex is the first owner
    if (rr.type == rrtype::DNSKEY) rr.ttl = keys.dnskey_ttl;
  }
  std::vector<RR> added;
  for (const auto& key : keys.published) {
    added.push_back(make_rr(store, apex, rrtype::DNSKEY, keys.dnskey_ttl, key.dnskey_rdata()));
  }
  if (cds) {
    for (const auto& key : keys.ksks) {
      // RFC 7344 s4 / RFC 8078: CDS with SHA-256 (RFC 8624: MUST), CDNSKEY the key itself.
      auto ds = signer::ds_rdata(store.origin.view(), key.dnskey_rdata(), signer::digest::SHA256);
      if (!ds) return fail(ds.error());
      added.push_back(make_rr(store, apex, rrtype::CDS, keys.dnskey_ttl, *ds));
      added.push_back(make_rr(store, apex, rrtype::CDNSKEY, keys.dnskey_ttl, key.dnskey_rdata()));
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
  for (const auto& key : keys.ksks) {
    auto ds = signer::ds_rdata(store.origin.view(), key.dnskey_rdata(), signer::digest::SHA256);
    if (!ds) return fail(ds.error());
    emit::append_rr(out, store.origin.view(), keys.dnskey_ttl, store.rclass, rrtype::DS, *ds);
  }
  return out;
}

}  // namespace zk::pipeline::detail
