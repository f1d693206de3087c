// Walks a zone's keys through months of simulated nightly runs with a controllable clock and
// checks the safety invariants after every night.
#include "signer/lifecycle/policy.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "dns/timeparse.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/ksk.hpp"

using namespace zk::signer;

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kStart = 1'790'000'000;  // a fixed "now" for night 0, never the wall clock

struct KeyId {
  uint8_t alg;
  uint16_t tag;
  bool operator<(const KeyId& o) const { return alg != o.alg ? alg < o.alg : tag < o.tag; }
};

// One simulated signer deployment: the state as committed after each successful night.
struct Sim {
  Policy policy;
  ZoneKeyState zone;
  int64_t now = kStart;
  uint16_t next_tag = 1000;
  std::set<KeyId> broken;                   // keys whose files are "deleted"
  std::map<KeyId, int64_t> last_signed;     // last night the key signed zone data
  std::map<KeyId, int64_t> published_seen;  // first night it appeared in the DNSKEY RRset
  std::set<uint8_t> ever_signed_algs;
  std::set<KeyId> stopped;                      // keys that signed once and then stopped
  std::map<uint8_t, bool> unpublished_signing;  // algorithms seen signing before publication
  int rollovers = 0;
  KeyPlan last;

  Sim() {
    zone.origin = "example.com.";
    // As the sign run sets them for a zone whose largest TTL is one day.
    policy.max_zone_ttl = 86400;
    policy.sig_validity = 14 * kDay;
    policy.sig_refresh = 7 * kDay;
  }

  KeyPlan night() {
    std::vector<KeyProblem> problems;
    for (const auto& k : zone.keys) {
      if (broken.count({k.algorithm, k.tag})) problems.push_back({k.tag, k.algorithm, "missing"});
    }
    KeyPlan plan = plan_keys(now, policy, zone, problems);
    std::vector<std::string> actions = plan.actions;
    for (int guard = 0; !plan.new_zsk_algorithms.empty(); ++guard) {
      REQUIRE(guard < 3);
      for (uint8_t alg : plan.new_zsk_algorithms) {
        const uint16_t tag = next_tag++;
        add_zsk(plan.state, tag, alg,
                "Kexample.com.+0" + std::to_string(alg) + "+" + std::to_string(tag),
                "ZSK" + std::to_string(tag), now);
      }
      plan = plan_keys(now, policy, plan.state, problems);
      actions.insert(actions.end(), plan.actions.begin(), plan.actions.end());
    }
    plan.actions = actions;
    check_invariants(plan);
    zone = plan.state;
    last = plan;
    now += kDay;
    return plan;
  }

  void check_invariants(const KeyPlan& plan) {
    INFO("night at +" << (now - kStart) / kDay << "d");
    auto in = [](const std::vector<KeyRef>& v, const KeyRef& r) {
      for (const auto& x : v) {
        if (x.tag == r.tag && x.algorithm == r.algorithm) return true;
      }
      return false;
    };
    for (const auto& r : plan.publish) published_seen.emplace(KeyId{r.algorithm, r.tag}, now);
    // No active signing key that is not published (long enough).
    for (const auto& s : plan.zone_signers) {
      const KeyRecord* k = plan.state.find_key(s.tag, s.algorithm);
      REQUIRE(k != nullptr);
      if (!in(plan.publish, s) && k->signs_unpublished()) {
        // An algorithm rollover's first step (RFC 6781 s4.1.4 new RRSIGs): the new algorithm
        // signs before any DNSKEY of it is published, its KSK signing the DNSKEY RRset.
        for (const auto& r : plan.publish) CHECK(r.algorithm != s.algorithm);
        bool alg_has_ksk = false;
        for (const auto& r : plan.dnskey_signers) alg_has_ksk |= r.algorithm == s.algorithm;
        CHECK(alg_has_ksk);
        unpublished_signing[s.algorithm] = true;
        last_signed[{s.algorithm, s.tag}] = now;
        ever_signed_algs.insert(s.algorithm);
        continue;
      }
      if (!in(plan.publish, s)) {
        // Only while an old algorithm's DNSKEYs are withdrawn ahead of its RRSIGs (RFC 6781
        // s4.1.4), for at most DNSKEY TTL + propagation (+ one run interval of lateness).
        REQUIRE(k->removed);
        CHECK(now < *k->removed + zsk_publish_interval(policy) + policy.run_interval);
        bool alg_has_ksk = false;
        for (const auto& r : plan.dnskey_signers) alg_has_ksk |= r.algorithm == s.algorithm;
        CHECK_FALSE(alg_has_ksk);
      }
      REQUIRE((k->published || k->signs_unpublished_since));  // unpublished: an aborted roll
      if (ever_signed_algs.count(s.algorithm)) {
        // Not the first ZSK of its algorithm: published for at least Ipub before signing.
        if (last_signed.count({s.algorithm, s.tag}) == 0) {
          CHECK(*k->published + zsk_publish_interval(policy) <= now);
          CHECK(published_seen.at({s.algorithm, s.tag}) < now);
        }
      }
      ever_signed_algs.insert(s.algorithm);
      if (stopped.count({s.algorithm, s.tag}))
        FAIL("key " << s.tag << " signs again after retiring");
      last_signed[{s.algorithm, s.tag}] = now;
    }
    for (const auto& [id, when] : last_signed) {
      if (when != now) stopped.insert(id);
    }
    for (const auto& s : plan.dnskey_signers) {
      const KeyRecord* k = plan.state.find_key(s.tag, s.algorithm);
      REQUIRE(k != nullptr);
      REQUIRE((in(plan.publish, s) || k->signs_unpublished()));
    }
    // A new algorithm's DNSKEYs are published only once its signatures have been on every
    // RRset for max TTL + propagation (RFC 6781 s4.1.4), all of them in the same run.
    for (const auto& k : plan.state.keys) {
      if (!k.signs_unpublished_since || !k.published || k.is_removed()) continue;
      const auto since = algorithm_signing_since(plan.state, k.algorithm);
      REQUIRE(since);
      CHECK(*k.published >= *since + algorithm_settle_time(policy));
      for (const auto& o : plan.state.keys) {
        if (o.algorithm == k.algorithm && o.signs_unpublished_since && !o.is_removed())
          CHECK(o.published == k.published);
      }
    }
    // CDS/CDNSKEY name only published keys (RFC 7344 s4.1).
    for (const auto& c : plan.cds) CHECK(in(plan.publish, c));
    // No key removed while its signatures may be cached.
    for (const auto& k : plan.state.keys) {
      if (k.role != KeyRole::ZSK || !k.removed || !k.retired) continue;
      // Withdrawn before it stopped signing: the end of an algorithm rollover, where the other
      // algorithm has signed everything for max TTL + propagation (ksk_deactivate enforces it).
      if (*k.removed <= *k.retired) continue;
      REQUIRE_FALSE(in(plan.publish, KeyRef{k.tag, k.algorithm, k.role, k.source, k.dnskey}));
      auto it = last_signed.find({k.algorithm, k.tag});
      if (it != last_signed.end()) {
        CHECK(*k.removed >= it->second + zsk_retire_interval(policy));
      }
    }
    // At most two KSKs.
    CHECK(plan.state.ksk_count() <= kMaxKsks);
    // A signing zone has one signer per published algorithm.
    if (plan.can_sign) {
      std::set<uint8_t> pub_algs, sign_algs;
      for (const auto& r : plan.publish) pub_algs.insert(r.algorithm);
      for (const auto& r : plan.zone_signers) sign_algs.insert(r.algorithm);
      // RFC 4035 s2.2: every algorithm in the DNSKEY RRset signs the zone.
      CHECK(std::includes(sign_algs.begin(), sign_algs.end(), pub_algs.begin(), pub_algs.end()));
    }
    for (const auto& a : plan.actions) {
      if (a.find("active;") != std::string::npos) ++rollovers;
    }
  }

