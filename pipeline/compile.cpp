// The compile/sign driver: runs the stages in order and times them.
#include <algorithm>
#include <chrono>
#include <climits>
#include <filesystem>
#include <memory>
#include <optional>

#include "dns/atomic_file.hpp"
#include "dns/base64.hpp"
#include "dns/fault.hpp"
#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "dns/timeparse.hpp"
#include "parser/parser.hpp"
#include "pipeline/detail/changes.hpp"
#include "pipeline/detail/keys.hpp"
#include "pipeline/detail/previous.hpp"
#include "pipeline/detail/writer.hpp"
#include "pipeline/detail/zonemd_sign.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/verify.hpp"
#include "signer/keystate.hpp"
#include "signer/lifecycle.hpp"
#include "signer/renewal.hpp"
#include "signer/skr.hpp"
#include "signer/status.hpp"

namespace zk::pipeline {

namespace {

class StageClock {
 public:
  StageClock(Stats& s, const ProgressFn& progress)
      : stats_(s), progress_(progress), t0_(std::chrono::steady_clock::now()) {}
  void lap(const char* stage) {
    const auto t = std::chrono::steady_clock::now();
    stats_.times.push_back({stage, std::chrono::duration<double>(t - t0_).count()});
    t0_ = t;
    if (progress_) progress_(stage, 1, 1);
    crash_point(stage);  // test build only (dns/fault.hpp)
  }

