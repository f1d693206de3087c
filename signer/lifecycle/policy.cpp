#include "signer/lifecycle/policy.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "dns/timeparse.hpp"

namespace zk::signer {

std::vector<uint8_t> default_allowed_algorithms() { return {8, 10, 13, 14, 15, 16}; }

bool policy_allows(const Policy& p, uint8_t algorithm) noexcept {
  return std::find(p.allowed_algorithms.begin(), p.allowed_algorithms.end(), algorithm) !=
         p.allowed_algorithms.end();
}

void allow_deprecated_algorithms(Policy& p) {
  for (uint8_t a : {uint8_t{5}, uint8_t{7}}) {
    if (!policy_allows(p, a)) p.allowed_algorithms.push_back(a);
  }
}

std::string policy_to_json(const Policy& p) {
  nlohmann::json j;
  j["zsk_lifetime"] = p.zsk_lifetime;
  j["dnskey_ttl"] = p.dnskey_ttl;
  j["max_zone_ttl"] = p.max_zone_ttl;
  j["ttl_clamp"] = p.ttl_clamp;
  j["propagation_delay"] = p.propagation_delay;
  j["sig_validity"] = p.sig_validity;
  j["sig_refresh"] = p.sig_refresh;
  j["sig_spread"] = p.sig_spread;
  j["run_interval"] = p.run_interval;
  j["ds_ttl"] = p.ds_ttl;
  j["allowed_algorithms"] = p.allowed_algorithms;
  return j.dump();
}

Result<Policy> policy_from_json(std::string_view text, Policy p) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Errc::Internal, "policy is not a JSON object");
  try {
    auto get = [&](const char* name, auto& field) {
      if (auto it = j.find(name); it != j.end()) it->get_to(field);
    };
    get("zsk_lifetime", p.zsk_lifetime);
    get("dnskey_ttl", p.dnskey_ttl);
    get("max_zone_ttl", p.max_zone_ttl);
    get("ttl_clamp", p.ttl_clamp);
    get("propagation_delay", p.propagation_delay);
    get("sig_validity", p.sig_validity);
    get("sig_refresh", p.sig_refresh);
    get("sig_spread", p.sig_spread);
    get("run_interval", p.run_interval);
    get("ds_ttl", p.ds_ttl);
    get("allowed_algorithms", p.allowed_algorithms);
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::Internal, std::string("bad policy field: ") + e.what());
  }
  return p;
}

Policy recorded_policy(const ZoneKeyState& zone, Policy base) {
  if (zone.policy_json.empty()) return base;
  auto p = policy_from_json(zone.policy_json, base);
  return p ? *p : base;
}

Policy derive_policy(const PolicyChoices& c, uint32_t max_zone_ttl, uint32_t default_dnskey_ttl) {
  constexpr int64_t kDay = 86400;
  Policy p;
  p.dnskey_ttl = c.dnskey_ttl.value_or(default_dnskey_ttl);
  p.max_zone_ttl = max_zone_ttl;
  const uint32_t clamp = c.ttl_clamp.value_or(kDefaultTtlClamp);
  p.ttl_clamp = clamp != 0 ? clamp : 2147483647u;
  p.propagation_delay = c.propagation_delay.value_or(p.propagation_delay);
  p.run_interval = c.run_interval.value_or(p.run_interval);
  p.ds_ttl = c.ds_ttl.value_or(p.ds_ttl);
  p.sig_validity = c.sig_validity.value_or(kDefaultSigValidity);
  // Refresh: a quarter of the validity, but never so short that an RRset cached just before the
  // refresh outlives its RRSIG when a run is missed (check_timing's rule: max TTL + propagation +
  // 2 run intervals; with daily runs or more often, a day of slack instead of the second one).
  const int64_t refresh_floor = int64_t{effective_max_ttl(p)} + p.propagation_delay +
                                p.run_interval + std::max(p.run_interval, kDay);
  p.sig_refresh = c.sig_refresh.value_or(std::max(p.sig_validity / 4, refresh_floor));
  // Spread (sig-jitter): the whole refresh cycle by default (negative, resolved_spread), so that
  // every run renews an even share of the zone (signer/lifecycle/renewal.hpp).
  p.sig_spread = c.sig_jitter.value_or(-1);
  // ZSK lifetime: 90 days by default, or longer when a long signature validity makes the
  // retire interval longer (a rollover must finish before the next one starts).
  const int64_t needed = zsk_publish_interval(p) + zsk_retire_interval(p) + p.run_interval + kDay;
  p.zsk_lifetime = c.zsk_lifetime.value_or(std::max<int64_t>(90 * kDay, needed));
  return p;
}