  void add_ksk(uint16_t tag, uint8_t alg = 13, RollMethod roll = RollMethod::DoubleRrset) {
    REQUIRE(ksk_register(zone, policy, tag, alg, "Kexample.com.+013+" + std::to_string(tag),
                         "KSK" + std::to_string(tag), now, roll)
                .has_value());
  }
};

std::vector<DsRecord> ds_set(std::initializer_list<std::pair<uint16_t, uint8_t>> keys) {
  std::vector<DsRecord> out;
  for (auto [tag, alg] : keys) out.push_back(DsRecord{"example.com.", tag, alg, 2, "AB"});
  return out;
}

const KeyRef* find_ref(const std::vector<KeyRef>& v, uint16_t tag) {
  for (const auto& r : v) {
    if (r.tag == tag) return &r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("timing check refuses values that cannot work together", "[lifecycle]") {
  Policy ok;  // the defaults fit the default clamp, with the TTL unknown
  CHECK(check_timing(ok).has_value());
  CHECK(effective_max_ttl(ok) == 604800);

  // The real outage: an 864000 s TTL outlived a 7-day refresh cycle.
  Policy outage;
  outage.max_zone_ttl = 864000;
  outage.ttl_clamp = 864000;
  outage.sig_refresh = 7 * kDay;  // the 7-day refresh cycle of the outage
  auto r = check_timing(outage);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == zk::Errc::Usage);
  // The default clamp (604800) with a 7-day refresh is refused too: no room for a missed run.
  Policy clamp_default;
  clamp_default.max_zone_ttl = 864000;
  clamp_default.sig_refresh = 7 * kDay;
  CHECK_FALSE(check_timing(clamp_default).has_value());
  // Clamping to one day makes the same zone work.
  Policy clamped = outage;
  clamped.ttl_clamp = 86400;
  CHECK(check_timing(clamped).has_value());

  // The spread: at most validity - refresh (21d - 9d1h), or a new RRSIG is due when made.
  Policy spread;
  spread.sig_spread = 13 * kDay;
  CHECK(check_timing(spread).error().code == zk::Errc::Usage);
  CHECK(check_timing(spread).error().detail.find("spread") != std::string::npos);
  spread.sig_spread = 21 * kDay - (9 * kDay + 3600);
  CHECK(check_timing(spread).has_value());
  CHECK(resolved_spread(Policy{}) == 21 * kDay - (9 * kDay + 3600));

  // A missed run: after one run every RRSIG has the refresh window left, and it must still be
  // valid, in every cache, when the run after the missed one has replaced it. With one-hour
  // TTLs, 1d 3h passes the one-run rule of earlier versions (TTL + propagation + run interval)
  // but an RRSIG due at the missed run expires 21 hours before the next run: refused.
  Policy missed;
  missed.max_zone_ttl = 3600;
  missed.sig_refresh = kDay + 3 * 3600;
  auto m = check_timing(missed);
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().detail.find("2 x run interval") != std::string::npos);
  missed.sig_refresh = 2 * kDay + 2 * 3600;  // 2 run intervals + TTL + propagation
  CHECK(check_timing(missed).has_value());
  missed.run_interval = 2 * kDay;  // a run every other day needs two more days
  CHECK_FALSE(check_timing(missed).has_value());

  // Each out-of-range value is named, not a list of everything that could be wrong.
  Policy zero_validity;
  zero_validity.sig_validity = -5;
  CHECK(check_timing(zero_validity).error().detail.rfind("signature validity must be", 0) == 0);
  Policy zero_run;
  zero_run.run_interval = 0;
  CHECK(check_timing(zero_run).error().detail.rfind("run interval must be", 0) == 0);
  Policy short_life;
  short_life.zsk_lifetime = 10 * kDay;
  CHECK(check_timing(short_life).error().code == zk::Errc::Usage);
  Policy big_dnskey_ttl;
  big_dnskey_ttl.ttl_clamp = 3600;
  big_dnskey_ttl.dnskey_ttl = 7200;
  big_dnskey_ttl.sig_refresh = 5 * kDay;
  CHECK(check_timing(big_dnskey_ttl).error().code == zk::Errc::Usage);
}