 private:
  Stats& stats_;
  const ProgressFn& progress_;
  std::chrono::steady_clock::time_point t0_;
};

Unexpected zone_errors(const Diagnostics& diag) {
  return fail(Errc::ZoneCheck, std::to_string(diag.error_count()) + " error(s), " +
                                   std::to_string(diag.warning_count()) +
                                   " warning(s) in the zone data");
}

void fill_outcome(SignOutcome& o, const detail::KeyRun& run, int64_t now) {
  const signer::ZoneKeyState* zone = nullptr;
  if (run.keys) zone = &run.keys->plan.state;
  if (!zone) zone = run.file.find(run.origin_text);
  if (!zone) return;
  const signer::KeyFigures f = signer::key_figures(*zone, now);
  o.state_known = true;
  o.internal_failure = o.internal_failure || f.internal_failure;
  o.ksk_action_needed = f.ksk_action_needed;
  o.ksk_action_needed_seconds = f.ksk_action_needed_seconds;
  o.ksk_ages = f.ksk_ages;
  o.last_success = f.last_success;
}

std::string not_in_order(const std::string& why) {
  return "the previous output is not in zonekiln's order (" + why +
         "); none of its signatures are reused, everything is signed anew";
}

// A run that cannot re-sign leaves the published zone as it is. When that zone's signatures have
// already expired, validators reject it now: worse than a key waiting for its owner (exit 3), so
// the run is an internal failure (exit 4) that says both.
Error worse_if_expired(Error e, const std::string& published, int64_t now) {
  if (published.empty() || published == "-") return e;
  auto scan = signer::scan_rrsig_file(published);
  if (!scan || !scan->earliest || *scan->earliest >= now) return e;
  return make_error(Errc::Internal, "the published zone " + published +
                                        " has expired signatures (the first, " +
                                        scan->earliest_owner + " RRSIG " + scan->earliest_type +
                                        ", expired " + time_to_iso(*scan->earliest) +
                                        ") and this run cannot re-sign it: " + e.detail);
}

// The RRSIGs over the apex DNSKEY, CDS and CDNSKEY RRsets in the previous output that still
// cover exactly the RRsets this run publishes (same RDATA, same TTL) and are valid at now.
// Errc::KeyActionNeeded when one of those RRsets has none (the zone cannot be published).
Result<std::vector<RR>> kept_key_rrsigs(const ZoneStore& store, const std::string& prev_path,
                                        const detail::PreviousZone& prev_apex, int64_t now) {
  auto refuse = [&](const std::string& why) {
    return fail(Errc::KeyActionNeeded,
                "the KSK needs its owner and the DNSKEY RRset cannot be re-signed; " + why +
                    "; nothing written");
  };
  if (prev_path.empty() || prev_path == "-") return refuse("no previous output to keep from");
  if (prev_apex.empty() || prev_apex.broken()) {
    return refuse("the previous output " + prev_path + " cannot be read");
  }
  const ZoneStore& prev = prev_apex.store();
  auto apex_rrset = [](const ZoneStore& z, uint16_t type) {
    std::vector<RR> out;
    for (const RR& rr : z.rrs) {
      if (!name_equal(rr.owner->name(), z.origin.view())) break;  // the apex is the first owner
      if (rr.type == type) out.push_back(rr);
    }
    return out;
  };
  std::vector<RR> kept;
  for (uint16_t type : {rrtype::DNSKEY, rrtype::CDS, rrtype::CDNSKEY}) {
    const std::vector<RR> now_set = apex_rrset(store, type);
    if (now_set.empty()) continue;
    const std::vector<RR> old_set = apex_rrset(prev, type);
    const bool same =
        old_set.size() == now_set.size() &&
        std::equal(old_set.begin(), old_set.end(), now_set.begin(), [](const RR& a, const RR& b) {
          return rdata_compare(a, b) == 0 && a.ttl == b.ttl;
        });
    if (!same) return refuse(type_to_string(type) + " RRset differs from the previous output");
    size_t found = 0;
    for (const RR& sig : apex_rrset(prev, rrtype::RRSIG)) {
      const RrsigFields f = rrsig_fields(sig.rdata_span());
      if (f.type_covered != type || f.original_ttl != now_set[0].ttl) continue;
      if (int64_t{f.inception} > now || int64_t{f.expiration} <= now) continue;
      kept.push_back(sig);
      ++found;
    }
    if (found == 0)
      return refuse("no valid previous RRSIG over the " + type_to_string(type) + " RRset");
  }
  return kept;
}

// What the outputs may not replace that is known before the key state is read: the zone file,
// the files it $INCLUDEs, and for sign the key directory and key/state file names.
OutputGuard input_guard(const CompileOptions& options, const Diagnostics& diag) {
  OutputGuard guard;
  guard.protect_file(options.zone_file, "the zone file");
  for (uint32_t i = 1; i < diag.file_count(); ++i) {
    guard.protect_file(diag.file_name(i), "a file the zone $INCLUDEs:");
  }
  signer::protect_keys(guard, options.sign ? options.signing.key_dir : std::string(), nullptr);
  return guard;
}

// A small output (the DS set) written to its temp file and synced, not yet published.
Result<emit::OutputFile> synced_output(const std::string& path, std::string_view text) {
  auto f = emit::OutputFile::open(path);
  if (!f) return fail(f.error());
  if (auto w = f->write(text); !w) return fail(w.error());
  if (auto s = f->sync(); !s) return fail(s.error());
  return std::move(*f);
}

// An unchanged zone keeps its file, but the DS set is rewritten when it differs (a run that
// could not replace it, or a deleted file).
Result<void> refresh_ds_file(const ZoneStore& store, const detail::KeyPlan& keys,
                             const SignOptions& sopts) {
  if (sopts.ds_output.empty() || sopts.ds_output == "-") return ok();
  auto ds = detail::ds_text(store, keys);
  if (!ds) return fail(ds.error());
  auto old = read_whole_file(sopts.ds_output);
  if (old && *old == *ds) return ok();
  return emit::write_file_atomic(sopts.ds_output, *ds);
}

struct Committed {
  bool published = false;      // the zone was renamed into place
  std::optional<Error> error;  // the step that failed
};

// The commit order (issue 11), so that exit 4 means nothing was published: the zone and the DS
// set are synced temp files when this starts;
//   1. the key state the new zone needs is written with a pending mark (commit_prepare),
//   2. the zone is renamed into place: published,
//   3. the DS set is renamed into place,
//   4. the pending mark is dropped (commit_finish).
// A run that stops between 1 and 4 leaves the mark; the next run settles it (read_state). A
// failure at 4 is such a stop: noted, not an error.
Committed commit_in_order(emit::OutputFile& zone, emit::OutputFile* ds, detail::KeyRun& run,
                          const SignOptions& sopts, Stats& stats, signer::RunRecord rec) {
  Committed c;
  const bool pending = run.keys && zone.path() != "-";
  if (pending) {
    const emit::OutputFile::Identity& id = zone.identity();
    const signer::PublishTarget target{zone.path(), id.dev, id.ino, id.size};
    if (auto p = signer::commit_prepare(sopts.key_dir, run.file, run.keys->plan, run.state_now,
                                        target, std::move(rec));
        !p) {
      c.error = p.error();
      return c;
    }
  }
  crash_point("pending");
  if (auto r = zone.publish(); !r) {
    c.error = r.error();
    return c;
  }
  c.published = true;
  if (run.keys && !pending) {  // stdout: nothing to order
    if (auto r = signer::commit_run(sopts.key_dir, run.file, run.keys->plan, run.state_now,
                                    std::move(rec));
        !r) {
      c.error = r.error();
      return c;
    }
  }
  if (ds) {
    if (auto r = ds->publish(); !r) {
      c.error = make_error(Errc::WriteFailed,
                           "published " + zone.path() + " and recorded its key state, but " +
                               r.error().detail + "; the DS set was not replaced (the next run " +
                               "writes it, or run `zonekiln ds`)");
    }
  }
  crash_point("state");
  if (pending) {
    if (auto f = signer::commit_finish(sopts.key_dir, run.file, run.origin_text); !f) {
      stats.notes.push_back("published " + zone.path() +
                            "; the key state holds this run's events but its pending mark "
                            "could not be dropped (" +
                            f.error().detail + "): the next run does that");
    }
  }
  return c;
}

// The dry run's last stage: every decision of the writer (what to sign and why) without signing
// or writing anything, and the exit code the real run would have.
Result<Stats> dry_run_result(const detail::WriteStats& w, const detail::WritePlan& plan,
                             Stats& stats, const detail::KeyRun& run, int64_t now,
                             SignOutcome* outcome) {
  const detail::WriteStats* written = &w;
  stats.records_out = written->records;
  stats.rrsets = written->rrsets;
  stats.nsec = written->nsec;
  stats.nsec3 = written->nsec3;
  stats.rrsets_signed = written->rrsets_signed;
  stats.rrsets_reused = written->rrsets_reused;
  stats.signatures_reused = written->signatures_reused;
  stats.rrsets_renewed_early = written->rrsets_renewed_early;
  stats.resign = written->resign;
  if (plan.keys != nullptr) {
    const size_t runs = signer::forecast_runs(plan.reuse.renewal);
    stats.renewal_forecast.assign(written->forecast.begin(), written->forecast.begin() + runs);
  }
  if (outcome) {
    fill_outcome(*outcome, run, now);
    outcome->exit_code = run.keys ? signer::run_exit_code(run.keys->plan) : 0;
    outcome->rrsets_signed = written->rrsets_signed;
    outcome->rrsets_reused = written->rrsets_reused;
  }
  return stats;
}

}  // namespace

Result<Stats> compile_zone(const CompileOptions& options, Diagnostics& diag, SignOutcome* outcome) {
  Stats stats;
  StageClock clock(stats, options.progress);
  diag.set_strict(options.strict);

  ZoneStore store;
  Name origin(options.origin.view());
  origin.to_lower();
  parser::ParseOptions popts;
  popts.origin = origin;
  popts.origin_set = true;
  popts.include_dirs = options.include_dirs;
  popts.default_class = options.rclass != 0 ? options.rclass : rrclass::IN;
  popts.class_set = options.rclass != 0;
  popts.budget = options.budget;
  if (auto r = parser::parse_file(options.zone_file, popts, store, diag); !r)
    return fail(r.error());
  store.origin = origin;
  clock.lap("parse");
  if (options.sign && store.rclass != rrclass::IN) {
    // DNSSEC is defined for every class, but keys, signatures and the verifier here are IN's.
    return fail(Errc::Usage, "zonekiln signs class IN zones only; this zone is class " +
                                 class_to_string(store.rclass) +
                                 " (compile reads and writes zones of any class)");
  }
  if (diag.has_errors()) return zone_errors(diag);
  // Before anything is written: no output may replace an input, a key or the key state.
  OutputGuard guard = input_guard(options, diag);
  if (auto g = guard.check_all(options.outputs); !g) {
    if (outcome) outcome->output_refused = true;
    return fail(g.error());
  }
  stats.records_in = store.rrs.size();

  stats.duplicates = sort_zone(store);
  stats.out_of_zone = drop_out_of_zone(store, diag);
  clock.lap("sort");
  ZoneIndex index = build_index(store);
  check_zone(store, index, diag);
  if (!options.sign) check_cds(store, index, diag);
  clock.lap("check");
  if (diag.has_errors()) return zone_errors(diag);

  detail::WritePlan plan;
  detail::KeyPlan keys;
  detail::KeyRun run;
  run.state_now = options.signing.now;
  // The previous output's apex (serial, ZONEMD, key RRsets); the rest is read as a stream.
  detail::PreviousZone previous;
  bool have_previous = false;
  std::unique_ptr<detail::PreviousStream> previous_stream;
  const SignOptions& sopts = options.signing;
  // Where the previous signatures are read from (incremental signing).
  const std::string& prev_path = !sopts.previous.empty() ? sopts.previous : options.output;
  bool signing = false;
  // A dry run records nothing: neither the run nor its key events.
  auto record_run = [&](const signer::KeyPlan& kplan, signer::RunRecord rec) -> Result<void> {
    if (sopts.dry_run) return ok();
    return signer::commit_run(sopts.key_dir, run.file, kplan, run.state_now, std::move(rec));
  };
  // After the keys were prepared a failure is the run's: the state records it (commit_failure)
  // and the metrics say so.
  auto run_failed = [&](const Error& failure) -> Unexpected {
    Error e = failure;
    if (sopts.dry_run) {
      if (e.code == Errc::KeyActionNeeded) {
        e = worse_if_expired(std::move(e),
                             !sopts.previous.empty() ? sopts.previous : options.output, sopts.now);
      }
    } else if (run.keys && e.code == Errc::KeyActionNeeded) {
      // Nothing written because a key needs its owner: the owner states and the run are
      // recorded, no key event. Worse when the published zone's signatures have run out.
      e = worse_if_expired(std::move(e), !sopts.previous.empty() ? sopts.previous : options.output,
                           sopts.now);
      signer::RunRecord rec;
      rec.exit_code = exit_code_for(e.code);
      rec.summary = e.detail;
      (void)record_run(run.keys->plan, std::move(rec));
      if (outcome && e.code != Errc::KeyActionNeeded) outcome->internal_failure = true;
    } else if (run.keys) {
      (void)signer::commit_failure(sopts.key_dir, run.file, run.keys->plan, run.state_now,
                                   e.detail);
      if (outcome) outcome->internal_failure = true;
    }
    return fail(std::move(e));
  };
  // --changes: the RRsets added, removed and changed since the previous output (at prev_path,
  // when there is one), as Stats::changes_json.
  std::error_code no_file;
  const bool previous_exists = !prev_path.empty() && prev_path != "-" &&
                               std::filesystem::is_regular_file(prev_path, no_file);
  auto set_changes = [&](const detail::Changes& changes) {
    stats.changes_json =
        detail::changes_json(changes, origin.view(), previous_exists ? &prev_path : nullptr,
                             stats.serial_old, stats.serial_new);
  };
  if (options.sign) {
    stats.clamped_rrsets = clamp_ttls(store, sopts.max_ttl);
    stats.max_ttl = sopts.max_ttl;
    uint32_t max_zone_ttl = 0;
    for (const RR& rr : store.rrs) max_zone_ttl = std::max(max_zone_ttl, rr.ttl);
    const RR* first_soa = apex_soa(store);
    if (first_soa == nullptr) return fail(Errc::ZoneCheck, "no SOA at the apex");
    const uint32_t dnskey_ttl =
        sopts.dnskey_ttl ? *sopts.dnskey_ttl
                         : std::min<uint32_t>(soa_fields(first_soa->rdata_span()).minimum, 3600);
    run.origin_text = signer::normalize_origin(name_to_string(origin));
    run.policy = detail::sign_policy(sopts, max_zone_ttl, dnskey_ttl);
    const bool skr = !sopts.skr.empty();
    std::vector<signer::SkrRecord> skr_records;
    bool not_signing = false;
    std::vector<std::vector<uint8_t>> ours;
    if (skr) {
      // Offline KSK: this run's period of the signed key response gives the DNSKEY, CDS and
      // CDNSKEY RRsets with their RRSIGs, and names the ZSK that signs everything else.
      auto started = detail::start_skr_run(sopts, origin, run, keys, skr_records, stats);
      if (!started) return fail(started.error());
      keys.dnskey_ttl = dnskey_ttl;
      for (const auto& r : skr_records) {
        if (r.type == rrtype::DNSKEY) ours.push_back(r.rdata);
      }
      clock.lap("keys");
    } else {
      auto started = detail::start_key_run(sopts, origin, run, diag, stats, guard, options.outputs);
      if (options.note) {  // key events now, before the long signing pass
        for (; stats.notes_reported < stats.notes.size(); ++stats.notes_reported) {
          options.note(stats.notes[stats.notes_reported]);
        }
      }
      if (outcome) {
        outcome->output_refused = run.output_refused;
        if (!run.output_refused) fill_outcome(*outcome, run, run.state_now);
      }
      if (!started) return fail(started.error());
      clock.lap("keys");
      const signer::KeyPlan& kplan = run.keys->plan;
      not_signing = kplan.state.state == signer::ZoneState::NotSigning;
      if (!not_signing && !kplan.can_sign) {
        // Nothing is written; the state records why (ACTION_NEEDED / INTERNAL_FAILURE).
        std::string why = kplan.state.state_why;
        for (const auto& a : kplan.owner_actions) why += "; " + a;
        Error e = make_error(kplan.state.state == signer::ZoneState::InternalFailure
                                 ? Errc::Internal
                                 : Errc::KeyActionNeeded,
                             "cannot sign " + run.origin_text + ": " + why);
        const std::string& prev = !sopts.previous.empty() ? sopts.previous : options.output;
        e = worse_if_expired(std::move(e), prev, sopts.now);
        signer::RunRecord rec;
        rec.exit_code = exit_code_for(e.code);
        rec.summary = e.detail;
        (void)record_run(kplan, std::move(rec));
        if (outcome) {
          fill_outcome(*outcome, run, run.state_now);
          outcome->internal_failure = outcome->internal_failure || e.code != Errc::KeyActionNeeded;
        }
        return fail(std::move(e));
      }
      keys = detail::key_plan_of(run, sopts, origin, dnskey_ttl);
      // Every DNSKEY zonekiln ever recorded for the zone is ours: re-signing replaces them.
      ours = keys.dnskeys;
      for (const auto& k : kplan.state.keys) {
        if (auto raw = zk::base64_decode(k.dnskey)) ours.emplace_back(raw->begin(), raw->end());
      }
    }
    signing = !not_signing;
    StripResult stripped = strip_dnssec(store, ours, sopts.cds || not_signing || skr);
    stats.dnssec_removed = stripped.removed;
    // An input ZONEMD cannot match the re-signed zone: replaced with --zonemd, else dropped.
    if (const size_t old_zonemd = detail::drop_apex_zonemd(store); old_zonemd != 0) {
      stats.dnssec_removed += old_zonemd;
      if (sopts.zonemd_hash == 0) {
        stats.notes.push_back(
            "removed the apex ZONEMD of the input (it cannot match the signed "
            "zone; use --zonemd to publish a new one)");
      }
    }
    for (uint16_t tag : stripped.kept_dnskey_tags) {
      stats.notes.push_back("kept DNSKEY " + std::to_string(tag) +
                            " from the zone file (not a key of zonekiln's state in " +
                            sopts.key_dir + ")");
    }
    // Incremental signing: the previous output's RRSIGs over unchanged RRsets are reused.
    if (signing) {  // with --full only for the serial
      std::string why;
      previous = detail::PreviousZone::apex(prev_path, origin, &why);
      if (previous.broken()) stats.notes.push_back(not_in_order(why));
      have_previous = previous.has_serial();
    }
    // Stripping keeps the order, so the apex is still the first owner.
    stats.serial_old = soa_fields(apex_soa(store)->rdata_span()).serial;
    if (have_previous && sopts.serial != SerialPolicy::Keep &&
        serial_lt(stats.serial_old, previous.serial())) {
      // Continue from the serial last published, not the source file's older one.
      set_serial(store, previous.serial());
      stats.serial_old = previous.serial();
    }
    // When the last zone published was written unsigned (`unsign`, or a NOT_SIGNING run) after
    // the previous signed output, the state has its serial: never go below it (RFC 1982), and
    // publish anew when behind.
    bool behind_published = false;
    if (run.keys && run.keys->plan.state.last_serial && sopts.serial != SerialPolicy::Keep &&
        run.keys->plan.state.last_published_unsigned() &&
        serial_lt(stats.serial_old, *run.keys->plan.state.last_serial)) {
      set_serial(store, *run.keys->plan.state.last_serial);
      stats.serial_old = *run.keys->plan.state.last_serial;
      behind_published = true;
    }
    // With a previous output the serial moves only when the output changes (decided below).
    stats.serial_new = have_previous && !behind_published
                           ? stats.serial_old
                           : update_serial(store, sopts.serial, sopts.now);
    const RR soa_rr = *apex_soa(store);  // a copy: adding records below may reallocate
    const SoaFields soa = soa_fields(soa_rr.rdata_span());
    // RFC 9077 s3: NSEC/NSEC3 TTL = min(SOA TTL, SOA MINIMUM).
    plan.chain_ttl = std::min(soa_rr.ttl, soa.minimum);
    if (signing) {
      const size_t sorted = store.rrs.size();
      if (auto r = detail::add_key_records(store, soa_rr.owner, keys, sopts.cds && !skr,
                                           sopts.nsec3, plan.chain_ttl);
          !r) {
        return run_failed(r.error());
      }
      for (const auto& r : skr_records) {
        // Published as the KSK's owner signed them: records and RRSIGs exactly as in the SKR.
        const uint8_t* p = store.arena().copy(r.rdata.data(), r.rdata.size());
        const RR rr{soa_rr.owner, p, r.ttl, r.type, static_cast<uint16_t>(r.rdata.size())};
        if (r.type == rrtype::RRSIG) {
          keys.kept_key_rrsigs.push_back(rr);
        } else {
          store.rrs.push_back(rr);
        }
      }
      if (sopts.zonemd_hash != 0) {
        // The previous output's ZONEMD, so that an unchanged zone can stay untouched
        // (nothing_to_do; its digest is checked then); else the placeholder. Either is made the
        // placeholder with the final serial below when the zone is written.
        const std::vector<uint8_t> kept =
            have_previous && !previous.broken()
                ? detail::zonemd_candidate(previous, sopts.zonemd_hash)
                : std::vector<uint8_t>();
        if (!kept.empty()) {
          detail::add_zonemd_record(store, soa_rr.owner, soa_rr.ttl, kept);
        } else {
          detail::add_zonemd_placeholder(store, soa_rr.owner, soa_rr.ttl, stats.serial_new,
                                         sopts.zonemd_hash);
        }
      }
      merge_added(store, sorted);
      if (keys.ksks.empty() && !skr) {
        // The KSK needs its owner: publish the DNSKEY RRset as last signed, if still valid.
        auto kept = kept_key_rrsigs(store, prev_path, previous, sopts.now);
        if (!kept) return run_failed(kept.error());
        keys.kept_key_rrsigs = std::move(*kept);
        stats.notes.push_back("kept " + std::to_string(keys.kept_key_rrsigs.size()) +
                              " DNSKEY/CDS/CDNSKEY RRSIG(s) from " + prev_path +
                              " (the KSK needs its owner)");
      }
    }
    index = build_index(store);
    clock.lap("prepare");

    if (signing) {
      plan.keys = &keys;
      plan.chain = sopts.nsec3.enabled ? detail::ChainKind::Nsec3 : detail::ChainKind::Nsec;
      plan.reuse.now = sopts.now;
      plan.reuse.signer = store.origin.view();
      plan.reuse.renewal = signer::renewal_schedule(run.policy);
      stats.run_interval = run.policy.run_interval;
      stats.renewal_expected_share = signer::expected_share(plan.reuse.renewal);
      if (outcome) outcome->renewal_expected_share = stats.renewal_expected_share;
    }
    if (have_previous && (sopts.full || previous.broken() || behind_published)) {
      if (!behind_published) stats.serial_new = update_serial(store, sopts.serial, sopts.now);
      // Behind the published serial (moved on above): a new output, still reusing what it can.
      if (behind_published && !sopts.full && !previous.broken()) {
        previous_stream = std::make_unique<detail::PreviousStream>(prev_path, origin);
        plan.previous = previous_stream.get();
      }
    } else if (have_previous) {
      detail::Unchanged same = detail::nothing_to_do(store, index, prev_path, keys, plan.reuse,
                                                     plan.chain, sopts.nsec3.opt_out);
      if (same.unchanged && sopts.zonemd_hash != 0 &&
          !detail::zonemd_verifies(prev_path, previous, sopts.zonemd_hash)) {
        same.unchanged = false;
      }
      if (same.unchanged) {
        // The previous output is this run's output: leave the file (and its mtime) alone.
        clock.lap("compare");
        if (!sopts.dry_run) {
          if (auto d = refresh_ds_file(store, keys, sopts); !d) return run_failed(d.error());
        }
        if (run.keys) {
          signer::RunRecord rec;
          rec.exit_code = signer::run_exit_code(run.keys->plan);
          rec.serial = stats.serial_old;  // the published zone stays the one with this serial
          rec.rrsets_reused = same.rrsets;
          rec.ttl_clamped = stats.clamped_rrsets;
          rec.summary = "nothing changed and no signature due; output left untouched";
          if (rec.exit_code != 0) rec.summary += "; " + run.keys->plan.state.state_why;
          if (auto c = record_run(run.keys->plan, std::move(rec)); !c) return fail(c.error());
        }
        // The data is the previous output's: nothing added, removed or changed.
        if (sopts.want_changes) set_changes(detail::Changes{});
        stats.unchanged = true;
        stats.renewal_forecast = std::move(same.forecast);
        stats.notes.push_back("nothing changed and no signature due: " + prev_path +
                              " left untouched");
        if (outcome) {
          fill_outcome(*outcome, run, run.state_now);
          outcome->exit_code = run.keys ? signer::run_exit_code(run.keys->plan) : 0;
          if (outcome->exit_code == 0) outcome->last_success = sopts.now;
          outcome->unchanged = true;
          if (same.earliest_expiration != INT64_MAX) {
            outcome->earliest_expiration = same.earliest_expiration;
          }
        }
        return stats;
      }
      if (!same.bad.empty()) {
        stats.notes.push_back(not_in_order(same.bad));
      } else {
        previous_stream = std::make_unique<detail::PreviousStream>(prev_path, origin);
        plan.previous = previous_stream.get();
      }
      stats.serial_new = update_serial(store, sopts.serial, sopts.now);
      clock.lap("compare");
    }
    if (signing && sopts.zonemd_hash != 0) {
      detail::reset_zonemd_placeholder(store, stats.serial_new, sopts.zonemd_hash);
    }
  }
  plan.store = &store;
  plan.index = &index;
  if (auto r = detail::build_chain(plan, sopts.nsec3); !r) return run_failed(r.error());
  if (signing) clock.lap("chain");

  const bool zonemd = signing && sopts.zonemd_hash != 0;
  if (zonemd && options.output == "-") {
    return fail(Errc::Usage, "--zonemd needs an output file: stdout cannot be patched");
  }
  // A dry run writes no file, so there is nothing to digest.
  if (zonemd && !sopts.dry_run) plan.zonemd_hash = sopts.zonemd_hash;
  // Stdout cannot be taken back: check the whole previous output before reusing from it.
  if (plan.previous && options.output == "-") {
    if (std::string why; !detail::previous_in_order(prev_path, origin, &why)) {
      stats.notes.push_back(not_in_order(why));
      plan.previous = nullptr;
    }
  }
  const char* write_stage = !options.sign                      ? "write"
                            : sopts.verify == VerifyMode::None ? "sign+write"
                                                               : "sign+verify+write";
  const std::function<void(uint64_t, uint64_t)> write_progress =
      [&](uint64_t done, uint64_t total) { options.progress(write_stage, done, total); };
  if (options.progress && !sopts.dry_run) plan.progress = &write_progress;
  plan.dry_run = sopts.dry_run;
  plan.want_changes = options.sign && sopts.want_changes;

  // Verify-before-publish: each chunk is checked as it is made, so a failure stops the pass
  // before the output replaces the previous file. Checked at the current time, kept inside
  // the signatures' window so that pre-signing (inception in the future) passes.
  // A dry run makes the same pass (the same reuse decisions, the previous output streamed the
  // same way) with no file, no signing and no verification.
  std::unique_ptr<ChunkVerifier> verifier;
  std::optional<emit::OutputFile> out;
  std::unique_ptr<detail::PreviousStream> changes_stream;
  auto write_pass = [&]() -> Result<detail::WriteStats> {
    plan.verifier = nullptr;
    verifier.reset();
    // --changes with nothing reused: the previous output is streamed for the changes alone.
    changes_stream.reset();
    plan.changes_from = nullptr;
    if (plan.want_changes && !plan.previous && previous_exists) {
      changes_stream = std::make_unique<detail::PreviousStream>(prev_path, origin);
      plan.changes_from = changes_stream.get();
    }
    if (sopts.dry_run) return detail::write_zone(plan, nullptr);
    if (signing && sopts.verify != VerifyMode::None) {
      VerifyOptions vo;
      vo.now = std::clamp(sopts.now, sopts.inception, sopts.expiration);
      vo.crypto = sopts.verify == VerifyMode::Full;
      auto v = ChunkVerifier::create(
          store, index,
          sopts.nsec3.enabled ? ChunkVerifier::ChainKind::Nsec3 : ChunkVerifier::ChainKind::Nsec,
          sopts.nsec3, vo);
      if (!v) {
        return fail(Errc::VerifyFailed, "own output failed verification: " + v.error().detail);
      }
      verifier = std::move(*v);
      plan.verifier = verifier.get();
    }
    out.reset();  // a pass that failed leaves nothing behind
    auto o = emit::OutputFile::open(options.output);
    if (!o) return fail(o.error());
    out = std::move(*o);
    return detail::write_zone(plan, &*out);
  };
  auto written = write_pass();
  if (!written && plan.previous && plan.previous->bad()) {
    // An edited previous output: what was reused from it may be wrong, so none of it is.
    stats.notes.push_back(not_in_order(plan.previous->why()));
    plan.previous = nullptr;
    written = write_pass();
  }
  if (!written) return run_failed(written.error());
  if (plan.want_changes) {
    if (written->changes_complete) {
      set_changes(written->changes);
    } else {
      // An edited previous output cannot be read beside the zone: read whole, for --changes
      // only.
      std::string why;
      set_changes(detail::changes_from_file(store, prev_path, &why));
      if (!why.empty()) stats.notes.push_back("--changes: " + why);
    }
  }
  if (sopts.dry_run) return dry_run_result(*written, plan, stats, run, run.state_now, outcome);
  if (zonemd) {
    clock.lap(sopts.verify == VerifyMode::None ? "sign+write" : "sign+verify+write");
    const RR soa_rr = *apex_soa(store);
    if (auto r = detail::finalize_zonemd(*out, *written, origin, keys, store.rclass, soa_rr.ttl,
                                         stats.serial_new, sopts.zonemd_hash);
        !r) {
      return run_failed(r.error());
    }
  }
  // The DS set is written and synced beside the zone before anything is published.
  std::optional<emit::OutputFile> ds_out;
  if (signing && !sopts.ds_output.empty()) {
    auto ds = detail::ds_text(store, keys);
    if (!ds) return run_failed(ds.error());
    auto f = synced_output(sopts.ds_output, *ds);
    if (!f) return run_failed(f.error());
    ds_out = std::move(*f);
  }
  if (auto s = out->sync(); !s) return run_failed(s.error());
  crash_point("commit");
  // What the state's run history says of this run, once the zone is out.
  signer::RunRecord rec;
  if (run.keys) {
    rec.exit_code = signer::run_exit_code(run.keys->plan);
    rec.serial = stats.serial_new;
    rec.unsigned_zone = !signing;
    rec.rrsets_signed = written->rrsets_signed;
    rec.rrsets_reused = written->rrsets_reused;
    rec.ttl_clamped = stats.clamped_rrsets;
    rec.summary =
        signing
            ? "signed " + std::to_string(written->rrsets) + " RRsets (" +
                  std::to_string(written->rrsets_signed) + " signed, " +
                  std::to_string(written->rrsets_reused) + " reused), serial " +
                  std::to_string(stats.serial_old) + " -> " + std::to_string(stats.serial_new)
            : "wrote the zone unsigned (NOT_SIGNING), serial " + std::to_string(stats.serial_new);
    if (rec.exit_code != 0) rec.summary += "; " + run.keys->plan.state.state_why;
  }
  const Committed committed =
      commit_in_order(*out, ds_out ? &*ds_out : nullptr, run, sopts, stats, std::move(rec));
  if (committed.error && !committed.published) return run_failed(*committed.error);
  // Published, and the state agrees with the zone; only the DS set could not be replaced.
  if (committed.error) return fail(*committed.error);
  clock.lap(zonemd                             ? "zonemd+commit"
            : !options.sign                    ? "write"
            : sopts.verify == VerifyMode::None ? "sign+write"
                                               : "sign+verify+write");
  stats.verify_warnings = written->verify_warnings;
  stats.records_out = written->records;
  stats.rrsets = written->rrsets;
  stats.signatures = written->signatures;
  stats.nsec = written->nsec;
  stats.nsec3 = written->nsec3;
  stats.rrsets_signed = written->rrsets_signed;
  stats.rrsets_reused = written->rrsets_reused;
  stats.signatures_reused = written->signatures_reused;
  stats.rrsets_renewed_early = written->rrsets_renewed_early;
  if (signing) {
    const size_t runs = signer::forecast_runs(plan.reuse.renewal);
    stats.renewal_forecast.assign(written->forecast.begin(), written->forecast.begin() + runs);
  }
  stats.resign = written->resign;

  if (options.sign && outcome) {
    fill_outcome(*outcome, run, run.state_now);
    outcome->exit_code = run.keys ? signer::run_exit_code(run.keys->plan) : 0;
    if (outcome->exit_code == 0) outcome->last_success = sopts.now;
    outcome->rrsets_signed = written->rrsets_signed;
    outcome->rrsets_reused = written->rrsets_reused;
    outcome->rrsets_renewed_early = written->rrsets_renewed_early;
    if (written->signatures > 0) outcome->earliest_expiration = written->earliest_expiration;
  }
  return stats;
}

}  // namespace zk::pipeline