uint32_t effective_max_ttl(const Policy& p) noexcept {
  return p.max_zone_ttl == 0 ? p.ttl_clamp : std::min(p.max_zone_ttl, p.ttl_clamp);
}

int64_t zsk_publish_interval(const Policy& p) noexcept {
  return int64_t{p.dnskey_ttl} + p.propagation_delay;
}

int64_t zsk_retire_interval(const Policy& p) noexcept {
  return p.sig_validity + p.propagation_delay + effective_max_ttl(p);
}

int64_t resolved_spread(const Policy& p) noexcept {
  if (p.sig_spread >= 0) return p.sig_spread;
  return std::max<int64_t>(0, p.sig_validity - p.sig_refresh);
}

int64_t algorithm_settle_time(const Policy& p) noexcept {
  return int64_t{effective_max_ttl(p)} + p.propagation_delay;
}

std::optional<int64_t> algorithm_signing_since(const ZoneKeyState& zone, uint8_t alg) {
  std::optional<int64_t> since;
  for (const auto& k : zone.keys) {
    if (k.role != KeyRole::ZSK || k.algorithm != alg || k.is_removed() || !k.active) continue;
    if (k.retired) continue;
    if (!since || *k.active < *since) since = *k.active;
  }
  // Earlier ZSKs of the same algorithm that were rolled over count too: signing was continuous.
  for (const auto& k : zone.keys) {
    if (k.role != KeyRole::ZSK || k.algorithm != alg || !k.active || !since) continue;
    if (k.retired && *k.retired >= *since && *k.active < *since) since = *k.active;
  }
  return since;
}

std::string_view key_phase(const KeyRecord& k) noexcept {
  if (k.removed) return k.retired && *k.retired < *k.removed ? "removed" : "withdrawn";
  if (k.retired) return "retired";
  if (k.signs_unpublished()) return "signing-unpublished";
  if (k.active) return "active";
  if (k.published) return "published";
  return "created";
}

Result<void> check_timing(const Policy& p) {
  auto s = [](int64_t v) { return std::to_string(v) + " s (" + duration_to_text(v) + ")"; };
  if (p.ttl_clamp == 0 || p.ttl_clamp > 0x7fffffffu) {
    return fail(Errc::Usage, "ttl clamp must be 1..2147483647 (RFC 2181 s8)");
  }
  struct Positive {
    const char* what;
    int64_t value;
  };
  for (const Positive& v :
       {Positive{"signature validity", p.sig_validity}, Positive{"refresh window", p.sig_refresh},
        Positive{"run interval", p.run_interval}, Positive{"ZSK lifetime", p.zsk_lifetime}}) {
    if (v.value <= 0) {
      return fail(Errc::Usage,
                  std::string(v.what) + " must be positive, not " + std::to_string(v.value) + " s");
    }
  }
  if (p.propagation_delay < 0) {
    return fail(Errc::Usage, "propagation delay must not be negative, not " +
                                 std::to_string(p.propagation_delay) + " s");
  }
  if (p.sig_validity <= p.sig_refresh) {
    return fail(Errc::Usage, "signature validity " + s(p.sig_validity) +
                                 " must exceed the refresh window " + s(p.sig_refresh) +
                                 ", or new signatures are due for refresh when made");
  }
  const int64_t spread = resolved_spread(p);
  if (spread > p.sig_validity - p.sig_refresh) {
    return fail(Errc::Usage, "spread " + s(spread) + " must not exceed signature validity " +
                                 s(p.sig_validity) + " - refresh window " + s(p.sig_refresh) +
                                 ": a signature expiring that much early would be due for "
                                 "refresh when made");
  }
  const int64_t ttl = effective_max_ttl(p);
  const int64_t need = ttl + p.propagation_delay + 2 * p.run_interval;
  if (p.sig_refresh < need) {
    return fail(Errc::Usage,
                "refresh window " + s(p.sig_refresh) + " must be at least max TTL " + s(ttl) +
                    " + propagation delay " + s(p.propagation_delay) + " + 2 x run interval " +
                    s(p.run_interval) + " = " + s(need) +
                    ": otherwise, when a run is missed, resolvers can cache records longer than "
                    "their signatures stay valid; lower max-ttl (the TTL clamp) or raise "
                    "sig-refresh and sig-validity");
  }
  if (p.dnskey_ttl > p.ttl_clamp) {
    return fail(Errc::Usage,
                "DNSKEY TTL " + s(p.dnskey_ttl) + " exceeds the TTL clamp " + s(p.ttl_clamp));
  }
  const int64_t roll = zsk_publish_interval(p) + zsk_retire_interval(p) + p.run_interval;
  if (p.zsk_lifetime <= roll) {
    return fail(Errc::Usage, "ZSK lifetime " + s(p.zsk_lifetime) +
                                 " is too short: one rollover needs publish interval + retire "
                                 "interval + run interval = " +
                                 s(roll));
  }
  return ok();
}