TEST_CASE("months of nightly runs: ZSK rollovers, missed week, KSK rollover, lost KSK file",
          "[lifecycle]") {
  Sim sim;
  REQUIRE(check_timing(sim.policy).has_value());

  // Night 0: no KSK yet -> ACTION_NEEDED, nothing can be signed.
  KeyPlan p = sim.night();
  CHECK(p.state.state == ZoneState::ActionNeeded);
  CHECK_FALSE(p.can_sign);

  // The owner adds and activates KSK 100; the first ZSK is created, published and active.
  sim.add_ksk(100);
  REQUIRE(ksk_activate(sim.zone, 100, sim.now).has_value());
  p = sim.night();
  CHECK(p.state.state == ZoneState::Signing);
  REQUIRE(p.can_sign);
  REQUIRE(p.zone_signers.size() == 1);
  const uint16_t zsk1 = p.zone_signers[0].tag;
  CHECK(p.dnskey_signers.size() == 1);
  REQUIRE(p.cds.size() == 1);
  CHECK(p.cds[0].tag == 100);
  CHECK_FALSE(p.owner_actions.empty());  // "have the parent publish its DS"
  REQUIRE(p.next_action_at.has_value());

  sim.night();
  REQUIRE(ksk_ds_seen(sim.zone, sim.policy, 100, sim.now).has_value());
  p = sim.night();
  CHECK(p.owner_actions.empty());

  // Nightly until day 84, then a missed week right across the first rollover's dates.
  while (sim.now < kStart + 84 * kDay) sim.night();
  CHECK(sim.last.zone_signers[0].tag == zsk1);
  sim.now += 8 * kDay;  // cron did not run for 8 nights (the first rollover was due on day 91)
  p = sim.night();      // catch-up night: successor created and published, NOT yet active
  REQUIRE(p.zone_signers.size() == 1);
  CHECK(p.zone_signers[0].tag == zsk1);
  CHECK(p.publish.size() == 3);
  p = sim.night();  // next night: published long enough, so it takes over
  REQUIRE(p.zone_signers.size() == 1);
  const uint16_t zsk2 = p.zone_signers[0].tag;
  CHECK(zsk2 != zsk1);
  CHECK(find_ref(p.publish, zsk1) != nullptr);  // old ZSK still published (retired)
  CHECK(sim.rollovers == 1);

  // KSK double-DS rollover starting on day 110.
  while (sim.now < kStart + 110 * kDay) sim.night();
  CHECK(find_ref(sim.last.publish, zsk1) == nullptr);  // old ZSK removed by now
  sim.add_ksk(200);
  // A third KSK is refused while two exist.
  CHECK(ksk_register(sim.zone, sim.policy, 300, 13, "K300", "x", sim.now).error().code ==
        zk::Errc::Usage);
  REQUIRE(ksk_activate(sim.zone, 200, sim.now).has_value());
  p = sim.night();
  CHECK(p.dnskey_signers.size() == 2);
  CHECK(p.cds.size() == 2);  // ask the parent to add the new DS
  // Old KSK cannot go yet: the new DS is not confirmed and the parent still points at 100.
  auto r = ksk_deactivate(sim.zone, sim.policy, 100, sim.now, nullptr);
  CHECK(r.error().code == zk::Errc::Usage);
  r = ksk_deactivate(sim.zone, sim.policy, 100, sim.now,
                     &*std::make_unique<std::vector<DsRecord>>(ds_set({{100, 13}})));
  CHECK(r.error().code == zk::Errc::Usage);
  sim.night();
  REQUIRE(ksk_ds_seen(sim.zone, sim.policy, 200, sim.now).has_value());
  p = sim.night();
  REQUIRE(p.cds.size() == 1);  // only the new KSK: tells the parent to drop the old DS
  CHECK(p.cds[0].tag == 200);
  CHECK_FALSE(p.owner_actions.empty());
  {
    // A removed-while-active KSK is refused.
    CHECK(ksk_remove(sim.zone, 100, sim.now).error().code == zk::Errc::Usage);
  }
  // The new DS was confirmed one night ago (DS TTL one day): the old KSK may leave the DNSKEY
  // RRset though the parent still lists its DS too (a DS without its key is only skipped).
  const auto both = ds_set({{100, 13}, {200, 13}});
  REQUIRE(ksk_deactivate(sim.zone, sim.policy, 100, sim.now, &both).has_value());
  const auto only_new = ds_set({{200, 13}});
  REQUIRE(ksk_remove(sim.zone, 100, sim.now).has_value());
  p = sim.night();
  CHECK(p.dnskey_signers.size() == 1);
  CHECK(p.dnskey_signers[0].tag == 200);
  CHECK(find_ref(p.publish, 100) == nullptr);
  CHECK(p.state.ksk_count() == 1);
  // The last KSK cannot be deactivated.
  CHECK(ksk_deactivate(sim.zone, sim.policy, 200, sim.now, &only_new).error().code ==
        zk::Errc::Usage);

  // Second ZSK rollover is due around day 185; the KSK file disappears on day 170.
  while (sim.now < kStart + 170 * kDay) sim.night();
  const auto before = sim.zone;
  sim.broken.insert({13, 200});
  for (int i = 0; i < 25; ++i) {
    p = sim.night();
    CHECK(p.state.state == ZoneState::ActionNeeded);
    CHECK(p.dnskey_frozen);
    CHECK(p.dnskey_signers.empty());
    CHECK(p.new_zsk_algorithms.empty());
    CHECK(p.zone_signers.size() == 1);
    CHECK(p.zone_signers[0].tag == zsk2);  // rollover paused: the old ZSK keeps signing
    CHECK_FALSE(p.owner_actions.empty());
    const KeyRecord* k = p.state.find_key(200, 13);
    REQUIRE(k != nullptr);
    CHECK(k->owner_state == OwnerState::ActionNeeded);
    CHECK(k->owner_state_since == kStart + 170 * kDay);  // "since" does not move
  }
  CHECK(sim.zone.keys.size() == before.keys.size());  // no key created while paused
  sim.broken.clear();                                 // the owner restores the file on day 195
  p = sim.night();
  CHECK(p.state.state == ZoneState::Signing);
  CHECK(p.state.find_key(200, 13)->owner_state == OwnerState::Active);
  CHECK(p.publish.size() == 3);  // successor published first...
  CHECK(p.zone_signers[0].tag == zsk2);
  p = sim.night();
  CHECK(p.zone_signers[0].tag != zsk2);  // ...and active the night after
  CHECK(sim.rollovers == 2);
  for (int i = 0; i < 40; ++i) sim.night();
  CHECK(sim.last.publish.size() == 2);  // old ZSK removed after Iret, one KSK + one ZSK left
}

