#include "signer/lifecycle/lifecycle.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string_view>

#include "dns/base64.hpp"
#include "dns/timeparse.hpp"
#include "signer/pkcs11.hpp"

namespace zk::signer {

namespace {

std::string b64(std::span<const uint8_t> v) { return zk::base64_encode(v); }

Result<Key> load_recorded(const KeyRecord& k, NameView origin, const Pkcs11Config* pkcs11) {
  return load_key(k.source, origin, k.algorithm, k.is_ksk() ? 257 : 256, pkcs11);
}

Result<KeyRecord> register_loaded(ZoneKeyState& zone, const Policy& policy, const Key& key,
                                  const std::string& source, int64_t now, RollMethod roll) {
  if (!key.is_ksk()) {
    return fail(Errc::Usage, source + " is a zone-signing key (no SEP flag); a KSK has flags 257");
  }
  if (key.is_revoked()) return fail(Errc::Usage, source + " is revoked (RFC 5011)");
  auto r = ksk_register(zone, policy, key.tag(), key.algorithm(), source, b64(key.dnskey_rdata()),
                        now, roll);
  if (!r) return fail(r.error());
  return *zone.find_key(key.tag(), key.algorithm());
}

}  // namespace

KeyLoader file_key_loader(NameView origin, const Pkcs11Config* pkcs11) {
  Name o(origin);
  std::optional<Pkcs11Config> p11;
  if (pkcs11) p11 = *pkcs11;
  return [o, p11](const KeyRecord& k) -> Result<LoadedKey> {
    auto key = load_recorded(k, o, p11 ? &*p11 : nullptr);
    if (!key) return fail(key.error());
    LoadedKey out;
    out.dnskey_rdata.assign(key->dnskey_rdata().begin(), key->dnskey_rdata().end());
    out.has_private = key->has_private();
    return out;
  };
}

Result<KeyRecord> ksk_add_file(ZoneKeyState& zone, const Policy& policy, const std::string& path,
                               NameView origin, uint8_t pem_algorithm, int64_t now, RollMethod roll,
                               const Pkcs11Config* pkcs11) {
  auto key = load_key(path, origin, pem_algorithm, 257, pkcs11);
  if (!key) return fail(key.error());
  // A BIND pair is referred to by its base name, as key.source() gives it.
  const std::string source = key->source().empty() ? path : key->source();
  return register_loaded(zone, policy, *key, source, now, roll);
}

Result<KeyRecord> ksk_add_generated(ZoneKeyState& zone, const Policy& policy,
                                    const std::string& dir, NameView origin, uint8_t algorithm,
                                    int64_t now, RollMethod roll) {
  if (zone.ksk_count() >= kMaxKsks) {
    return fail(Errc::Usage, zone.origin +
                                 " already has two KSKs; finish the current rollover first (`" +
                                 owner_command(zone, "ksk list") + "` shows them)");
  }
  auto key = generate_unique_key(algorithm, /*ksk=*/true, 0, origin, dir,
                                 policy_allows(policy, algorithm));
  if (!key) return fail(key.error());
  auto base = write_key_files(*key, origin, dir, now);
  if (!base) return fail(base.error());
  return register_loaded(zone, policy, *key, *base, now, roll);
}

Result<PreparedKeys> prepare_keys(const std::string& dir, NameView origin, int64_t now,
                                  const Policy& policy, const ZoneKeyState& zone,
                                  const Pkcs11Config* pkcs11, bool write_keys) {
  PreparedKeys out;
  const KeyLoader loader = file_key_loader(origin, pkcs11);
  out.problems = check_ksk(zone, policy, loader);
  auto zsk_problems = check_zsk(zone, loader);
  out.problems.insert(out.problems.end(), zsk_problems.begin(), zsk_problems.end());

  out.plan = plan_keys(now, policy, zone, out.problems);
  std::vector<std::string> actions = out.plan.actions;
  std::vector<Key> made;  // ZSKs made by this call (kept in memory when not written)
  // A plan asks for at most one new ZSK per algorithm; the re-plan publishes them. Two rounds
  // cover every case; a third would mean plan_keys does not converge.
  for (int round = 0; !out.plan.new_zsk_algorithms.empty(); ++round) {
    if (round == 2) return fail(Errc::Internal, "key plan does not converge for " + zone.origin);
    ZoneKeyState next = out.plan.state;
    for (uint8_t alg : out.plan.new_zsk_algorithms) {
      auto key =
          generate_unique_key(alg, /*ksk=*/false, 0, origin, dir, policy_allows(policy, alg));
      if (!key) return fail(Errc::Internal, "cannot create a ZSK: " + key.error().detail);
      std::string base;
      if (write_keys) {
        auto written = write_key_files(*key, origin, dir, now);
        if (!written) {
          return fail(Errc::Internal, "cannot write a new ZSK: " + written.error().detail);
        }
        base = *written;
        actions.push_back("created ZSK " + base);
      } else {
        base = "(dry run: not written) ZSK " + std::to_string(key->tag());
        actions.push_back("would create a ZSK for algorithm " + std::to_string(alg));
      }
      add_zsk(next, key->tag(), key->algorithm(), base, b64(key->dnskey_rdata()), now);
      made.push_back(std::move(*key));
    }
    out.plan = plan_keys(now, policy, next, out.problems);
    actions.insert(actions.end(), out.plan.actions.begin(), out.plan.actions.end());
  }
  out.plan.actions = std::move(actions);

  for (const auto& r : out.plan.publish) {
    auto raw = base64_decode(r.dnskey);
    if (!raw || raw->empty()) {
      return fail(Errc::Internal,
                  "state has no DNSKEY for key " + std::to_string(r.tag) + " (" + r.source + ")");
    }
    out.dnskey_rdata.emplace_back(raw->begin(), raw->end());
  }
  for (const auto& r : out.plan.cds) {
    auto raw = base64_decode(r.dnskey);
    if (raw) out.cds_dnskey_rdata.emplace_back(raw->begin(), raw->end());
  }
  auto load_refs = [&](const std::vector<KeyRef>& refs, std::vector<Key>& keys) -> Result<void> {
    for (const auto& r : refs) {
      const KeyRecord* rec = out.plan.state.find_key(r.tag, r.algorithm);
      const auto in_memory = std::find_if(made.begin(), made.end(), [&](const Key& k) {
        return k.tag() == r.tag && k.algorithm() == r.algorithm;
      });
      if (!write_keys && in_memory != made.end()) {
        keys.push_back(*in_memory);
        continue;
      }
      auto key = load_recorded(*rec, origin, pkcs11);
      if (!key)
        return fail(Errc::Internal,
                    "cannot load planned signer " + r.source + ": " + key.error().detail);
      keys.push_back(std::move(*key));
    }
    return ok();
  };
  if (auto r = load_refs(out.plan.dnskey_signers, out.dnskey_signers); !r) return fail(r.error());
  if (out.plan.can_sign) {
    if (auto r = load_refs(out.plan.zone_signers, out.zone_signers); !r) return fail(r.error());
  }
  return out;
}

namespace {

// What a run that wrote its zone makes of the zone's state: the plan's key timeline, the run
// added to the history; last_success moves only when the run exits 0.
void apply_run(ZoneKeyState& z, const std::string& key_dir, const KeyPlan& plan, int64_t now,
               RunRecord run) {
  const std::optional<int64_t> last_success = z.last_success;
  std::vector<RunRecord> runs = std::move(z.runs);
  const std::optional<uint32_t> last_serial = z.last_serial;
  z = plan.state;
  z.pending.reset();
  z.fingerprint.reset();  // recorded again by the sign run once its output is published
  if (!key_dir.empty()) z.key_dir = key_dir;
  z.runs = std::move(runs);
  z.last_serial = last_serial;
  run.at = now;
  z.last_success = run.exit_code == 0 ? std::optional<int64_t>(now) : last_success;
  z.add_run(std::move(run));
  if (plan.cds_delete && !z.disable.cds_delete_published_at)
    z.disable.cds_delete_published_at = now;
}

std::optional<ZoneKeyState> previous_of(const PendingCommit& pc) {
  auto prev = zone_state_from_json(pc.previous_json);
  if (!prev) return std::nullopt;
  return std::move(*prev);
}

}  // namespace

Result<void> commit_run(const std::string& dir, KeyStateFile& file, const KeyPlan& plan,
                        int64_t now, RunRecord run) {
  ZoneKeyState& z = file.get_or_add(plan.state.origin);
  run.at = now;
  if (!plan.can_sign || !run.serial) {
    // No zone was signed and published, so no key event happened; keep the owner-facing states
    // only (and the serial of an unsigned zone written while NOT_SIGNING).
    for (const auto& k : plan.state.keys) {
      KeyRecord* old = z.find_key(k.tag, k.algorithm);
      if (old && k.is_ksk()) {
        old->owner_state = k.owner_state;
        old->owner_state_since = k.owner_state_since;
        old->owner_state_why = k.owner_state_why;
      }
    }
    z.fingerprint.reset();
    z.set_state(plan.state.state, now, plan.state.state_why);
    if (run.exit_code == 0 && run.serial) z.last_success = now;  // an unsigned zone written
    z.add_run(std::move(run));
    return write_state(dir, file);
  }
  apply_run(z, file.dir, plan, now, std::move(run));
  return write_state(dir, file);
}

Result<void> commit_prepare(const std::string& dir, KeyStateFile& file, const KeyPlan& plan,
                            int64_t now, const PublishTarget& target, RunRecord run) {
  ZoneKeyState& z = file.get_or_add(plan.state.origin);
  PendingCommit pc;
  std::error_code ec;
  pc.output = std::filesystem::absolute(target.output, ec).lexically_normal().string();
  pc.dev = target.dev;
  pc.ino = target.ino;
  pc.size = target.size;
  pc.at = now;
  pc.previous_json = zone_state_to_json(z);
  apply_run(z, file.dir, plan, now, std::move(run));
  z.pending = std::move(pc);
  return write_state(dir, file);
}

Result<void> commit_finish(const std::string& dir, KeyStateFile& file, std::string_view origin) {
  ZoneKeyState* z = file.find(origin);
  if (z == nullptr || !z->pending) return ok();
  z->pending.reset();
  // The .bak keeps the state from before the run, not the pending one.
  return write_state(dir, file, /*keep_backup=*/false);
}

Result<void> commit_failure(const std::string& dir, KeyStateFile& file, const KeyPlan& plan,
                            int64_t now, const std::string& why) {
  ZoneKeyState& z = file.get_or_add(plan.state.origin);
  if (z.pending) {
    // The pending state was written but the zone was not published: back to the state before.
    if (auto prev = previous_of(*z.pending)) {
      z = std::move(*prev);
    } else {
      z.pending.reset();
    }
  }
  for (const auto& k : plan.state.keys) {
    if (k.role != KeyRole::ZSK || z.find_key(k.tag, k.algorithm)) continue;
    KeyRecord created = k;
    created.published.reset();
    created.active.reset();
    z.keys.push_back(created);
  }
  z.fingerprint.reset();
  z.set_state(ZoneState::InternalFailure, now, why);
  RunRecord run;
  run.at = now;
  run.exit_code = 4;
  run.summary = why;
  z.add_run(std::move(run));
  return write_state(dir, file);
}

int64_t latest_recorded_time(const ZoneKeyState& z) noexcept {
  int64_t t = std::max<int64_t>(z.state_since, z.last_success.value_or(0));
  for (const auto& k : z.keys) {
    for (const auto& e : {k.created, k.published, k.active, k.retired, k.removed, k.ds_seen_at}) {
      t = std::max(t, e.value_or(0));
    }
    t = std::max(t, k.owner_state_since);
  }
  for (const auto& e :
       {z.disable.started_at, z.disable.cds_delete_published_at, z.disable.parent_ds_removed_at}) {
    t = std::max(t, e.value_or(0));
  }
  return t;
}

int64_t timeline_now(const ZoneKeyState& z, int64_t now, std::string* warning) {
  const int64_t latest = latest_recorded_time(z);
  if (now >= latest) return now;
  if (warning) {
    *warning = "the clock (" + time_to_iso(now) + ") is earlier than the last event recorded for " +
               z.origin + " (" + time_to_iso(latest) +
               "): the key timeline is kept and planned at that time; check the system clock "
               "and --now";
  }
  return latest;
}

int run_exit_code(const KeyPlan& plan) noexcept {
  switch (plan.state.state) {
    case ZoneState::Signing:
    case ZoneState::NotSigning:
      return 0;
    case ZoneState::ActionNeeded:
      return 3;
    case ZoneState::InternalFailure:
      return 4;
  }
  return 4;
}

}  // namespace zk::signer