void add_zsk(ZoneKeyState& zone, uint16_t tag, uint8_t algorithm, std::string source,
             std::string dnskey_b64, int64_t now) {
  KeyRecord k;
  k.tag = tag;
  k.algorithm = algorithm;
  k.source = std::move(source);
  k.role = KeyRole::ZSK;
  k.dnskey = std::move(dnskey_b64);
  k.created = now;
  k.owner_state = OwnerState::Active;
  zone.keys.push_back(std::move(k));
}

namespace {

KeyRef ref_of(const KeyRecord& k) { return KeyRef{k.tag, k.algorithm, k.role, k.source, k.dnskey}; }

const KeyProblem* problem_of(std::span<const KeyProblem> unusable, const KeyRecord& k) {
  for (const auto& p : unusable) {
    if (p.tag == k.tag && p.algorithm == k.algorithm) return &p;
  }
  return nullptr;
}

struct Scheduler {
  std::optional<int64_t> at;
  std::string what;
  void consider(int64_t t, std::string w) {
    if (!at || t < *at) {
      at = t;
      what = std::move(w);
    }
  }
};

bool zsk_live(const KeyRecord& k) { return k.role == KeyRole::ZSK && !k.is_removed(); }
bool zsk_signing(const KeyRecord& k) { return zsk_live(k) && k.active && !k.retired; }
bool zsk_pending(const KeyRecord& k) { return zsk_live(k) && !k.active; }

// KSK owner states follow usability: ActionNeeded while a wanted KSK cannot be used, back to
// Active when it can.
void update_ksk_owner_states(ZoneKeyState& z, int64_t now, std::span<const KeyProblem> unusable,
                             KeyPlan& plan) {
  for (auto& k : z.keys) {
    if (!k.ksk_wanted() || k.is_removed()) continue;
    const KeyProblem* p = problem_of(unusable, k);
    if (p && (k.owner_state != OwnerState::ActionNeeded || k.owner_state_why != p->why)) {
      if (k.owner_state != OwnerState::ActionNeeded) k.owner_state_since = now;
      k.owner_state = OwnerState::ActionNeeded;
      k.owner_state_why = p->why;
      plan.actions.push_back(k.label() + " needs its owner's action: " + p->why);
    } else if (!p && k.owner_state == OwnerState::ActionNeeded) {
      k.owner_state = OwnerState::Active;
      k.owner_state_since = now;
      k.owner_state_why.clear();
      plan.actions.push_back(k.label() + " usable again");
    }
  }
}

// A double-DS KSK rollover's new key that is waiting to replace the active KSK(s): inactive,
// added for double-DS, never in use, while another KSK is wanted.
bool double_ds_waiting(const ZoneKeyState& z, const KeyRecord& k) {
  if (!k.is_ksk() || k.is_removed() || k.owner_state != OwnerState::Inactive ||
      k.roll != RollMethod::DoubleDs || k.retired) {
    return false;
  }
  return std::any_of(z.keys.begin(), z.keys.end(), [&](const KeyRecord& o) {
    return &o != &k && o.ksk_wanted() && !o.is_removed();
  });
}

// Double-DS KSK rollover (RFC 6781 s4.1.2, RFC 7583 s3.3.2): once the parent has served the new
// key's DS for one DS TTL, every cache that holds the DS set holds both DS, so the new KSK can
// take the old one's place in the DNSKEY RRset at once.
void plan_double_ds(int64_t now, const Policy& p, ZoneKeyState& z,
                    std::span<const KeyProblem> unusable, KeyPlan& plan, Scheduler& next) {
  for (auto& k : z.keys) {
    if (!double_ds_waiting(z, k)) continue;
    const std::string tag = "--tag " + std::to_string(k.tag);
    if (!k.ds_seen) {
      plan.owner_actions.push_back(
          "KSK rollover (double-DS): hand the parent the DS of KSK " + std::to_string(k.tag) +
          " (`" + owner_command(z, "ds", tag) + "`) beside the current one; once `dig DS " +
          z.origin + "` shows it, run `" + owner_command(z, "ksk ds-seen", tag) + "`");
      continue;
    }
    const int64_t at = *k.ds_seen_at + p.ds_ttl;
    if (const KeyProblem* pr = problem_of(unusable, k)) {
      plan.owner_actions.push_back("KSK rollover (double-DS) waits: " + k.label() +
                                   " cannot be used: " + pr->why);
      continue;
    }
    if (now < at) {
      next.consider(at, "double-DS: KSK " + std::to_string(k.tag) +
                            " replaces the active KSK in the DNSKEY RRset");
      continue;
    }
    std::string replaced;
    for (auto& o : z.keys) {
      if (&o == &k || !o.ksk_wanted() || o.is_removed()) continue;
      o.owner_state = OwnerState::Inactive;
      o.owner_state_since = now;
      o.owner_state_why.clear();
      o.retired = now;  // its DS stays at the parent until the owner has it removed
      replaced += (replaced.empty() ? "" : ", ") + o.label();
    }
    k.owner_state = OwnerState::Active;
    k.owner_state_since = now;
    k.published = now;
    k.active = now;
    plan.actions.push_back("KSK rollover (double-DS): " + k.label() + " replaces " + replaced +
                           " in the DNSKEY RRset");
  }
}

// One algorithm's ZSK rollover (pre-publication); asks for a new ZSK via plan.new_zsk_algorithms.
// unpublished: the algorithm's KSK signs without being published (an algorithm rollover's
// first step): its first ZSK signs unpublished too.
void plan_zsk_algorithm(int64_t now, const Policy& p, ZoneKeyState& z, uint8_t alg, bool paused,
                        bool unpublished, KeyPlan& plan, Scheduler& next) {
  const int64_t ipub = zsk_publish_interval(p);
  KeyRecord* active = nullptr;
  KeyRecord* pending = nullptr;
  for (auto& k : z.keys) {
    if (k.algorithm != alg) continue;
    if (zsk_signing(k) && (!active || *k.active > *active->active)) active = &k;
    if (zsk_pending(k) && (!pending || *k.created > *pending->created)) pending = &k;
  }
  if (paused) {
    if (active) next.consider(*active->active + p.zsk_lifetime, "ZSK rollover (paused)");
    return;
  }
  if (!active) {
    if (!pending) {
      plan.new_zsk_algorithms.push_back(alg);
      plan.actions.push_back("create the first ZSK for algorithm " + std::to_string(alg));
      return;
    }
    // No ZSK of this algorithm signs yet, so no validator relies on the cached DNSKEY RRset for
    // it: the first ZSK is published and active at once (RFC 7583 s3.1 initial key), or, in an
    // algorithm rollover, signs at once and is published with its KSK later.
    pending->active = now;
    if (unpublished) {
      pending->signs_unpublished_since = now;
      plan.actions.push_back(pending->label() +
                             " signs every RRset, DNSKEY not yet published (algorithm rollover, "
                             "RFC 6781 s4.1.4 new RRSIGs)");
    } else {
      if (!pending->published) pending->published = now;
      plan.actions.push_back(pending->label() + " published and active (first ZSK)");
    }
    active = pending;
    pending = nullptr;
  }
  const int64_t due = *active->active + p.zsk_lifetime;
  if (!pending) {
    // Create the successor early enough that it has been published for Ipub at `due`, even if
    // the run before `due` is missed.
    const int64_t create_at = due - ipub - p.run_interval;
    if (now >= create_at) {
      plan.new_zsk_algorithms.push_back(alg);
      plan.actions.push_back("create successor of " + active->label());
    } else {
      next.consider(create_at, "create and publish successor of " + active->label());
    }
    return;
  }
  if (!pending->published) {
    pending->published = now;
    plan.actions.push_back(pending->label() + " published (pre-publication of successor)");
  }
  const int64_t ready = std::max(due, *pending->published + ipub);
  if (now < ready) {
    next.consider(ready, "activate " + pending->label() + ", retire " + active->label());
    return;
  }
  pending->active = now;
  active->retired = now;
  plan.actions.push_back(pending->label() + " active; " + active->label() + " retired");
}

}  // namespace