TEST_CASE("a lost active ZSK is an internal failure", "[lifecycle]") {
  Sim sim;
  sim.add_ksk(100);
  REQUIRE(ksk_activate(sim.zone, 100, sim.now).has_value());
  KeyPlan p = sim.night();
  const uint16_t zsk = p.zone_signers[0].tag;
  sim.broken.insert({13, zsk});
  std::vector<KeyProblem> problems{{zsk, 13, "missing"}};
  p = plan_keys(sim.now, sim.policy, sim.zone, problems);
  CHECK(p.state.state == ZoneState::InternalFailure);
  CHECK_FALSE(p.can_sign);
}

TEST_CASE("a broken successor ZSK is replaced, never activated", "[lifecycle]") {
  Sim sim;
  sim.policy.zsk_lifetime = 30 * kDay;
  sim.add_ksk(100);
  REQUIRE(ksk_activate(sim.zone, 100, sim.now).has_value());
  const uint16_t first = sim.night().zone_signers[0].tag;
  while (sim.zone.keys.size() < 3) sim.night();  // successor created and published
  const uint16_t successor = sim.zone.keys.back().tag;
  sim.broken.insert({13, successor});
  KeyPlan p = sim.night();
  CHECK(p.state.find_key(successor, 13)->removed);
  CHECK(p.zone_signers[0].tag == first);
  sim.broken.clear();
  for (int i = 0; i < 3; ++i) p = sim.night();
  CHECK(p.zone_signers[0].tag != first);
  CHECK(p.zone_signers[0].tag != successor);
}

