// The sign run's "plan this run" (signer/lifecycle/sign_run.hpp).
#include "signer/lifecycle/sign_run.hpp"

#include <algorithm>
#include <set>

#include "dns/base64.hpp"
#include "dns/timeparse.hpp"
#include "signer/lifecycle/status.hpp"

namespace zk::signer {

namespace {

// BIND timing metadata, used only when adopting a key directory on the first run.
bool published(const Key& k, int64_t now) {
  const auto& t = k.timing;
  if (t.publish && *t.publish > now && !(t.activate && *t.activate <= now)) return false;
  if (t.remove && *t.remove <= now) return false;
  return true;
}

bool active(const Key& k, int64_t now) {
  const auto& t = k.timing;
  if (t.activate && *t.activate > now) return false;
  if (t.inactive && *t.inactive <= now) return false;
  return published(k, now);
}

std::string b64(std::span<const uint8_t> v) { return zk::base64_encode(v); }

// RFC 8624 s3.1: a key of a NOT RECOMMENDED algorithm that would be adopted signs only on
// request; refused with a message naming --allow-deprecated-algorithm rather than skipped.
Result<void> check_deprecated(const Key& k, const SignRunRequest& o) {
  if (o.allow_deprecated_algorithm || !algorithm_deprecated(k.algorithm())) return ok();
  if (!k.has_private() || !active(k, o.now) || k.is_revoked()) return ok();
  return fail(Errc::Usage, k.source() + ": " + deprecated_algorithm_refusal(k.algorithm()));
}

// First run for this zone (no KSK in the state): what was in use before zonekiln kept the state
// carries on. The owner's KSKs that BIND timing says are active become ACTIVE (CSK with --csk);
// one active ZSK per algorithm is recorded and plan_keys publishes and activates it at once
// (RFC 7583 s3.1 initial key). Without a KSK nothing is adopted: the plan then says what to do.
Result<void> adopt_key_dir(ZoneKeyState& zone, const SignRunRequest& o, int64_t now, SignRun& run) {
  const Policy& policy = o.policy;
  const NameView origin = o.origin.view();
  std::vector<Error> problems;
  auto loaded = load_key_dir(o.key_dir, origin, &problems, &o.pkcs11);
  if (!loaded) return fail(loaded.error());
  // A key the owner must fix (e.g. a token KSK with a wrong PIN) is the reason to give when no
  // KSK can be adopted, rather than "add a KSK".
  std::optional<Error> owner_problem;
  for (auto& p : problems) {
    if (p.code == Errc::KeyActionNeeded && !owner_problem) owner_problem = p;
    run.warnings.push_back(std::move(p));
  }
  std::set<uint8_t> zsk_algs;
  for (const Key& k : *loaded) {
    if (auto r = check_deprecated(k, o); !r) return r;
    if (!k.has_private() || !algorithm_can_sign(k.algorithm(), o.allow_deprecated_algorithm))
      continue;
    if (!active(k, now) || k.is_revoked()) continue;
    if (!k.is_ksk()) continue;
    if (zone.ksk_count() >= kMaxKsks) break;
    // Keys already active together: whichever rolls out later does so beside the other.
    if (auto r = ksk_register(zone, policy, k.tag(), k.algorithm(), k.source(),
                              b64(k.dnskey_rdata()), now, RollMethod::DoubleRrset);
        !r) {
      run.notes.push_back("not adopting " + k.source() + ": " + r.error().detail);
      continue;
    }
    KeyRecord* rec = zone.find_key(k.tag(), k.algorithm());
    if (o.csk) rec->role = KeyRole::CSK;
    if (auto r = ksk_activate(zone, k.tag(), now); !r) return fail(r.error());
    run.notes.push_back("adopted " + rec->label() + " as the owner's active " +
                        (o.csk ? "CSK" : "KSK"));
  }
  if (zone.ksk_count() == 0 && owner_problem) return fail(*owner_problem);
  if (zone.ksk_count() == 0 || o.csk) return ok();
  for (const auto& k : zone.keys) {
    if (k.role == KeyRole::ZSK) zsk_algs.insert(k.algorithm);
  }
  for (const Key& k : *loaded) {
    if (!k.has_private() || !algorithm_can_sign(k.algorithm(), o.allow_deprecated_algorithm))
      continue;
    if (k.is_ksk() || !active(k, now) || !zsk_algs.insert(k.algorithm()).second) continue;
    add_zsk(zone, k.tag(), k.algorithm(), k.source(), b64(k.dnskey_rdata()), now);
    run.notes.push_back("adopted ZSK " + k.source());
  }
  return ok();
}

}  // namespace

Result<void> plan_sign_run(const SignRunRequest& o, SignRun& run, OutputGuard guard,
                           const std::vector<NamedPath>& outputs) {
  const NameView origin = o.origin.view();
  run.policy = o.policy;
  run.key_dir = o.key_dir;
  if (!o.dry_run) {  // a dry run only reads (the state file is replaced atomically)
    auto lock = StateLock::acquire(o.key_dir, o.lock_wait);
    if (!lock) return fail(lock.error());
    run.lock.emplace(std::move(*lock));
  }
  auto file = read_state(o.key_dir);
  if (!file) return fail(file.error());
  run.file = std::move(*file);
  protect_keys(guard, o.key_dir, &run.file);
  if (auto g = guard.check_all(outputs); !g) {
    run.output_refused = true;
    return fail(g.error());
  }
  if (!run.file.recovery_notes.empty()) {
    // A run stopped between its state write and its zone rename: record how it was settled
    // before this run plans anything.
    for (const auto& n : run.file.recovery_notes) run.notes.push_back("state: " + n);
    if (!o.dry_run) {  // a dry run plans from the settled state but writes nothing
      if (auto w = write_state(o.key_dir, run.file); !w) return fail(w.error());
    }
  }
  ZoneKeyState zone = run.file.get_or_add(run.origin_text);
  std::string clock_warning;
  run.state_now = timeline_now(zone, o.now, &clock_warning);
  if (!clock_warning.empty()) run.notes.push_back("warning: " + clock_warning);
  // Adopt only while the state has never held a KSK: a run that failed after adopting left only
  // its created ZSK behind (commit_failure), and the owner's KSK decisions are never redone.
  const bool never_had_ksk = std::none_of(zone.keys.begin(), zone.keys.end(),
                                          [](const KeyRecord& k) { return k.is_ksk(); });
  if (never_had_ksk && zone.state != ZoneState::NotSigning) {
    if (auto r = adopt_key_dir(zone, o, run.state_now, run); !r) return r;
  }
  // A key of a NOT RECOMMENDED algorithm still in the zone's key set (e.g. until a roll away
  // from it completes) signs only on request; RSASHA1 (5) never with NSEC3 (RFC 5155 s2: NSEC3
  // with RSA/SHA-1 is RSASHA1-NSEC3-SHA1, 7, so that resolvers unaware of NSEC3 see the zone as
  // unsigned rather than bogus).
  for (const KeyRecord& k : zone.keys) {
    if (k.is_removed() || !algorithm_deprecated(k.algorithm)) continue;
    if (!o.allow_deprecated_algorithm) {
      return fail(Errc::Usage, k.label() + " of " + run.origin_text + ": " +
                                   deprecated_algorithm_refusal(k.algorithm));
    }
    if (o.nsec3 && k.algorithm == alg::RSASHA1) {
      return fail(Errc::Usage, k.label() + " of " + run.origin_text +
                                   ": RSASHA1 (5) keys cannot sign an NSEC3 zone (RFC 5155 s2); "
                                   "use RSASHA1-NSEC3-SHA1 (7) keys, or NSEC");
    }
  }
  if (!o.zsk_uri.empty()) {
    // A token ZSK: recorded once; plan_keys publishes it (at once when no ZSK signs yet, else
    // as the successor by pre-publication).
    auto zsk = load_pkcs11_key(o.zsk_uri, o.pkcs11, kFlagZone);
    if (!zsk) return fail(zsk.error());
    if (!zone.find_key(zsk->tag(), zsk->algorithm())) {
      add_zsk(zone, zsk->tag(), zsk->algorithm(), o.zsk_uri, b64(zsk->dnskey_rdata()),
              run.state_now);
      run.notes.push_back("recorded the token ZSK " + o.zsk_uri);
    }
  }
  auto keys =
      prepare_keys(o.key_dir, origin, run.state_now, run.policy, zone, &o.pkcs11, !o.dry_run);
  if (!keys) return fail(keys.error());
  for (const auto& a : keys->plan.actions) run.notes.push_back("key: " + a);
  for (const auto& p : keys->problems) {
    run.notes.push_back("key " + std::to_string(p.tag) + " unusable: " + p.why);
  }
  for (const auto& a : keys->plan.owner_actions) run.notes.push_back("owner: " + a);
  run.keys = std::move(*keys);
  return ok();
}

CommitResult commit_sign_run(SignRun& run, RunRecord record, const Publication& p) {
  CommitResult c;
  const bool pending = run.keys && p.target;
  if (pending) {
    auto r = commit_prepare(run.key_dir, run.file, run.keys->plan, run.state_now, *p.target,
                            std::move(record));
    if (!r) {
      c.error = r.error();
      return c;
    }
  }
  if (p.publish) {
    if (auto r = p.publish(); !r) {
      c.error = r.error();
      return c;
    }
    c.published = true;
  }
  if (run.keys && !pending) {  // stdout, or nothing written: nothing to order
    if (auto r =
            commit_run(run.key_dir, run.file, run.keys->plan, run.state_now, std::move(record));
        !r) {
      c.error = r.error();
      return c;
    }
  }
  if (p.after_publish) p.after_publish();
  if (pending) {
    if (p.before_finish) p.before_finish();
    if (auto f = commit_finish(run.key_dir, run.file, run.origin_text); !f) {
      c.notes.push_back("published " + p.target->output +
                        "; the key state holds this run's events but its pending mark could not "
                        "be dropped (" +
                        f.error().detail + "): the next run does that");
    }
  }
  return c;
}

std::optional<UnchangedRun> commit_unchanged_run(
    const std::string& key_dir, const std::string& origin_text, int64_t now, int lock_wait,
    const std::function<bool(const ZoneKeyState&, const RunFingerprint&)>& inputs_unchanged) {
  if (!require_key_dir(key_dir, origin_text)) return std::nullopt;
  auto lock = StateLock::acquire(key_dir, lock_wait);
  if (!lock) return std::nullopt;
  auto file = read_state(key_dir);
  if (!file || !file->recovery_notes.empty()) return std::nullopt;
  ZoneKeyState* zone = file->find(origin_text);
  if (zone == nullptr || !zone->fingerprint || zone->pending || zone->state != ZoneState::Signing) {
    return std::nullopt;
  }
  const RunFingerprint fp = *zone->fingerprint;
  if (now < fp.at || now >= fp.due) return std::nullopt;
  const KeyFigures figures = key_figures(*zone, now);
  if (figures.internal_failure || figures.ksk_action_needed > 0) return std::nullopt;
  if (!inputs_unchanged(*zone, fp)) return std::nullopt;
  RunRecord rec;
  rec.at = now;
  rec.serial = fp.serial;
  rec.summary = "nothing changed since " + time_to_iso(fp.at) + " and nothing due before " +
                time_to_iso(fp.due) + ": output left untouched without reading the zone";
  zone->last_success = now;
  zone->add_run(std::move(rec));
  if (!write_state(key_dir, *file, /*keep_backup=*/false)) return std::nullopt;
  return UnchangedRun{std::move(*file), fp};
}

Result<SkrRunPlan> plan_skr_run(const SignRunRequest& o, const std::string& skr_path,
                                SignRun& run) {
  const NameView origin = o.origin.view();
  if (!o.dry_run) {
    auto lock = StateLock::acquire(o.key_dir, o.lock_wait);
    if (!lock) return fail(lock.error());
    run.lock.emplace(std::move(*lock));
  }
  auto doc = read_skr_file(skr_path);
  if (!doc) return fail(doc.error());
  if (!name_equal(doc->origin.view(), origin)) {
    return fail(Errc::Usage, "the SKR " + skr_path + " is for another zone");
  }
  auto sel = select_skr_period(*doc, o.now);
  if (!sel) return fail(sel.error());
  std::vector<Key> candidates;
  if (!o.zsk_uri.empty()) {
    auto zsk = load_pkcs11_key(o.zsk_uri, o.pkcs11, kFlagZone);
    if (!zsk) return fail(zsk.error());
    candidates.push_back(std::move(*zsk));
  } else {
    std::vector<Error> problems;
    auto loaded = load_key_dir(o.key_dir, origin, &problems, &o.pkcs11);
    if (!loaded) return fail(loaded.error());
    candidates = std::move(*loaded);
  }
  const Key* zsk = find_key_by_dnskey(candidates, sel->zsk_dnskey);
  if (zsk == nullptr || !zsk->has_private()) {
    return fail(Errc::KeyActionNeeded, "the ZSK " + std::to_string(sel->zsk_tag) +
                                           " that the SKR period names is not in " +
                                           (o.zsk_uri.empty() ? o.key_dir : o.zsk_uri) +
                                           " (run `zonekiln ksr` with this key directory)");
  }
  return SkrRunPlan{*zsk, std::move(sel->records),
                    "SKR period " + std::to_string(sel->from) + ".." + std::to_string(sel->to) +
                        ", ZSK " + std::to_string(sel->zsk_tag)};
}

}  // namespace zk::signer