namespace {

// What the owner's wanted KSKs decide for the rest of the plan: the algorithms the zone is
// signed with (ZSKs of other algorithms retire: the second half of an algorithm rollover,
// RFC 6781 s4.1.4), and whether a wanted KSK is unusable (the DNSKEY RRset cannot be re-signed).
struct KskView {
  std::set<uint8_t> algs;
  bool blocked = false;
  std::vector<std::string> problems;
};

KskView view_wanted_ksks(const ZoneKeyState& z) {
  KskView v;
  for (const auto& k : z.keys) {
    if (!k.ksk_wanted() || k.is_removed()) continue;
    v.algs.insert(k.algorithm);
    if (k.owner_state == OwnerState::ActionNeeded) {
      v.blocked = true;
      v.problems.push_back(k.label() + ": " + k.owner_state_why);
    }
  }
  return v;
}

// A successor ZSK whose files broke before it ever signed is dropped (nothing can be cached
// from it) and replaced, rather than activated and failing the run after.
void drop_broken_successors(int64_t now, ZoneKeyState& z, std::span<const KeyProblem> unusable,
                            KeyPlan& plan) {
  for (auto& k : z.keys) {
    if (!zsk_pending(k) || !problem_of(unusable, k)) continue;
    k.removed = now;
    plan.actions.push_back(k.label() + " dropped before use: " + problem_of(unusable, k)->why);
  }
}

// Algorithm rollover, conservative order (RFC 6781 s4.1.4): the new algorithm's keys sign
// first (its KSK the DNSKEY RRset, its ZSK every other RRset) without being published; once
// every cached RRset can carry a signature of it (max TTL + propagation after its ZSK began to
// sign), its DNSKEYs are published together. Its DS follows (ksk ds-seen) one DNSKEY TTL +
// propagation later. Returns the algorithms still unpublished.
std::set<uint8_t> publish_settled_algorithms(int64_t now, const Policy& policy, ZoneKeyState& z,
                                             bool ksk_blocked, KeyPlan& plan) {
  std::set<uint8_t> unpublished_algs;
  for (const auto& k : z.keys) {
    if (k.ksk_wanted() && k.signs_unpublished()) unpublished_algs.insert(k.algorithm);
  }
  for (auto it = unpublished_algs.begin(); it != unpublished_algs.end();) {
    const uint8_t alg = *it;
    const auto since = algorithm_signing_since(z, alg);
    if (ksk_blocked || !since) {
      ++it;  // paused, or its first ZSK begins to sign in this run (below)
      continue;
    }
    if (now < *since + algorithm_settle_time(policy)) {
      ++it;
      continue;
    }
    for (auto& k : z.keys) {
      if (k.algorithm != alg || !k.signs_unpublished()) continue;
      k.published = now;
      plan.actions.push_back(k.label() +
                             " published (algorithm rollover: its signatures have "
                             "been on every RRset since " +
                             time_to_iso(*since) + ")");
    }
    it = unpublished_algs.erase(it);
  }
  return unpublished_algs;
}

// Each algorithm's ZSK rollover (a CSK, `sign --csk`, signs the zone itself: its algorithm
// needs no ZSK), and when the unpublished algorithms' DNSKEYs are due.
void plan_zsk_algorithms(int64_t now, const Policy& policy, ZoneKeyState& z, const KskView& ksks,
                         const std::set<uint8_t>& unpublished_algs, KeyPlan& plan,
                         Scheduler& next) {
  std::set<uint8_t> csk_algs;
  for (const auto& k : z.keys) {
    if (k.role == KeyRole::CSK && k.ksk_wanted() && !k.is_removed()) csk_algs.insert(k.algorithm);
  }
  for (uint8_t alg : ksks.algs) {
    if (csk_algs.count(alg)) continue;
    plan_zsk_algorithm(now, policy, z, alg, ksks.blocked, unpublished_algs.count(alg) != 0, plan,
                       next);
  }
  for (uint8_t alg : unpublished_algs) {
    if (const auto since = algorithm_signing_since(z, alg)) {
      next.consider(
          *since + algorithm_settle_time(policy),
          "publish the DNSKEYs of algorithm " + std::to_string(alg) + " (algorithm rollover)");
    }
  }
}

// Retired ZSKs leave the DNSKEY RRset Iret after they stopped signing; the old algorithm's
// ZSKs leave it at the end of an algorithm rollover.
void retire_zsks(int64_t now, const Policy& policy, ZoneKeyState& z, const KskView& ksks,
                 KeyPlan& plan, Scheduler& next) {
  const std::set<uint8_t>& algs = ksks.algs;
  const bool ksk_blocked = ksks.blocked;
  const int64_t iret = zsk_retire_interval(policy);
  const int64_t withdraw_wait = zsk_publish_interval(policy);
  for (auto& k : z.keys) {
    if (k.role != KeyRole::ZSK) continue;
    if (!algs.count(k.algorithm) && !ksk_blocked && !k.retired) {
      // Last step of an algorithm rollover (RFC 6781 s4.1.4): the old algorithm's DNSKEYs leave
      // the RRset first; its RRSIGs stay until no cache can hold a DNSKEY RRset that still lists
      // the old algorithm (DNSKEY TTL + propagation), so RFC 4035 s2.2 holds throughout.
      if (!k.active) {
        if (!k.removed) {
          k.removed = now;
          plan.actions.push_back(k.label() + " dropped (no active KSK of its algorithm)");
        }
        continue;
      }
      if (!k.removed) {
        k.removed = now;
        plan.actions.push_back(k.label() +
                               " withdrawn from the DNSKEY RRset (algorithm rollover); it keeps "
                               "signing for DNSKEY TTL + propagation");
      }
      if (now >= *k.removed + withdraw_wait) {
        k.retired = now;
        plan.actions.push_back(k.label() + " stopped signing (algorithm rollover done)");
      } else {
        next.consider(*k.removed + withdraw_wait, "stop signing with " + k.label());
      }
      continue;
    }
    if (!zsk_live(k) || !k.retired) continue;
    const int64_t remove_at = *k.retired + iret;
    if (now >= remove_at && !ksk_blocked) {
      k.removed = now;
      plan.actions.push_back(k.label() + " removed from the DNSKEY RRset (key files kept)");
    } else {
      next.consider(remove_at, "remove " + k.label() + " from the DNSKEY RRset");
    }
  }
}

// The DNSKEY RRset, its signers, and the zone signers. Returns the active ZSKs' problems.
std::vector<std::string> choose_signers(const ZoneKeyState& z, std::span<const KeyProblem> unusable,
                                        const KskView& ksks, KeyPlan& plan) {
  const std::set<uint8_t>& algs = ksks.algs;
  std::vector<std::string> zsk_problems;
  std::set<uint8_t> signing_algs;
  for (const auto& k : z.keys) {
    if (k.is_ksk()) {
      if (!k.ksk_wanted() || k.is_removed()) continue;
      if (!k.signs_unpublished()) plan.publish.push_back(ref_of(k));
      if (k.owner_state != OwnerState::Active) continue;
      plan.dnskey_signers.push_back(ref_of(k));
      if (k.role == KeyRole::CSK) {
        plan.zone_signers.push_back(ref_of(k));
        signing_algs.insert(k.algorithm);
      }
      continue;
    }
    if (k.published && !k.removed) plan.publish.push_back(ref_of(k));
    // Signing: active and not retired; after an algorithm rollover that includes a ZSK already
    // withdrawn from the DNSKEY RRset (see above).
    if (!k.active || k.retired) continue;
    if (const KeyProblem* pr = problem_of(unusable, k)) {
      zsk_problems.push_back(k.label() + ": " + pr->why);
      continue;
    }
    plan.zone_signers.push_back(ref_of(k));
    signing_algs.insert(k.algorithm);
  }
  for (const auto& k : z.keys) {
    if (k.role != KeyRole::ZSK || !k.retired || !k.published || k.removed) continue;
    if (signing_algs.count(k.algorithm)) plan.retired_zone_signers.push_back(ref_of(k));
  }
  plan.dnskey_frozen = ksks.blocked;
  plan.can_sign = !algs.empty() && plan.new_zsk_algorithms.empty() &&
                  std::includes(signing_algs.begin(), signing_algs.end(), algs.begin(), algs.end());
  return zsk_problems;
}

// During a double-DS KSK rollover: the old KSK left the DNSKEY RRset but the new DNSKEY RRset
// may still be cached (true), or it is in every cache and the owner removes the old DS.
bool double_ds_settling(int64_t now, const Policy& policy, const ZoneKeyState& z, KeyPlan& plan,
                        Scheduler& next) {
  const int64_t ipub = zsk_publish_interval(policy);
  bool dd_settling = false;
  for (const auto& k : z.keys) {
    if (!k.is_ksk() || k.is_removed() || k.ksk_wanted() || !k.retired || !k.ds_seen) continue;
    if (now < *k.retired + ipub) {
      dd_settling = true;
      next.consider(*k.retired + ipub, "publish CDS/CDNSKEY for the new KSK only");
    } else {
      plan.owner_actions.push_back(
          "KSK rollover (double-DS): KSK " + std::to_string(k.tag) + " left the DNSKEY RRset at " +
          time_to_iso(*k.retired) +
          "; have the parent remove its DS (CDS/CDNSKEY list only the new KSK), then run `" +
          owner_command(z, "ksk remove", "--tag " + std::to_string(k.tag)) + "`");
    }
  }
  return dd_settling;
}

// The KSKs CDS/CDNSKEY may name (RFC 7344 s4.1): keys of the DNSKEY RRset, and an algorithm
// rollover's new KSK only once the DNSKEY RRset holding it is in every cache: a parent acting
// on it adds the DS then, as `ksk ds-seen` requires.
std::vector<const KeyRecord*> cds_candidates(int64_t now, const Policy& policy,
                                             const ZoneKeyState& z, KeyPlan& plan,
                                             Scheduler& next) {
  const int64_t ipub = zsk_publish_interval(policy);
  std::vector<const KeyRecord*> wanted;
  for (const auto& k : z.keys) {
    if (!k.ksk_wanted() || k.is_removed()) continue;
    if (k.signs_unpublished_since && (!k.published || now < *k.published + ipub)) {
      if (!k.signs_unpublished()) {
        next.consider(*k.published + ipub,
                      "CDS/CDNSKEY list KSK " + std::to_string(k.tag) + " (algorithm rollover)");
        plan.owner_actions.push_back(
            "algorithm rollover: the DNSKEY of " + k.label() + " was published at " +
            time_to_iso(*k.published) + "; from " + time_to_iso(*k.published + ipub) +
            " have the parent publish its DS (CDS/CDNSKEY list it then), then run `" +
            owner_command(z, "ksk ds-seen", "--tag " + std::to_string(k.tag)) + "`");
      }
      continue;
    }
    wanted.push_back(&k);
  }
  return wanted;
}

// The CDS/CDNSKEY this run publishes, and what the owner does about the DS at the parent.
void list_cds(const ZoneKeyState& z, const std::vector<const KeyRecord*>& wanted, KeyPlan& plan) {
  const bool all_seen =
      std::all_of(wanted.begin(), wanted.end(), [](const KeyRecord* k) { return k->ds_seen; });
  if (wanted.size() > 1 && all_seen) {
    const KeyRecord* newest =
        *std::max_element(wanted.begin(), wanted.end(), [](const KeyRecord* a, const KeyRecord* b) {
          return a->active.value_or(0) < b->active.value_or(0);
        });
    plan.cds.push_back(ref_of(*newest));
    for (const KeyRecord* k : wanted) {
      if (k == newest) continue;
      plan.owner_actions.push_back(
          "KSK rollover: the DS of the new KSK " + std::to_string(newest->tag) +
          " is at the parent; have the parent remove the DS of KSK " + std::to_string(k->tag) +
          ", then save the parent's DS set with `dig +noall +answer " + z.origin +
          " DS > parent-ds.txt` and run `" +
          owner_command(z, "ksk deactivate",
                        "--tag " + std::to_string(k->tag) + " --parent-ds parent-ds.txt") +
          "`");
    }
  } else {
    for (const KeyRecord* k : wanted) plan.cds.push_back(ref_of(*k));
  }
  for (const KeyRecord* k : wanted) {
    if (k->ds_seen || k->owner_state != OwnerState::Active) continue;
    plan.owner_actions.push_back(
        "KSK " + std::to_string(k->tag) +
        " is published and signing: have the parent publish its DS (CDS/CDNSKEY are "
        "published), then run `" +
        owner_command(z, "ksk ds-seen", "--tag " + std::to_string(k->tag)) + "`");
  }
}

// CDS/CDNSKEY (RFC 7344, RFC 8078). During a double-RRset KSK rollover both keys are listed
// until the new one's DS is seen at the parent; then only the newest, which asks a
// CDS-scanning parent to drop the old DS so that `ksk deactivate` can go ahead. During a
// double-DS rollover none are published (RFC 7344 s4.1: no change asked for) while the parent
// holds both DS and until the new DNSKEY RRset is in every cache: a CDS listing the old key
// only would take the new DS away, one listing the new key would name a key the DNSKEY RRset
// does not hold yet. After that only the new key is listed, asking for the old DS to go.
void plan_cds(int64_t now, const Policy& policy, const ZoneKeyState& z, KeyPlan& plan,
              Scheduler& next) {
  const bool dd_waiting = std::any_of(z.keys.begin(), z.keys.end(),
                                      [&](const KeyRecord& k) { return double_ds_waiting(z, k); });
  const bool dd_settling = double_ds_settling(now, policy, z, plan, next);
  if (z.disable.active()) {
    plan.cds_delete = true;
  } else if (!dd_waiting && !dd_settling) {  // else withdrawn, see above
    list_cds(z, cds_candidates(now, policy, z, plan, next), plan);
  }
}

// Zone state, most severe first.
void set_zone_state(int64_t now, ZoneKeyState& z, const KskView& ksks,
                    const std::vector<std::string>& zsk_problems, KeyPlan& plan) {
  if (!zsk_problems.empty()) {
    std::string why = "active ZSK unusable: ";
    for (const auto& s : zsk_problems) why += s + "; ";
    why += "restore the key files from backup";
    z.set_state(ZoneState::InternalFailure, now, why);
    plan.can_sign = false;
    plan.owner_actions.push_back(why);
  } else if (ksks.blocked) {
    std::string why;
    for (const auto& s : ksks.problems) why += (why.empty() ? "" : "; ") + s;
    z.set_state(ZoneState::ActionNeeded, now, why);
    plan.owner_actions.push_back("fix the KSK (" + why +
                                 "), or deactivate it if another KSK with a DS at the parent is "
                                 "active; ZSK rollovers are paused until then");
  } else if (ksks.algs.empty()) {
    const std::string why = "no active KSK";
    z.set_state(ZoneState::ActionNeeded, now, why);
    plan.can_sign = false;
    plan.owner_actions.push_back("add a KSK: `" + owner_command(z, "ksk add", "--generate") +
                                 "` (or --file with your own key), then activate it: `" +
                                 owner_command(z, "ksk activate", "--tag N") +
                                 "` with the tag `ksk add` prints");
  } else {
    z.set_state(ZoneState::Signing, now, "");
  }
}

}  // namespace