TEST_CASE("double-DS KSK rollover: new DS first, the new key replaces the old, old DS after",
          "[lifecycle]") {
  Sim sim;
  sim.add_ksk(100, 13, RollMethod::DoubleDs);
  CHECK(ksk_ds_seen(sim.zone, sim.policy, 100, sim.now).error().code == zk::Errc::Usage);
  REQUIRE(ksk_activate(sim.zone, 100, sim.now).has_value());  // the first KSK: no rollover
  sim.night();
  REQUIRE(ksk_ds_seen(sim.zone, sim.policy, 100, sim.now).has_value());
  sim.night();
  sim.add_ksk(200, 13, RollMethod::DoubleDs);
  // Not published beside the old key: that would be the other method.
  auto act = ksk_activate(sim.zone, 200, sim.now);
  REQUIRE_FALSE(act.has_value());
  CHECK(act.error().detail.find("double-DS") != std::string::npos);
  KeyPlan p = sim.night();
  CHECK(p.publish.size() == 2);  // KSK 100 and the ZSK
  CHECK(p.cds.empty());          // no change asked of the parent while the owner adds the DS
  CHECK(std::any_of(p.owner_actions.begin(), p.owner_actions.end(), [](const std::string& a) {
    return a.find("ksk ds-seen") != std::string::npos && a.find("--tag 200") != std::string::npos;
  }));
  REQUIRE(ksk_ds_seen(sim.zone, sim.policy, 200, sim.now).has_value());
  const int64_t seen = sim.now;
  // Within one DS TTL (a day) of the DS being seen nothing changes: caches may hold {DS 100}.
  sim.policy.ds_ttl = 2 * kDay;
  p = sim.night();
  CHECK(find_ref(p.publish, 100) != nullptr);
  CHECK(find_ref(p.publish, 200) == nullptr);
  REQUIRE(p.next_action_at.has_value());
  CHECK(*p.next_action_at == seen + 2 * kDay);
  CHECK(p.cds.empty());
  p = sim.night();  // one day after: still the old key
  CHECK(find_ref(p.publish, 200) == nullptr);
  p = sim.night();  // two days after: KSK 200 replaces KSK 100
  CHECK(find_ref(p.publish, 200) != nullptr);
  CHECK(find_ref(p.publish, 100) == nullptr);
  REQUIRE(p.dnskey_signers.size() == 1);
  CHECK(p.dnskey_signers[0].tag == 200);
  CHECK(p.state.find_key(100, 13)->owner_state == OwnerState::Inactive);
  CHECK(p.state.find_key(100, 13)->retired == sim.now - kDay);
  CHECK(p.cds.empty());  // the old DNSKEY RRset may still be cached for DNSKEY TTL + propagation
  p = sim.night();
  REQUIRE(p.cds.size() == 1);  // now only the new key: the parent may drop DS 100
  CHECK(p.cds[0].tag == 200);
  CHECK(std::any_of(p.owner_actions.begin(), p.owner_actions.end(), [](const std::string& a) {
    return a.find("ksk remove") != std::string::npos && a.find("--tag 100") != std::string::npos;
  }));
  REQUIRE(ksk_remove(sim.zone, 100, sim.now).has_value());
  p = sim.night();
  CHECK(p.owner_actions.empty());
  CHECK(p.state.ksk_count() == 1);
}

TEST_CASE("double-DS is refused where a swap would break validation", "[lifecycle]") {
  Sim sim;
  sim.add_ksk(100);
  REQUIRE(ksk_activate(sim.zone, 100, sim.now).has_value());
  sim.night();
  // Another algorithm: an algorithm rollover publishes the new keys beside the old ones.
  auto r = ksk_register(sim.zone, sim.policy, 150, 15, "K150", "x", sim.now, RollMethod::DoubleDs);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().detail.find("double-rrset") != std::string::npos);
  // A double-DS key whose DS is not confirmed never swaps in, however long it waits.
  sim.add_ksk(200, 13, RollMethod::DoubleDs);
  for (int i = 0; i < 10; ++i) CHECK(find_ref(sim.night().publish, 200) == nullptr);
}

TEST_CASE("KSK safety rules and algorithm rollover order", "[lifecycle]") {
  Sim sim;
  sim.add_ksk(100);
  CHECK(ksk_activate(sim.zone, 100, sim.now).has_value());
  CHECK(ksk_activate(sim.zone, 100, sim.now).error().code == zk::Errc::Usage);  // twice
  CHECK(ksk_activate(sim.zone, 999, sim.now).error().code == zk::Errc::Usage);  // unknown
  const auto sha1 = ksk_register(sim.zone, sim.policy, 101, 5, "K", "x", sim.now);
  REQUIRE_FALSE(sha1);  // RSASHA1 not allowed unless asked for
  CHECK(sha1.error().code == zk::Errc::Usage);
  CHECK(sha1.error().detail.find("--allow-deprecated-algorithm") != std::string::npos);
  CHECK(ksk_register(sim.zone, sim.policy, 100, 13, "K", "x", sim.now).error().code ==
        zk::Errc::Usage);  // duplicate
  sim.night();
  REQUIRE(ksk_ds_seen(sim.zone, sim.policy, 100, sim.now).has_value());
  for (int i = 0; i < 3; ++i) sim.night();

  // Algorithm rollover 13 -> 15 in RFC 6781 s4.1.4 conservative order: the steps and their
  // refusals are in the tests below; here the whole roll passes the invariants of every night.
  sim.add_ksk(150, 15);
  CHECK(ksk_ds_seen(sim.zone, sim.policy, 150, sim.now).error().code == zk::Errc::Usage);
  REQUIRE(ksk_activate(sim.zone, 150, sim.now).has_value());
  KeyPlan p = sim.night();  // creates a ZSK of algorithm 15: both sign, neither is published
  REQUIRE(p.zone_signers.size() == 2);
  CHECK(p.can_sign);
  for (const auto& r : p.publish) CHECK(r.algorithm == 13);
  sim.night();
  p = sim.night();  // max TTL (1 day) + propagation after the first night: published
  CHECK(find_ref(p.publish, 150) != nullptr);
  sim.now += 2 * 3600;  // DNSKEY TTL + propagation
  REQUIRE(ksk_ds_seen(sim.zone, sim.policy, 150, sim.now).has_value());
  sim.now += kDay;
  const auto new_only = ds_set({{150, 15}});
  REQUIRE(ksk_deactivate(sim.zone, sim.policy, 100, sim.now, &new_only).has_value());
  p = sim.night();
  // RFC 6781 s4.1.4: algorithm 13's DNSKEYs leave the RRset first, its RRSIGs stay one more
  // DNSKEY TTL + propagation, then only algorithm 15 signs.
  REQUIRE(p.zone_signers.size() == 2);
  for (const auto& r : p.publish) CHECK(r.algorithm == 15);
  CHECK(p.can_sign);
  p = sim.night();
  REQUIRE(p.zone_signers.size() == 1);
  CHECK(p.zone_signers[0].algorithm == 15);
  for (int i = 0; i < 20; ++i) p = sim.night();
  for (const auto& r : p.publish) CHECK(r.algorithm == 15);
}

namespace {

// A zone signed with algorithm 8 (KSK 800, DS seen) whose owner has added and activated KSK 1300
// of algorithm 13; the night of the activation has run. Max TTL 1 day, DNSKEY TTL and
// propagation 1 hour each: algorithm 13 may be published from activation + 1 day + 1 hour.
struct AlgRoll {
  Sim sim;
  int64_t activated = 0;
  AlgRoll() {
    sim.add_ksk(800, 8);
    REQUIRE(ksk_activate(sim.zone, 800, sim.now).has_value());
    sim.night();
    REQUIRE(ksk_ds_seen(sim.zone, sim.policy, 800, sim.now).has_value());
    for (int i = 0; i < 3; ++i) sim.night();
    sim.add_ksk(1300, 13);
    activated = sim.now;
    REQUIRE(ksk_activate(sim.zone, 1300, sim.now).has_value());
    sim.night();
  }
  const KeyRecord& key(uint16_t tag) const {
    const KeyRecord* k = sim.zone.find_key(tag);
    REQUIRE(k != nullptr);
    return *k;
  }
  const KeyRecord& zsk(uint8_t alg) const {
    for (const auto& k : sim.zone.keys) {
      if (k.role == KeyRole::ZSK && k.algorithm == alg && !k.is_removed()) return k;
    }
    FAIL("no ZSK of algorithm " << int(alg));
    return sim.zone.keys.front();
  }
};

bool has_alg(const std::vector<KeyRef>& v, uint8_t alg) {
  return std::any_of(v.begin(), v.end(), [&](const KeyRef& r) { return r.algorithm == alg; });
}

std::string refusal(const zk::Result<void>& r) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == zk::Errc::Usage);
  return r.error().detail;
}

}  // namespace

TEST_CASE("algorithm rollover step 1: the new algorithm signs before its DNSKEYs are published",
          "[lifecycle][algroll]") {
  AlgRoll t;
  const KeyPlan& p = t.sim.last;
  // Every RRset is signed with both algorithms; the DNSKEY RRset by both KSKs.
  CHECK(has_alg(p.zone_signers, 8));
  CHECK(has_alg(p.zone_signers, 13));
  CHECK(has_alg(p.dnskey_signers, 8));
  CHECK(has_alg(p.dnskey_signers, 13));
  CHECK(p.can_sign);
  // ... but the DNSKEY RRset holds only algorithm 8, and CDS/CDNSKEY name only its KSK.
  CHECK_FALSE(has_alg(p.publish, 13));
  CHECK(has_alg(p.publish, 8));
  REQUIRE(p.cds.size() == 1);
  CHECK(p.cds[0].tag == 800);
  // The state records the phase and since when.
  CHECK(t.key(1300).signs_unpublished());
  CHECK(t.key(1300).signs_unpublished_since == t.activated);
  CHECK(t.zsk(13).signs_unpublished());
  CHECK(t.zsk(13).signs_unpublished_since == t.activated);
  CHECK(key_phase(t.key(1300)) == "signing-unpublished");
  CHECK(key_phase(t.zsk(13)) == "signing-unpublished");
  CHECK(key_phase(t.key(800)) == "active");
  REQUIRE(p.next_action_at);
  CHECK(*p.next_action_at == t.activated + kDay + 3600);
  CHECK(p.next_action.find("publish the DNSKEYs of algorithm 13") != std::string::npos);
  CHECK(p.state.state == ZoneState::Signing);
}

TEST_CASE("algorithm rollover step 2: DNSKEYs published max TTL + propagation later, not before",
          "[lifecycle][algroll]") {
  AlgRoll t;
  // A run one second early (a run interval shorter than the wait) publishes nothing.
  const KeyPlan early = plan_keys(t.activated + kDay + 3600 - 1, t.sim.policy, t.sim.zone, {});
  CHECK_FALSE(has_alg(early.publish, 13));
  CHECK(early.state.find_key(1300)->signs_unpublished());
  t.sim.now = t.activated + kDay + 3600;
  KeyPlan p = t.sim.night();
  CHECK(find_ref(p.publish, 1300) != nullptr);
  CHECK(find_ref(p.publish, t.zsk(13).tag) != nullptr);
  CHECK(t.key(1300).published == t.activated + kDay + 3600);
  CHECK(t.zsk(13).published == t.activated + kDay + 3600);
  CHECK(key_phase(t.key(1300)) == "active");
  // CDS/CDNSKEY still name only the old KSK: the new DNSKEY RRset is not in every cache yet.
  REQUIRE(p.cds.size() == 1);
  CHECK(p.cds[0].tag == 800);
  REQUIRE(p.next_action_at);
  CHECK(*p.next_action_at == t.activated + kDay + 3600 + 2 * 3600);
  // A missed week catches up in one run: published at that run, never earlier.
  AlgRoll late;
  late.sim.now = late.activated + 7 * kDay;
  p = late.sim.night();
  CHECK(late.key(1300).published == late.activated + 7 * kDay);
}