KeyPlan plan_keys(int64_t now, const Policy& policy, const ZoneKeyState& zone,
                  std::span<const KeyProblem> unusable) {
  KeyPlan plan;
  plan.state = zone;
  ZoneKeyState& z = plan.state;
  z.policy_json = policy_to_json(policy);
  Scheduler next;

  if (z.state == ZoneState::NotSigning) {
    std::string tag = "N";
    for (const auto& k : z.keys) {
      if (k.is_ksk() && !k.is_removed()) tag = std::to_string(k.tag);
    }
    plan.owner_actions.push_back("the zone was unsigned; to sign it again activate a KSK: `" +
                                 owner_command(z, "ksk activate", "--tag " + tag) + "`");
    return plan;
  }

  plan_double_ds(now, policy, z, unusable, plan, next);
  update_ksk_owner_states(z, now, unusable, plan);
  const KskView ksks = view_wanted_ksks(z);
  drop_broken_successors(now, z, unusable, plan);
  const std::set<uint8_t> unpublished =
      publish_settled_algorithms(now, policy, z, ksks.blocked, plan);
  plan_zsk_algorithms(now, policy, z, ksks, unpublished, plan, next);
  retire_zsks(now, policy, z, ksks, plan, next);
  const std::vector<std::string> zsk_problems = choose_signers(z, unusable, ksks, plan);
  plan_cds(now, policy, z, plan, next);
  set_zone_state(now, z, ksks, zsk_problems, plan);
  plan.next_action_at = next.at;
  plan.next_action = next.what;
  return plan;
}

}  // namespace zk::signer