TEST_CASE("algorithm rollover step 3: the new DS only once the new DNSKEYs are in every cache",
          "[lifecycle][algroll]") {
  AlgRoll t;
  // Not published yet: refused, whatever the time.
  std::string why = refusal(ksk_ds_seen(t.sim.zone, t.sim.policy, 1300, t.activated + kDay));
  CHECK(why.find("RFC 6781 s4.1.4") != std::string::npos);
  CHECK(why.find("not published yet") != std::string::npos);
  CHECK(why.find("Remove the new DS") != std::string::npos);
  const int64_t published = t.activated + kDay + 3600;
  t.sim.now = published;
  t.sim.night();
  // Published, but caches may hold the DNSKEY RRset without it for DNSKEY TTL + propagation.
  why = refusal(ksk_ds_seen(t.sim.zone, t.sim.policy, 1300, published + 2 * 3600 - 1));
  CHECK(why.find("until " + zk::time_to_iso(published + 2 * 3600)) != std::string::npos);
  // CDS/CDNSKEY name the new KSK from then on too (both: the parent adds its DS).
  KeyPlan p = t.sim.night();
  CHECK(find_ref(p.cds, 1300) != nullptr);
  CHECK(find_ref(p.cds, 800) != nullptr);
  REQUIRE(ksk_ds_seen(t.sim.zone, t.sim.policy, 1300, t.sim.now).has_value());
  // Once both DS are seen, CDS/CDNSKEY name only the new KSK (the parent drops the old DS).
  p = t.sim.night();
  REQUIRE(p.cds.size() == 1);
  CHECK(p.cds[0].tag == 1300);
}

TEST_CASE("algorithm rollover step 4: the old KSK goes after the DS swap, its RRSIGs later",
          "[lifecycle][algroll]") {
  AlgRoll t;
  const int64_t published = t.activated + kDay + 3600;
  // While the new KSK signs unpublished, dropping the old one is refused (nothing to validate
  // the new signatures with).
  std::string why = refusal(ksk_deactivate(t.sim.zone, t.sim.policy, 800, t.sim.now, nullptr));
  CHECK(why.find("not published yet") != std::string::npos);
  t.sim.now = published;
  t.sim.night();
  t.sim.night();
  const int64_t seen = t.sim.now;
  REQUIRE(ksk_ds_seen(t.sim.zone, t.sim.policy, 1300, seen).has_value());
  const auto both = ds_set({{800, 8}, {1300, 13}});
  const auto new_only = ds_set({{1300, 13}});
  // One DS TTL after the new DS was seen; the parent must have dropped the old algorithm's DS.
  why = refusal(ksk_deactivate(t.sim.zone, t.sim.policy, 800, seen + kDay - 1, &new_only));
  CHECK(why.find("DS TTL") != std::string::npos);
  why = refusal(ksk_deactivate(t.sim.zone, t.sim.policy, 800, seen + kDay, &both));
  CHECK(why.find("still serves a DS of algorithm 8") != std::string::npos);
  why = refusal(ksk_deactivate(t.sim.zone, t.sim.policy, 800, seen + kDay, nullptr));
  CHECK(why.find("--parent-ds") != std::string::npos);
  t.sim.now = seen + kDay;
  REQUIRE(ksk_deactivate(t.sim.zone, t.sim.policy, 800, t.sim.now, &new_only).has_value());
  // Step 5: the old DNSKEYs leave; its ZSK keeps signing for DNSKEY TTL + propagation (caches
  // may hold the DNSKEY RRset that lists algorithm 8 that long), then stops.
  const int64_t removed = t.sim.now;
  KeyPlan p = t.sim.night();
  CHECK_FALSE(has_alg(p.publish, 8));
  CHECK(has_alg(p.zone_signers, 8));
  CHECK_FALSE(has_alg(p.dnskey_signers, 8));
  for (const auto& c : p.cds) CHECK(c.algorithm == 13);
  CHECK(key_phase(t.zsk(13)) == "active");
  CHECK(has_alg(plan_keys(removed + 2 * 3600 - 1, t.sim.policy, t.sim.zone, {}).zone_signers, 8));
  CHECK_FALSE(has_alg(plan_keys(removed + 2 * 3600, t.sim.policy, t.sim.zone, {}).zone_signers, 8));
  p = t.sim.night();
  CHECK_FALSE(has_alg(p.zone_signers, 8));
  CHECK(p.can_sign);
  REQUIRE(ksk_remove(t.sim.zone, 800, t.sim.now).has_value());
  p = t.sim.night();
  CHECK_FALSE(has_alg(p.publish, 8));
  CHECK(p.state.state == ZoneState::Signing);
}

TEST_CASE("algorithm rollover: a state file without the new field keeps its keys published",
          "[lifecycle][algroll]") {
  // A version 2 state written before signs_unpublished_since existed, in the middle of a roll
  // started the old way (both algorithms published at activation): nothing is withdrawn.
  AlgRoll t;
  t.sim.now = t.activated + kDay + 3600;
  t.sim.night();
  for (auto& k : t.sim.zone.keys) k.dnskey.clear();  // the simulation's are not DNSKEY RDATA
  std::string json = zone_state_to_json(t.sim.zone);
  const std::string field = "\"signs_unpublished_since\":";
  for (size_t at; (at = json.find(field)) != std::string::npos;) {
    const size_t end = json.find_first_of(",}", at);
    if (json[end] == ',') {
      json.erase(at, end - at + 1);
    } else {
      json.erase(at - 1, end - at + 1);  // the last member: its leading comma goes
    }
  }
  REQUIRE(json.find("signs_unpublished_since") == std::string::npos);
  auto back = zone_state_from_json(json);
  INFO(json);
  REQUIRE(back.has_value());
  for (const auto& k : back->keys) CHECK_FALSE(k.signs_unpublished_since);
  t.sim.zone = *back;
  const KeyPlan p = t.sim.night();
  CHECK(find_ref(p.publish, 1300) != nullptr);
  CHECK(find_ref(p.publish, 800) != nullptr);
  // And the field survives a round trip when present.
  AlgRoll u;
  for (auto& k : u.sim.zone.keys) k.dnskey.clear();
  auto again = zone_state_from_json(zone_state_to_json(u.sim.zone));
  REQUIRE(again.has_value());
  CHECK(again->find_key(1300)->signs_unpublished_since == u.activated);
}

TEST_CASE("deactivating the old algorithm too early is refused", "[lifecycle]") {
  Sim sim;
  sim.add_ksk(100);
  REQUIRE(ksk_activate(sim.zone, 100, sim.now).has_value());
  sim.night();
  sim.add_ksk(150, 15);
  REQUIRE(ksk_activate(sim.zone, 150, sim.now).has_value());
  sim.night();  // algorithm 15 signs from this night, unpublished
  // Neither DS was ever seen, so only the algorithm rules apply.
  auto r = ksk_deactivate(sim.zone, sim.policy, 100, sim.now, nullptr);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().detail.find("RFC 6781 s4.1.4") != std::string::npos);
  sim.night();
  sim.night();  // published (max TTL 1 day + propagation after it began to sign)
  r = ksk_deactivate(sim.zone, sim.policy, 100, sim.now - kDay, nullptr);
  REQUIRE_FALSE(r.has_value());  // published less than DNSKEY TTL + propagation ago
  CHECK(ksk_deactivate(sim.zone, sim.policy, 100, sim.now, nullptr).has_value());
}

TEST_CASE("parent DS text from dig output", "[lifecycle]") {
  const std::string text =
      "; <<>> DiG 9.18 <<>> DS example.com\n"
      ";; ANSWER SECTION:\n"
      "example.com.\t\t86400\tIN\tDS\t12345 13 2 ABCDEF0123\n"
      "example.com. 86400 IN DS 200 13 2 ( 0a1b\n"
      "                                    2c3d )\n"
      "example.com. 86400 IN RRSIG DS 8 2 86400 20261201000000 20261101000000 1 com. AAAA\n"
      "other.com. 86400 IN DS 1 13 2 AA\n"
      "EXAMPLE.COM. IN DS 7 8 1 ff\n";
  auto ds = parse_ds_text(text, "example.com", "dig.txt");
  REQUIRE(ds.has_value());
  REQUIRE(ds->size() == 3);
  CHECK((*ds)[0].key_tag == 12345);
  CHECK((*ds)[1].key_tag == 200);
  CHECK((*ds)[1].digest_hex == "0A1B2C3D");
  CHECK((*ds)[2].algorithm == 8);
  auto bad = parse_ds_text("example.com. IN DS 1 x 2 AA\n", "example.com.", "f");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == zk::Errc::Usage);
}

TEST_CASE("algorithm rollover: the owner can abort it before the new DNSKEYs are published",
          "[lifecycle][algroll]") {
  AlgRoll t;
  // Deactivating the new KSK is no risk: no cache can hold a DNSKEY RRset with it.
  REQUIRE(ksk_deactivate(t.sim.zone, t.sim.policy, 1300, t.sim.now, nullptr).has_value());
  KeyPlan p = t.sim.night();
  CHECK_FALSE(has_alg(p.publish, 13));
  CHECK_FALSE(has_alg(p.dnskey_signers, 13));
  REQUIRE(p.cds.size() == 1);
  CHECK(p.cds[0].tag == 800);
  CHECK(p.can_sign);
  p = t.sim.night();
  CHECK_FALSE(has_alg(p.zone_signers, 13));
  CHECK(has_alg(p.zone_signers, 8));
  REQUIRE(ksk_remove(t.sim.zone, 1300, t.sim.now).has_value());
  for (int i = 0; i < 5; ++i) p = t.sim.night();
  for (const auto& r : p.publish) CHECK(r.algorithm == 8);
  CHECK(p.state.state == ZoneState::Signing);
}
