// The compile/sign driver: runs the stages in order and times them.
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
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
#include "pipeline/detail/fingerprint.hpp"
#include "pipeline/detail/keys.hpp"
#include "pipeline/detail/previous.hpp"
#include "pipeline/detail/spill.hpp"
#include "pipeline/detail/verify_core.hpp"
#include "pipeline/detail/writer.hpp"
#include "pipeline/detail/zonemd_sign.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/verify.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/lifecycle/renewal.hpp"
#include "signer/lifecycle/skr.hpp"
#include "signer/lifecycle/status.hpp"

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

// Where a spilling compile keeps its unnamed files: --temp-dir, else beside the output.
std::string spill_dir(const CompileOptions& o) {
  if (!o.temp_dir.empty()) return o.temp_dir;
  if (o.output != "-") {
    const std::string d = std::filesystem::path(o.output).parent_path().string();
    return d.empty() ? "." : d;
  }
  return "/tmp";  // the CLI passes $TMPDIR
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
                          Stats& stats, signer::RunRecord rec,
                          const std::function<void()>& before_finish) {
  signer::Publication p;
  if (zone.path() != "-") {
    const emit::OutputFile::Identity& id = zone.identity();
    p.target = signer::PublishTarget{zone.path(), id.dev, id.ino, id.size};
  }
  p.publish = [&]() -> Result<void> {
    crash_point("pending");
    return zone.publish();
  };
  std::optional<Error> ds_error;
  p.after_publish = [&] {
    if (ds) {
      if (auto r = ds->publish(); !r) {
        ds_error = make_error(Errc::WriteFailed,
                              "published " + zone.path() + " and recorded its key state, but " +
                                  r.error().detail + "; the DS set was not replaced (the next " +
                                  "run writes it, or run `zonekiln ds`)");
      }
    }
    crash_point("state");
  };
  p.before_finish = before_finish;
  signer::CommitResult r = signer::commit_sign_run(run, std::move(rec), p);
  stats.notes.insert(stats.notes.end(), r.notes.begin(), r.notes.end());
  return Committed{r.published, r.error ? r.error : ds_error};
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

// One compile or sign run: the stages in the order they run, sharing the zone and the plan.
// compile_zone below reads as the pipeline; each stage is one method with what it decides.
class Compilation {
 public:
  Compilation(const CompileOptions& options, Diagnostics& diag, SignOutcome* outcome)
      : options_(options),
        sopts_(options.signing),
        diag_(diag),
        outcome_(outcome),
        clock_(stats_, options.progress),
        prev_path_(!options.signing.previous.empty() ? options.signing.previous : options.output) {
    key_run_.state_now = sopts_.now;
    std::error_code no_file;
    previous_exists_ = !prev_path_.empty() && prev_path_ != "-" &&
                       std::filesystem::is_regular_file(prev_path_, no_file);
  }

  std::optional<Stats> unchanged_by_fingerprint();
  bool spills();
  Result<void> compile_spilled();
  Result<void> survey_spilled();
  Result<void> parse();
  Result<void> sort_and_check();
  Result<void> plan_keys();
  void strip_old_dnssec();
  void settle_serial();
  Result<void> add_key_records();
  Result<bool> compare_with_previous();
  Result<detail::Unchanged> unchanged_slices();
  Result<void> build_chain();
  Result<void> sign_verify_write();
  Result<void> commit();

  bool dry_run() const noexcept { return sopts_.dry_run; }
  Result<Stats> dry_run_stats() {
    return dry_run_result(*written_, plan_, stats_, key_run_, key_run_.state_now, outcome_);
  }
  Stats unchanged_stats() { return std::move(stats_); }
  Stats written_stats();

 private:
  parser::ParseOptions parse_options();
  Result<void> parse_spilled(uint16_t& rclass);
  using SliceVisit = std::function<Result<bool>(ZoneStore& slice, ZoneIndex& index, size_t k)>;
  Result<void> each_slice(const SliceVisit& fn, uint64_t& clamped, uint64_t& removed);
  Result<detail::WriteStats> write_slices_signed();
  // A spilled sign's NSEC3 records: one sorted run per slice, merged into the chain at the end.
  struct SpilledNsec3 {
    detail::SpillFile file;
    std::vector<detail::RunRef> runs;
    size_t next_offset = 0;  // of the next hashed owner in the RDATA
    uint64_t records = 0;
    uint64_t min = 0, max = 0;  // how many the verifier allows (sum of the slices')
  };
  Result<void> spill_nsec3(const detail::WritePlan& plan, const ChunkVerifier* verifier,
                           SpilledNsec3& nsec3, detail::WriteStats& total);
  Result<void> write_nsec3_spilled(SpilledNsec3& nsec3, detail::WriteStats& total);
  Result<void> guard_outputs();
  Result<void> start_state_keys(uint32_t dnskey_ttl);
  Unexpected refuse_unsignable();
  Result<void> finish_unchanged(detail::Unchanged same);
  void record_fingerprint(int64_t next_renewal, int64_t earliest_expiration, uint32_t serial);
  Result<detail::WriteStats> write_pass();
  void record_changes(const detail::WriteStats& written);
  Result<void> record_run(signer::RunRecord rec);
  signer::RunRecord run_record(const detail::WriteStats& written) const;
  Unexpected run_failed(const Error& failure);
  void set_changes(const detail::Changes& changes);
  void fill_outcome_now() {
    if (outcome_) fill_outcome(*outcome_, key_run_, key_run_.state_now);
  }

  const CompileOptions& options_;
  const SignOptions& sopts_;
  Diagnostics& diag_;
  SignOutcome* outcome_;
  Stats stats_;
  StageClock clock_;
  // Where the previous signatures are read from (incremental signing).
  const std::string& prev_path_;
  bool previous_exists_ = false;

  ZoneStore store_;
  Name origin_;
  OutputGuard guard_;
  ZoneIndex index_;
  detail::WritePlan plan_;
  detail::KeyPlan keys_;
  detail::KeyRun key_run_;
  std::vector<signer::SkrRecord> skr_records_;
  std::vector<std::vector<uint8_t>> ours_;  // every DNSKEY zonekiln signs with or ever did
  bool not_signing_ = false;                // the state says NOT_SIGNING: written unsigned
  bool signing_ = false;
  // The previous output's apex (serial, ZONEMD, key RRsets); the rest is read as a stream.
  detail::PreviousZone previous_;
  bool have_previous_ = false;
  bool behind_published_ = false;
  std::unique_ptr<detail::PreviousStream> previous_stream_;
  std::unique_ptr<detail::PreviousStream> changes_stream_;
  std::unique_ptr<ChunkVerifier> verifier_;
  std::optional<emit::OutputFile> out_;
  std::optional<detail::WriteStats> written_;
  std::function<void(uint64_t, uint64_t)> write_progress_;
  bool zonemd_ = false;

  // A run that spills (--memory-limit): the zone as sorted runs on disk, and for sign what the
  // first pass over them found (survey_spilled) for the second, which signs slice by slice.
  bool spilled_ = false;
  detail::SpillBudget budget_;
  std::string spill_dir_;
  std::optional<detail::SpilledRecords> spilled_records_;
  std::vector<Name> slice_starts_;                // the first owner of each slice after the first
  uint64_t spilled_names_ = 0;                    // owner nodes of every slice
  uint32_t spilled_max_ttl_ = 0;                  // the zone's largest TTL, before the clamp
  uint64_t apex_clamped_ = 0, apex_removed_ = 0;  // at the apex (plan_keys, strip_old_dnssec)
  uint64_t progress_done_ = 0;                    // names (and NSEC3 records) written so far
};

// Nothing changed and nothing due, known from the fingerprint the last run recorded in the key
// state (pipeline/detail/fingerprint.hpp), without reading the zone: the run only records itself
// in the state. nullopt: run the stages, which decide the same question the long way.
std::optional<Stats> Compilation::unchanged_by_fingerprint() {
  if (!detail::fingerprint_eligible(options_)) return std::nullopt;
  const std::string origin_text = signer::normalize_origin(name_to_string(options_.origin.view()));
  auto unchanged = signer::commit_unchanged_run(
      sopts_.key_dir, origin_text, sopts_.now, sopts_.lock_wait,
      [&](const signer::ZoneKeyState& zone, const signer::RunFingerprint& fp) {
        return detail::keys_in_files(zone) &&
               detail::input_fingerprint(options_, fp.files, zone) == fp.inputs;
      });
  if (!unchanged) return std::nullopt;
  const signer::RunFingerprint& fp = unchanged->fingerprint;
  clock_.lap("fingerprint");
  stats_.unchanged = true;
  if (fp.serial) stats_.serial_old = stats_.serial_new = *fp.serial;
  stats_.notes.push_back("nothing changed since " + time_to_iso(fp.at) +
                         " and nothing due before " + time_to_iso(fp.due) + ": " + options_.output +
                         " left untouched without reading the zone");
  if (outcome_) {
    key_run_.origin_text = origin_text;
    key_run_.file = std::move(unchanged->file);
    fill_outcome_now();
    outcome_->exit_code = 0;
    outcome_->last_success = sopts_.now;
    outcome_->unchanged = true;
    outcome_->earliest_expiration = fp.earliest_expiration;
  }
  return std::move(stats_);
}

// After a run that published (or left unchanged) its output and needs nothing from anyone:
// records in the in-memory key state the fingerprint of its inputs and when the next signature
// renewal or key event falls due, for unchanged_by_fingerprint. The caller writes the state.
void Compilation::record_fingerprint(int64_t next_renewal, int64_t earliest_expiration,
                                     uint32_t serial) {
  if (!detail::fingerprint_eligible(options_, /*recording=*/true) || !key_run_.keys) return;
  const signer::KeyPlan& plan = key_run_.keys->plan;
  if (!plan.can_sign || plan.cds_delete || plan.dnskey_frozen ||
      plan.state.state != signer::ZoneState::Signing || !plan.owner_actions.empty() ||
      signer::run_exit_code(plan) != 0 || next_renewal == INT64_MAX) {
    return;
  }
  signer::ZoneKeyState* zone = key_run_.file.find(key_run_.origin_text);
  if (zone == nullptr || !detail::keys_in_files(*zone)) return;
  int64_t due = next_renewal;
  if (plan.next_action_at) due = std::min(due, *plan.next_action_at);
  if (due <= sopts_.now) return;
  signer::RunFingerprint fp;
  fp.files.push_back(options_.zone_file);
  for (uint32_t i = 1; i < diag_.file_count(); ++i) fp.files.push_back(diag_.file_name(i));
  fp.at = sopts_.now;
  fp.due = due;
  fp.earliest_expiration = earliest_expiration;
  fp.serial = serial;
  // Hashed as the state will be stored: without the pending mark commit_finish drops.
  signer::ZoneKeyState stored = *zone;
  stored.pending.reset();
  fp.inputs = detail::input_fingerprint(options_, fp.files, stored);
  zone->fingerprint = std::move(fp);
}

// parse: the zone file (and what it $INCLUDEs) into the store; the outputs checked against the
// inputs before anything is written.
parser::ParseOptions Compilation::parse_options() {
  diag_.set_strict(options_.strict);
  origin_ = Name(options_.origin.view());
  origin_.to_lower();
  parser::ParseOptions popts;
  popts.origin = origin_;
  popts.origin_set = true;
  popts.include_dirs = options_.include_dirs;
  popts.default_class = options_.rclass != 0 ? options_.rclass : rrclass::IN;
  popts.class_set = options_.rclass != 0;
  popts.budget = options_.budget;
  return popts;
}

// Before anything is written: no output may replace an input, a key or the key state.
Result<void> Compilation::guard_outputs() {
  guard_ = input_guard(options_, diag_);
  if (auto g = guard_.check_all(options_.outputs); !g) {
    if (outcome_) outcome_->output_refused = true;
    return fail(g.error());
  }
  return ok();
}

Result<void> Compilation::parse() {
  const parser::ParseOptions popts = parse_options();
  if (auto r = parser::parse_file(options_.zone_file, popts, store_, diag_); !r)
    return fail(r.error());
  store_.origin = origin_;
  clock_.lap("parse");
  if (options_.sign && store_.rclass != rrclass::IN) {
    // DNSSEC is defined for every class, but keys, signatures and the verifier here are IN's.
    return fail(Errc::Usage, "zonekiln signs class IN zones only; this zone is class " +
                                 class_to_string(store_.rclass) +
                                 " (compile reads and writes zones of any class)");
  }
  if (diag_.has_errors()) return zone_errors(diag_);
  if (auto g = guard_outputs(); !g) return g;
  stats_.records_in = store_.rrs.size();
  return ok();
}

// A run spills when its in-memory run would outgrow --memory-limit (estimated from the zone
// file's size; what it $INCLUDEs is not known before the parse). An NSEC3 zone with ZONEMD is
// signed in memory: its digest interleaves the NSEC3 records, which a spilled sign makes last,
// with the names (a note says so).
bool Compilation::spills() {
  if (options_.memory_limit == 0) return false;
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(options_.zone_file, ec);
  if (ec) return false;  // the parse reports what is wrong with the file
  if (size * detail::kMemoryPerInputByte <= options_.memory_limit) return false;
  if (options_.sign && sopts_.zonemd_hash != 0 && sopts_.nsec3.enabled) {
    stats_.notes.push_back(
        "signed in memory, above --memory-limit: a spilled sign does not make the ZONEMD digest "
        "of an NSEC3 zone yet");
    return false;
  }
  spilled_ = true;
  budget_ = detail::SpillBudget::from_limit(options_.memory_limit);
  spill_dir_ = spill_dir(options_);
  return true;
}

// The zone read in waves, each sorted and written to disk as a run (spilled_records_).
Result<void> Compilation::parse_spilled(uint16_t& rclass) {
  parser::ParseOptions popts = parse_options();
  // Waves are whole chunks: a small limit needs small ones.
  popts.chunk_bytes = std::clamp<size_t>(budget_.wave_bytes / 4, 1024, popts.chunk_bytes);
  auto file = detail::SpillFile::create(spill_dir_);
  if (!file) return fail(file.error());
  spilled_records_.emplace(detail::SpilledRecords{std::move(*file), {}, 0, 0});
  detail::SpilledRecords& records = *spilled_records_;
  detail::RunSpiller spiller(records.file);
  rclass = popts.default_class;
  const parser::WaveSink sink = [&](ZoneStore&& wave) -> Result<void> {
    rclass = wave.rclass;
    // A zone with errors is not written: its records need not go to disk.
    if (diag_.has_errors()) return ok();
    return spiller.spill(wave);
  };
  if (auto r = parser::parse_file_waves(options_.zone_file, popts, {budget_.wave_bytes, spill_dir_},
                                        sink, diag_);
      !r) {
    return fail(r.error());
  }
  records.runs = spiller.runs();
  records.records = spiller.records();
  records.duplicates = spiller.duplicates();
  clock_.lap("parse");
  if (options_.sign && rclass != rrclass::IN) {
    return fail(Errc::Usage, "zonekiln signs class IN zones only; this zone is class " +
                                 class_to_string(rclass) +
                                 " (compile reads and writes zones of any class)");
  }
  if (diag_.has_errors()) return zone_errors(diag_);
  if (auto g = guard_outputs(); !g) return g;
  stats_.records_in = records.records + records.duplicates;
  stats_.spill_runs = records.runs.size();
  return ok();
}

// sign, spilled, first pass: the merged runs cut into slices and checked as compile does,
// keeping what the stages before the signing pass need of the whole zone: the apex records
// (store_ holds them from here on, as if the zone were only its apex), the largest TTL, where
// each slice starts (an NSEC chain crosses from one slice to the next there) and how many
// names there are.
Result<void> Compilation::survey_spilled() {
  uint16_t rclass = rrclass::IN;
  if (auto r = parse_spilled(rclass); !r) return r;
  store_.origin = origin_;
  store_.rclass = rclass;
  const detail::SliceFn survey = [&](ZoneStore& slice, ZoneIndex& index,
                                     bool first) -> Result<bool> {
    for (const RR& rr : slice.rrs) spilled_max_ttl_ = std::max(spilled_max_ttl_, rr.ttl);
    spilled_names_ += index.nodes.size();
    if (!first) {
      slice_starts_.emplace_back(slice.rrs.front().owner->name());
      return true;
    }
    const OwnerNode& apex = index.nodes[index.apex];
    const Owner* owner = detail::copy_owner(store_.arena(), apex.owner);
    for (uint32_t k = apex.first; k < apex.first + apex.count; ++k) {
      RR rr = slice.rrs[k];
      rr.owner = owner;
      rr.rdata = store_.arena().copy(rr.rdata, rr.rdlen);
      store_.rrs.push_back(rr);
    }
    return true;
  };
  auto run = detail::merge_slices(*spilled_records_, origin_, rclass, budget_, spill_dir_, {},
                                  diag_, survey);
  if (!run) return fail(run.error());
  clock_.lap("check");
  if (diag_.has_errors()) return zone_errors(diag_);
  stats_.duplicates = spilled_records_->duplicates + run->duplicates;
  stats_.out_of_zone = run->out_of_zone;
  stats_.spill_slices = run->slices;
  std::error_code ec;
  const uint64_t text = std::filesystem::file_size(options_.zone_file, ec);
  stats_.spill_bytes = spilled_records_->file.size() + run->side_bytes + (ec ? 0 : text);
  return ok();
}

// compile, spilled: the zone read in waves, each sorted and written to disk as a run; then the
// runs merged back in canonical order, in slices that are indexed, checked and written one at a
// time (pipeline/detail/spill.hpp). Same output and diagnostics as parse -> sort, index, check
// -> write, in memory bounded by --memory-limit.
Result<void> Compilation::compile_spilled() {
  uint16_t rclass = rrclass::IN;
  if (auto r = parse_spilled(rclass); !r) return r;
  const detail::SpilledRecords& records = *spilled_records_;
  auto o = emit::OutputFile::open(options_.output);
  if (!o) return fail(o.error());
  out_ = std::move(*o);
  auto w = detail::write_slices(records, origin_, rclass, budget_, spill_dir_, *out_, diag_,
                                options_.progress ? &options_.progress : nullptr);
  if (!w) return fail(w.error());
  clock_.lap("slices");
  if (diag_.has_errors()) return zone_errors(diag_);
  stats_.duplicates = records.duplicates + w->run.duplicates;
  stats_.out_of_zone = w->run.out_of_zone;
  stats_.spill_slices = w->run.slices;
  std::error_code ec;
  const uint64_t text = std::filesystem::file_size(options_.zone_file, ec);
  stats_.spill_bytes = records.file.size() + w->run.side_bytes + (ec ? 0 : text);
  written_ = std::move(w->written);
  return ok();
}

// sort, index, check: canonical order without duplicates or out-of-zone data, the zone cuts,
// and the zone checks.
Result<void> Compilation::sort_and_check() {
  stats_.duplicates = sort_zone(store_);
  stats_.out_of_zone = drop_out_of_zone(store_, diag_);
  clock_.lap("sort");
  index_ = build_index(store_);
  check_zone(store_, index_, diag_);
  if (!options_.sign) check_cds(store_, index_, diag_);
  clock_.lap("check");
  if (diag_.has_errors()) return zone_errors(diag_);
  return ok();
}

// clamp and keys: TTLs clamped to the policy's maximum, then the keys this run signs with, from
// the signed key response (offline KSK) or from the key state.
Result<void> Compilation::plan_keys() {
  stats_.clamped_rrsets = clamp_ttls(store_, sopts_.max_ttl);
  stats_.max_ttl = sopts_.max_ttl;
  uint32_t max_zone_ttl = 0;
  for (const RR& rr : store_.rrs) max_zone_ttl = std::max(max_zone_ttl, rr.ttl);
  if (spilled_) {  // store_ is the apex; the first pass saw the rest
    apex_clamped_ = stats_.clamped_rrsets;
    max_zone_ttl =
        std::max(max_zone_ttl, sopts_.max_ttl != 0 ? std::min(spilled_max_ttl_, sopts_.max_ttl)
                                                   : spilled_max_ttl_);
  }
  const RR* first_soa = apex_soa(store_);
  if (first_soa == nullptr) return fail(Errc::ZoneCheck, "no SOA at the apex");
  const uint32_t dnskey_ttl =
      sopts_.dnskey_ttl ? *sopts_.dnskey_ttl
                        : std::min<uint32_t>(soa_fields(first_soa->rdata_span()).minimum, 3600);
  key_run_.origin_text = signer::normalize_origin(name_to_string(origin_));
  key_run_.policy = detail::sign_policy(sopts_, max_zone_ttl, dnskey_ttl);
  if (sopts_.skr.empty()) {
    if (auto r = start_state_keys(dnskey_ttl); !r) return r;
  } else {
    // Offline KSK: this run's period of the signed key response gives the DNSKEY, CDS and
    // CDNSKEY RRsets with their RRSIGs, and names the ZSK that signs everything else.
    if (auto r = detail::start_skr_run(sopts_, origin_, key_run_, keys_, skr_records_, stats_); !r)
      return fail(r.error());
    keys_.dnskey_ttl = dnskey_ttl;
    for (const auto& r : skr_records_) {
      if (r.type == rrtype::DNSKEY) ours_.push_back(r.rdata);
    }
    clock_.lap("keys");
  }
  signing_ = !not_signing_;
  return ok();
}

// The keys from the key state: lock, read, adopt, plan the key events due (start_key_run).
Result<void> Compilation::start_state_keys(uint32_t dnskey_ttl) {
  auto started =
      detail::start_key_run(sopts_, origin_, key_run_, diag_, stats_, guard_, options_.outputs);
  if (options_.note) {  // key events now, before the long signing pass
    for (; stats_.notes_reported < stats_.notes.size(); ++stats_.notes_reported) {
      options_.note(stats_.notes[stats_.notes_reported]);
    }
  }
  if (outcome_) {
    outcome_->output_refused = key_run_.output_refused;
    if (!key_run_.output_refused) fill_outcome_now();
  }
  if (!started) return fail(started.error());
  clock_.lap("keys");
  const signer::KeyPlan& kplan = key_run_.keys->plan;
  not_signing_ = kplan.state.state == signer::ZoneState::NotSigning;
  if (!not_signing_ && !kplan.can_sign) return refuse_unsignable();
  keys_ = detail::key_plan_of(key_run_, sopts_, origin_, dnskey_ttl);
  // Every DNSKEY zonekiln ever recorded for the zone is ours: re-signing replaces them.
  ours_ = keys_.dnskeys;
  for (const auto& k : kplan.state.keys) {
    if (auto raw = zk::base64_decode(k.dnskey)) ours_.emplace_back(raw->begin(), raw->end());
  }
  return ok();
}

// Nothing is written when the keys cannot sign; the state records why (ACTION_NEEDED /
// INTERNAL_FAILURE).
Unexpected Compilation::refuse_unsignable() {
  const signer::KeyPlan& kplan = key_run_.keys->plan;
  std::string why = kplan.state.state_why;
  for (const auto& a : kplan.owner_actions) why += "; " + a;
  Error e =
      make_error(kplan.state.state == signer::ZoneState::InternalFailure ? Errc::Internal
                                                                         : Errc::KeyActionNeeded,
                 "cannot sign " + key_run_.origin_text + ": " + why);
  e = worse_if_expired(std::move(e), prev_path_, sopts_.now);
  signer::RunRecord rec;
  rec.exit_code = exit_code_for(e.code);
  rec.summary = e.detail;
  (void)record_run(std::move(rec));
  if (outcome_) {
    fill_outcome_now();
    outcome_->internal_failure = outcome_->internal_failure || e.code != Errc::KeyActionNeeded;
  }
  return fail(std::move(e));
}

// strip: the input's own DNSSEC records (ours are made anew) and its apex ZONEMD.
void Compilation::strip_old_dnssec() {
  const bool skr = !sopts_.skr.empty();
  StripResult stripped = strip_dnssec(store_, ours_, sopts_.cds || not_signing_ || skr);
  stats_.dnssec_removed = stripped.removed;
  apex_removed_ = stripped.removed;
  // An input ZONEMD cannot match the re-signed zone: replaced with --zonemd, else dropped.
  if (const size_t old_zonemd = detail::drop_apex_zonemd(store_); old_zonemd != 0) {
    stats_.dnssec_removed += old_zonemd;
    if (sopts_.zonemd_hash == 0) {
      stats_.notes.push_back(
          "removed the apex ZONEMD of the input (it cannot match the signed "
          "zone; use --zonemd to publish a new one)");
    }
  }
  for (uint16_t tag : stripped.kept_dnskey_tags) {
    stats_.notes.push_back("kept DNSKEY " + std::to_string(tag) +
                           " from the zone file (not a key of zonekiln's state in " +
                           sopts_.key_dir + ")");
  }
}

// serial: continues from the serial last published (the previous output's, or the state's when
// the zone was last published unsigned), never below it (RFC 1982).
void Compilation::settle_serial() {
  // Incremental signing: the previous output's RRSIGs over unchanged RRsets are reused.
  if (signing_) {  // with --full only for the serial
    std::string why;
    previous_ = detail::PreviousZone::apex(prev_path_, origin_, &why);
    if (previous_.broken()) stats_.notes.push_back(not_in_order(why));
    have_previous_ = previous_.has_serial();
  }
  // Stripping keeps the order, so the apex is still the first owner.
  stats_.serial_old = soa_fields(apex_soa(store_)->rdata_span()).serial;
  if (have_previous_ && sopts_.serial != SerialPolicy::Keep &&
      serial_lt(stats_.serial_old, previous_.serial())) {
    // Continue from the serial last published, not the source file's older one.
    set_serial(store_, previous_.serial());
    stats_.serial_old = previous_.serial();
  }
  // When the last zone published was written unsigned (`unsign`, or a NOT_SIGNING run) after
  // the previous signed output, the state has its serial: never go below it, and publish anew
  // when behind.
  if (key_run_.keys && key_run_.keys->plan.state.last_serial &&
      sopts_.serial != SerialPolicy::Keep && key_run_.keys->plan.state.last_published_unsigned() &&
      serial_lt(stats_.serial_old, *key_run_.keys->plan.state.last_serial)) {
    set_serial(store_, *key_run_.keys->plan.state.last_serial);
    stats_.serial_old = *key_run_.keys->plan.state.last_serial;
    behind_published_ = true;
  }
  // With a previous output the serial moves only when the output changes (decided later).
  stats_.serial_new = have_previous_ && !behind_published_
                          ? stats_.serial_old
                          : update_serial(store_, sopts_.serial, sopts_.now);
}

// key records: DNSKEY, CDS/CDNSKEY, NSEC3PARAM, the SKR's records and the ZONEMD placeholder
// at the apex, merged into order; then the index of the finished zone data.
Result<void> Compilation::add_key_records() {
  const RR soa_rr = *apex_soa(store_);  // a copy: adding records below may reallocate
  const SoaFields soa = soa_fields(soa_rr.rdata_span());
  // RFC 9077 s3: NSEC/NSEC3 TTL = min(SOA TTL, SOA MINIMUM).
  plan_.chain_ttl = std::min(soa_rr.ttl, soa.minimum);
  if (signing_) {
    const bool skr = !sopts_.skr.empty();
    const size_t sorted = store_.rrs.size();
    if (auto r = detail::add_key_records(store_, soa_rr.owner, keys_, sopts_.cds && !skr,
                                         sopts_.nsec3, plan_.chain_ttl);
        !r) {
      return run_failed(r.error());
    }
    for (const auto& r : skr_records_) {
      // Published as the KSK's owner signed them: records and RRSIGs exactly as in the SKR.
      const uint8_t* p = store_.arena().copy(r.rdata.data(), r.rdata.size());
      const RR rr{soa_rr.owner, p, r.ttl, r.type, static_cast<uint16_t>(r.rdata.size())};
      if (r.type == rrtype::RRSIG) {
        keys_.kept_key_rrsigs.push_back(rr);
      } else {
        store_.rrs.push_back(rr);
      }
    }
    if (sopts_.zonemd_hash != 0) {
      // The previous output's ZONEMD, so that an unchanged zone can stay untouched
      // (nothing_to_do; its digest is checked then); else the placeholder. Either is made the
      // placeholder with the final serial when the zone is written.
      const std::vector<uint8_t> kept =
          have_previous_ && !previous_.broken()
              ? detail::zonemd_candidate(previous_, sopts_.zonemd_hash)
              : std::vector<uint8_t>();
      if (!kept.empty()) {
        detail::add_zonemd_record(store_, soa_rr.owner, soa_rr.ttl, kept);
      } else {
        detail::add_zonemd_placeholder(store_, soa_rr.owner, soa_rr.ttl, stats_.serial_new,
                                       sopts_.zonemd_hash);
      }
    }
    merge_added(store_, sorted);
    if (keys_.ksks.empty() && !skr) {
      // The KSK needs its owner: publish the DNSKEY RRset as last signed, if still valid.
      auto kept = kept_key_rrsigs(store_, prev_path_, previous_, sopts_.now);
      if (!kept) return run_failed(kept.error());
      keys_.kept_key_rrsigs = std::move(*kept);
      stats_.notes.push_back("kept " + std::to_string(keys_.kept_key_rrsigs.size()) +
                             " DNSKEY/CDS/CDNSKEY RRSIG(s) from " + prev_path_ +
                             " (the KSK needs its owner)");
    }
  }
  index_ = build_index(store_);
  clock_.lap("prepare");
  return ok();
}

// compare: what can be reused from the previous output, and whether there is anything to do at
// all. true: nothing changed and no signature is due; the previous output stays as it is.
Result<bool> Compilation::compare_with_previous() {
  if (signing_) {
    plan_.keys = &keys_;
    plan_.chain = sopts_.nsec3.enabled ? detail::ChainKind::Nsec3 : detail::ChainKind::Nsec;
    plan_.reuse.now = sopts_.now;
    plan_.reuse.signer = store_.origin.view();
    plan_.reuse.renewal = signer::renewal_schedule(key_run_.policy);
    stats_.run_interval = key_run_.policy.run_interval;
    stats_.renewal_expected_share = signer::expected_share(plan_.reuse.renewal);
    if (outcome_) outcome_->renewal_expected_share = stats_.renewal_expected_share;
  }
  if (have_previous_ && (sopts_.full || previous_.broken() || behind_published_)) {
    if (!behind_published_) stats_.serial_new = update_serial(store_, sopts_.serial, sopts_.now);
    // Behind the published serial (moved on above): a new output, still reusing what it can.
    if (behind_published_ && !sopts_.full && !previous_.broken()) {
      previous_stream_ = std::make_unique<detail::PreviousStream>(prev_path_, origin_);
      plan_.previous = previous_stream_.get();
    }
  } else if (have_previous_) {
    auto found = spilled_ ? unchanged_slices()
                          : detail::nothing_to_do(store_, index_, prev_path_, keys_, plan_.reuse,
                                                  plan_.chain, sopts_.nsec3.opt_out);
    if (!found) return fail(found.error());
    detail::Unchanged same = std::move(*found);
    if (same.unchanged && sopts_.zonemd_hash != 0 &&
        !detail::zonemd_verifies(prev_path_, previous_, sopts_.zonemd_hash)) {
      same.unchanged = false;
    }
    if (same.unchanged) {
      if (auto r = finish_unchanged(std::move(same)); !r) return fail(r.error());
      return true;
    }
    if (!same.bad.empty()) {
      stats_.notes.push_back(not_in_order(same.bad));
    } else {
      previous_stream_ = std::make_unique<detail::PreviousStream>(prev_path_, origin_);
      plan_.previous = previous_stream_.get();
    }
    stats_.serial_new = update_serial(store_, sopts_.serial, sopts_.now);
    clock_.lap("compare");
  }
  if (signing_ && sopts_.zonemd_hash != 0) {
    detail::reset_zonemd_placeholder(store_, stats_.serial_new, sopts_.zonemd_hash);
  }
  return false;
}

// nothing_to_do for a spilled sign: the slices compared one by one with the previous output
// read forward, up to the first difference.
Result<detail::Unchanged> Compilation::unchanged_slices() {
  detail::UnchangedScan scan(prev_path_, origin_, keys_, plan_.reuse, plan_.chain,
                             sopts_.nsec3.opt_out);
  uint64_t clamped = 0, removed = 0;  // counted by the signing pass
  const SliceVisit compare = [&](ZoneStore& slice, ZoneIndex& index, size_t k) -> Result<bool> {
    return scan.slice(slice, index, k < slice_starts_.size());
  };
  if (auto r = each_slice(compare, clamped, removed); !r) return fail(r.error());
  detail::Unchanged same = scan.finish();
  if (same.unchanged) {  // every slice was seen: the counts are the zone's
    stats_.clamped_rrsets = apex_clamped_ + clamped;
    stats_.dnssec_removed = apex_removed_ + removed;
  }
  return same;
}

// The previous output is this run's output: the file (and its mtime) is left alone; the DS set
// is refreshed and the run recorded.
Result<void> Compilation::finish_unchanged(detail::Unchanged same) {
  clock_.lap("compare");
  if (!sopts_.dry_run) {
    if (auto d = refresh_ds_file(store_, keys_, sopts_); !d) return run_failed(d.error());
  }
  if (key_run_.keys) {
    signer::RunRecord rec;
    rec.exit_code = signer::run_exit_code(key_run_.keys->plan);
    rec.serial = stats_.serial_old;  // the published zone stays the one with this serial
    rec.rrsets_reused = same.rrsets;
    rec.ttl_clamped = stats_.clamped_rrsets;
    rec.summary = "nothing changed and no signature due; output left untouched";
    if (rec.exit_code != 0) rec.summary += "; " + key_run_.keys->plan.state.state_why;
    if (auto c = record_run(std::move(rec)); !c) return fail(c.error());
    if (!sopts_.dry_run && same.earliest_expiration != INT64_MAX) {
      record_fingerprint(same.next_renewal, same.earliest_expiration, stats_.serial_old);
      if (key_run_.file.find(key_run_.origin_text)->fingerprint) {
        if (auto w = signer::write_state(sopts_.key_dir, key_run_.file, /*keep_backup=*/false);
            !w) {
          stats_.notes.push_back("could not record the inputs' fingerprint (" + w.error().detail +
                                 "): the next run reads the zone");
        }
      }
    }
  }
  // The data is the previous output's: nothing added, removed or changed.
  if (sopts_.want_changes) set_changes(detail::Changes{});
  stats_.unchanged = true;
  stats_.renewal_forecast = std::move(same.forecast);
  stats_.notes.push_back("nothing changed and no signature due: " + prev_path_ + " left untouched");
  if (outcome_) {
    fill_outcome_now();
    outcome_->exit_code = key_run_.keys ? signer::run_exit_code(key_run_.keys->plan) : 0;
    if (outcome_->exit_code == 0) outcome_->last_success = sopts_.now;
    outcome_->unchanged = true;
    if (same.earliest_expiration != INT64_MAX) {
      outcome_->earliest_expiration = same.earliest_expiration;
    }
  }
  return ok();
}

// chain: NSEC or NSEC3 records for the zone.
Result<void> Compilation::build_chain() {
  if (spilled_) return ok();  // slice by slice (write_slices_signed)
  plan_.store = &store_;
  plan_.index = &index_;
  if (auto r = detail::build_chain(plan_, sopts_.nsec3); !r) return run_failed(r.error());
  if (signing_) clock_.lap("chain");
  return ok();
}

// sign+verify+write: one pass that signs what is due, reuses the rest, verifies each chunk and
// writes it to the output's temp file (or, in a dry run, only decides).
Result<void> Compilation::sign_verify_write() {
  zonemd_ = signing_ && sopts_.zonemd_hash != 0;
  if (zonemd_ && options_.output == "-") {
    return fail(Errc::Usage, "--zonemd needs an output file: stdout cannot be patched");
  }
  // A dry run writes no file, so there is nothing to digest.
  if (zonemd_ && !sopts_.dry_run) plan_.zonemd_hash = sopts_.zonemd_hash;
  // Stdout cannot be taken back: check the whole previous output before reusing from it.
  if (plan_.previous && options_.output == "-") {
    if (std::string why; !detail::previous_in_order(prev_path_, origin_, &why)) {
      stats_.notes.push_back(not_in_order(why));
      plan_.previous = nullptr;
    }
  }
  const char* write_stage = !options_.sign                      ? "write"
                            : sopts_.verify == VerifyMode::None ? "sign+write"
                                                                : "sign+verify+write";
  write_progress_ = [this, write_stage](uint64_t done, uint64_t total) {
    options_.progress(write_stage, done, total);
  };
  if (options_.progress && !sopts_.dry_run) plan_.progress = &write_progress_;
  plan_.dry_run = sopts_.dry_run;
  plan_.want_changes = options_.sign && sopts_.want_changes;
  auto written = write_pass();
  if (!written && plan_.previous && plan_.previous->bad()) {
    // An edited previous output: what was reused from it may be wrong, so none of it is.
    stats_.notes.push_back(not_in_order(plan_.previous->why()));
    plan_.previous = nullptr;
    written = write_pass();
  }
  if (!written) return run_failed(written.error());
  written_ = std::move(*written);
  if (plan_.want_changes) record_changes(*written_);
  return ok();
}

// One pass of the writer. Verify-before-publish: each chunk is checked as it is made, so a
// failure stops the pass before the output replaces the previous file. Checked at the current
// time, kept inside the signatures' window so that pre-signing (inception in the future)
// passes. A dry run makes the same pass (the same reuse decisions, the previous output streamed
// the same way) with no file, no signing and no verification.
Result<detail::WriteStats> Compilation::write_pass() {
  plan_.verifier = nullptr;
  verifier_.reset();
  // --changes with nothing reused: the previous output is streamed for the changes alone.
  changes_stream_.reset();
  plan_.changes_from = nullptr;
  if (plan_.want_changes && !plan_.previous && previous_exists_) {
    changes_stream_ = std::make_unique<detail::PreviousStream>(prev_path_, origin_);
    plan_.changes_from = changes_stream_.get();
  }
  if (sopts_.dry_run && !spilled_) return detail::write_zone(plan_, nullptr);
  if (signing_ && sopts_.verify != VerifyMode::None && !sopts_.dry_run) {
    VerifyOptions vo;
    vo.now = std::clamp(sopts_.now, sopts_.inception, sopts_.expiration);
    vo.crypto = sopts_.verify == VerifyMode::Full;
    if (plan_.keys != nullptr) vo.unpublished_keys = detail::unpublished_signers(*plan_.keys);
    auto v = ChunkVerifier::create(
        store_, index_,
        sopts_.nsec3.enabled ? ChunkVerifier::ChainKind::Nsec3 : ChunkVerifier::ChainKind::Nsec,
        sopts_.nsec3, vo);
    if (!v) {
      return fail(Errc::VerifyFailed, "own output failed verification: " + v.error().detail);
    }
    verifier_ = std::move(*v);
    plan_.verifier = verifier_.get();
  }
  out_.reset();  // a pass that failed leaves nothing behind
  if (!sopts_.dry_run) {
    auto o = emit::OutputFile::open(options_.output);
    if (!o) return fail(o.error());
    out_ = std::move(*o);
  }
  if (spilled_) return write_slices_signed();
  return detail::write_zone(plan_, &*out_);
}

// A spilled sign's slices again, each made what that part of the zone is in memory when the
// chain is built: clamped and stripped as the whole zone is (counted into clamped and removed),
// its apex replaced by store_'s (serial, key records), indexed. fn gets each with its number
// and returns false to stop.
Result<void> Compilation::each_slice(const SliceVisit& fn, uint64_t& clamped, uint64_t& removed) {
  uint64_t slice_no = 0;
  const bool drop_cds = sopts_.cds || not_signing_ || !sopts_.skr.empty();
  // The first pass reported every problem; a second report would stop no merge.
  Diagnostics again(SIZE_MAX, 0);
  bool stopped = false;
  const detail::SliceFn prepare = [&](ZoneStore& slice, ZoneIndex& index,
                                      bool first) -> Result<bool> {
    const size_t k = slice_no++;
    if (k > slice_starts_.size() ||
        (k > 0 && !name_equal(slice.rrs.front().owner->name(), slice_starts_[k - 1].view()))) {
      return fail(Errc::Internal, "a later pass over the spilled zone cut other slices");
    }
    if (first) {  // the apex is store_'s from here on
      const uint32_t apex_count = index.nodes[index.apex].count;
      slice.rrs.erase(slice.rrs.begin(), slice.rrs.begin() + apex_count);
    }
    clamped += clamp_ttls(slice, sopts_.max_ttl);
    removed += strip_dnssec(slice, ours_, drop_cds).removed;
    if (first) slice.rrs.insert(slice.rrs.begin(), store_.rrs.begin(), store_.rrs.end());
    index = build_index(slice);
    auto more = fn(slice, index, k);
    if (more && !*more) stopped = true;
    return more;
  };
  detail::SliceChecks checks;
  checks.ns_targets = false;
  auto run = detail::merge_slices(*spilled_records_, origin_, store_.rclass, budget_, spill_dir_,
                                  checks, again, prepare);
  if (!run) return fail(run.error());
  if (!stopped && slice_no != slice_starts_.size() + 1) {
    return fail(Errc::Internal, "a later pass over the spilled zone cut other slices");
  }
  return ok();
}

// The first error a verifier found (warnings counted into total), as the sign pass reports it.
Result<void> verify_problems(const std::vector<VerifyProblem>& problems,
                             detail::WriteStats& total) {
  for (const VerifyProblem& p : problems) {
    if (p.warning) {
      ++total.verify_warnings;
      continue;
    }
    return fail(Errc::VerifyFailed, "own output failed verification: " + p.error.detail + " [" +
                                        std::string(verify_check_name(p.check)) + "]");
  }
  return ok();
}

// sign, spilled, the signing pass: each slice chained, signed, verified and written. The NSEC of
// a slice's last name points to the first name of the next slice; the previous output is read
// forward across the slices. With NSEC3 each slice's NSEC3 records are made (and checked against
// their names) as the slice goes by, sorted and spilled as a run; the runs' merge is the chain,
// written after the names (write_nsec3_spilled).
Result<detail::WriteStats> Compilation::write_slices_signed() {
  detail::WriteStats total;
  uint64_t clamped = 0, removed = 0;
  SpilledNsec3 nsec3;
  const bool with_nsec3 = plan_.chain == detail::ChainKind::Nsec3;
  if (with_nsec3) {
    auto f = detail::SpillFile::create(spill_dir_);
    if (!f) return fail(f.error());
    nsec3.file = std::move(*f);
  }
  // ZONEMD (an NSEC zone): one digest over the slices, in the order they are written.
  std::unique_ptr<detail::ZonemdDigester> digester;
  if (plan_.zonemd_hash != 0) {
    auto d = detail::ZonemdDigester::start(plan_.zonemd_hash, 2);
    if (!d) return fail(d.error());
    digester = std::move(*d);
    if (auto c = digester->close(1); !c) return fail(c.error());  // no NSEC3 records
  }
  std::function<void(uint64_t, uint64_t)> progress;
  const SliceVisit sign = [&](ZoneStore& slice, ZoneIndex& index, size_t k) -> Result<bool> {
    detail::WritePlan plan = plan_;
    plan.store = &slice;
    plan.index = &index;
    plan.zonemd_digester = digester.get();
    plan.more_follow = k < slice_starts_.size();
    plan.nsec_wrap = plan.more_follow ? slice_starts_[k].view() : origin_.view();
    if (auto r = detail::build_chain(plan, sopts_.nsec3); !r) return fail(r.error());
    std::unique_ptr<ChunkVerifier> verifier;
    if (verifier_) {
      auto v = verifier_->for_slice(slice, index, plan.nsec_wrap);
      if (!v) return fail(v.error());
      verifier = std::move(*v);
      plan.verifier = verifier.get();
    }
    if (with_nsec3) {
      if (auto r = spill_nsec3(plan, verifier.get(), nsec3, total); !r) return fail(r.error());
      plan.nsec3.clear();  // the names only; the NSEC3 records come after the last slice
    }
    if (plan_.progress != nullptr) {
      const uint64_t before = progress_done_;
      progress = [this, before](uint64_t done, uint64_t) {
        (*plan_.progress)(before + done, std::max(spilled_names_, before + done));
      };
      plan.progress = &progress;
    }
    progress_done_ += index.nodes.size();
    auto w = detail::write_zone(plan, out_ ? &*out_ : nullptr);
    if (!w) return fail(w.error());
    detail::add_write_stats(total, std::move(*w));
    crash_point("slice");  // test build only (dns/fault.hpp)
    return true;
  };
  progress_done_ = 0;
  if (auto r = each_slice(sign, clamped, removed); !r) return fail(r.error());
  if (with_nsec3) {
    if (auto r = write_nsec3_spilled(nsec3, total); !r) return fail(r.error());
  }
  if (digester) {
    auto d = digester->finish();
    if (!d) return fail(d.error());
    total.zonemd_digest = std::move(*d);
  }
  stats_.clamped_rrsets = apex_clamped_ + clamped;
  stats_.dnssec_removed = apex_removed_ + removed;
  return total;
}

// One slice's NSEC3 records (the plan's sorted entries), checked against their names and
// spilled as one run.
Result<void> Compilation::spill_nsec3(const detail::WritePlan& plan, const ChunkVerifier* verifier,
                                      SpilledNsec3& nsec3, detail::WriteStats& total) {
  ZoneStore records;
  records.origin = origin_;
  detail::make_nsec3_records(plan, records);
  nsec3.next_offset = detail::nsec3_next_offset(plan);
  if (verifier != nullptr) {
    auto scratch = verifier->make_scratch();
    std::vector<VerifyProblem> problems;
    for (size_t k = 0; k < records.rrs.size(); ++k) {
      verifier->check_nsec3_member(*scratch, plan.nsec3[k].node, records.rrs[k], problems);
    }
    if (auto v = verify_problems(problems, total); !v) return v;
    const auto [lo, hi] = verifier->nsec3_bounds();
    nsec3.min += lo;
    nsec3.max += hi;
  }
  if (records.rrs.empty()) return ok();
  detail::RunWriter run(nsec3.file);
  for (const RR& rr : records.rrs) {
    if (auto a = run.add(rr); !a) return a;
  }
  auto ref = run.finish();
  if (!ref) return fail(ref.error());
  nsec3.runs.push_back(*ref);
  nsec3.records += ref->records;
  return ok();
}

// The NSEC3 section of a spilled sign: the slices' runs merged into hash order, each record's
// next hashed owner set to the hash of the one after it (the last's to the first), and written,
// signed and verified in batches as the in-memory pass writes its NSEC3 records.
Result<void> Compilation::write_nsec3_spilled(SpilledNsec3& nsec3, detail::WriteStats& total) {
  if (nsec3.runs.empty()) return ok();
  const size_t batch_max = std::max<size_t>(1024, budget_.slice_bytes / 256);
  detail::RunMerger merger(nsec3.file, nsec3.runs,
                           budget_.merge_buffer_bytes / std::max<size_t>(nsec3.runs.size(), 1));
  ZoneStore batch;
  auto fresh = [&] {
    batch = ZoneStore();
    batch.origin = origin_;
    batch.rclass = store_.rclass;
  };
  fresh();
  const ZoneIndex no_names;
  std::unique_ptr<ChunkVerifier> verifier;
  if (verifier_) {
    auto v = verifier_->for_slice(batch, no_names, origin_.view());
    if (!v) return fail(v.error());
    verifier = std::move(*v);
  }
  auto set_next = [&](const RR& rr, const Nsec3Hash& next) {
    // The RDATA is the batch arena's own copy.
    std::memcpy(const_cast<uint8_t*>(rr.rdata) + nsec3.next_offset, next.data(), next.size());
  };
  std::function<void(uint64_t, uint64_t)> progress;
  const uint64_t all = spilled_names_ + nsec3.records;
  auto write = [&](size_t count, bool last) -> Result<void> {
    detail::WritePlan plan = plan_;
    plan.store = &batch;
    plan.index = &no_names;
    plan.nsec3_records = {batch.rrs.data(), count};
    plan.nsec3_last = last;
    plan.more_follow = !last;
    plan.verifier = verifier.get();
    if (plan_.progress != nullptr) {
      const uint64_t before = progress_done_;
      progress = [this, before, all](uint64_t done, uint64_t) {
        (*plan_.progress)(before + done, std::max(all, before + done));
      };
      plan.progress = &progress;
    }
    progress_done_ += count;
    auto w = detail::write_zone(plan, out_ ? &*out_ : nullptr);
    if (!w) return fail(w.error());
    detail::add_write_stats(total, std::move(*w));
    return ok();
  };
  Nsec3Hash first{}, last{};
  bool any = false;
  for (;;) {
    auto more = merger.next();
    if (!more) return fail(more.error());
    if (!*more) break;
    const detail::SpilledRR& r = merger.current();
    Nsec3Hash hash{};
    if (!detail::decode_hash_label(r.owner->name(), hash)) {
      return fail(Errc::Internal, "a spilled NSEC3 owner is not a hash");
    }
    if (any && hash == last) {
      return fail(Errc::Internal, "NSEC3 hash collision; choose another salt");
    }
    if (!any) first = hash;
    if (!batch.rrs.empty()) set_next(batch.rrs.back(), hash);
    batch.rrs.push_back({detail::copy_owner(batch.arena(), r.owner),
                         batch.arena().copy(r.rdata, r.rdlen), r.ttl, r.type, r.rdlen});
    last = hash;
    any = true;
    if (batch.rrs.size() == batch_max + 1) {  // all but the last have their next hash
      if (auto w = write(batch_max, false); !w) return w;
      const RR carry = batch.rrs.back();
      ZoneStore done = std::move(batch);  // keeps carry's owner and RDATA while it is copied
      fresh();
      batch.rrs.push_back({detail::copy_owner(batch.arena(), carry.owner),
                           batch.arena().copy(carry.rdata, carry.rdlen), carry.ttl, carry.type,
                           carry.rdlen});
    }
  }
  set_next(batch.rrs.back(), first);  // the chain closes on the first hash
  if (auto w = write(batch.rrs.size(), true); !w) return w;
  if (verifier_ && (total.nsec3 < nsec3.min || total.nsec3 > nsec3.max)) {
    return fail(Errc::VerifyFailed,
                "own output failed verification: " + std::to_string(total.nsec3) +
                    " NSEC3 records made, expected " + std::to_string(nsec3.min) + ".." +
                    std::to_string(nsec3.max) + " [bad-nsec3-chain]");
  }
  return ok();
}

// --changes, from the writer's merge with the previous output; an edited previous output cannot
// be read beside the zone, so it is read whole, for --changes only.
void Compilation::record_changes(const detail::WriteStats& written) {
  if (written.changes_complete) {
    set_changes(written.changes);
    return;
  }
  std::string why;
  set_changes(detail::changes_from_file(store_, prev_path_, &why));
  if (!why.empty()) stats_.notes.push_back("--changes: " + why);
}

// commit: the ZONEMD digest patched in, the DS set written beside the zone, both synced, then
// published in the order commit_in_order describes.
Result<void> Compilation::commit() {
  const detail::WriteStats& written = *written_;
  if (zonemd_) {
    clock_.lap(sopts_.verify == VerifyMode::None ? "sign+write" : "sign+verify+write");
    const RR soa_rr = *apex_soa(store_);
    if (auto r = detail::finalize_zonemd(*out_, written, origin_, keys_, store_.rclass, soa_rr.ttl,
                                         stats_.serial_new, sopts_.zonemd_hash);
        !r) {
      return run_failed(r.error());
    }
  }
  // The DS set is written and synced beside the zone before anything is published.
  std::optional<emit::OutputFile> ds_out;
  if (signing_ && !sopts_.ds_output.empty()) {
    auto ds = detail::ds_text(store_, keys_);
    if (!ds) return run_failed(ds.error());
    auto f = synced_output(sopts_.ds_output, *ds);
    if (!f) return run_failed(f.error());
    ds_out = std::move(*f);
  }
  if (auto s = out_->sync(); !s) return run_failed(s.error());
  crash_point("commit");
  // Once the zone and the DS set are out, before the pending mark is dropped: what the next run
  // needs to know that nothing changed (stored by the same state write).
  const std::function<void()> fingerprint = [&] {
    if (signing_ && written.signatures > 0) {
      record_fingerprint(written.next_renewal, written.earliest_expiration, stats_.serial_new);
    }
  };
  const Committed committed = commit_in_order(*out_, ds_out ? &*ds_out : nullptr, key_run_, stats_,
                                              run_record(written), fingerprint);
  if (committed.error && !committed.published) return run_failed(*committed.error);
  // Published, and the state agrees with the zone; only the DS set could not be replaced.
  if (committed.error) return fail(*committed.error);
  clock_.lap(zonemd_                             ? "zonemd+commit"
             : !options_.sign                    ? "write"
             : sopts_.verify == VerifyMode::None ? "sign+write"
                                                 : "sign+verify+write");
  return ok();
}

// What the state's run history says of this run, once the zone is out.
signer::RunRecord Compilation::run_record(const detail::WriteStats& written) const {
  signer::RunRecord rec;
  if (!key_run_.keys) return rec;
  rec.exit_code = signer::run_exit_code(key_run_.keys->plan);
  rec.serial = stats_.serial_new;
  rec.unsigned_zone = !signing_;
  rec.rrsets_signed = written.rrsets_signed;
  rec.rrsets_reused = written.rrsets_reused;
  rec.ttl_clamped = stats_.clamped_rrsets;
  rec.summary =
      signing_
          ? "signed " + std::to_string(written.rrsets) + " RRsets (" +
                std::to_string(written.rrsets_signed) + " signed, " +
                std::to_string(written.rrsets_reused) + " reused), serial " +
                std::to_string(stats_.serial_old) + " -> " + std::to_string(stats_.serial_new)
          : "wrote the zone unsigned (NOT_SIGNING), serial " + std::to_string(stats_.serial_new);
  if (rec.exit_code != 0) rec.summary += "; " + key_run_.keys->plan.state.state_why;
  return rec;
}

// The figures of a run that wrote its output.
Stats Compilation::written_stats() {
  const detail::WriteStats& written = *written_;
  stats_.verify_warnings = written.verify_warnings;
  stats_.records_out = written.records;
  stats_.rrsets = written.rrsets;
  stats_.signatures = written.signatures;
  stats_.nsec = written.nsec;
  stats_.nsec3 = written.nsec3;
  stats_.rrsets_signed = written.rrsets_signed;
  stats_.rrsets_reused = written.rrsets_reused;
  stats_.signatures_reused = written.signatures_reused;
  stats_.rrsets_renewed_early = written.rrsets_renewed_early;
  if (signing_) {
    const size_t runs = signer::forecast_runs(plan_.reuse.renewal);
    stats_.renewal_forecast.assign(written.forecast.begin(), written.forecast.begin() + runs);
  }
  stats_.resign = written.resign;
  if (options_.sign && outcome_) {
    fill_outcome_now();
    outcome_->exit_code = key_run_.keys ? signer::run_exit_code(key_run_.keys->plan) : 0;
    if (outcome_->exit_code == 0) outcome_->last_success = sopts_.now;
    outcome_->rrsets_signed = written.rrsets_signed;
    outcome_->rrsets_reused = written.rrsets_reused;
    outcome_->rrsets_renewed_early = written.rrsets_renewed_early;
    if (written.signatures > 0) outcome_->earliest_expiration = written.earliest_expiration;
  }
  return std::move(stats_);
}

// A dry run records nothing: neither the run nor its key events.
Result<void> Compilation::record_run(signer::RunRecord rec) {
  if (sopts_.dry_run) return ok();
  signer::CommitResult c = signer::commit_sign_run(key_run_, std::move(rec), {});
  if (c.error) return fail(std::move(*c.error));
  return ok();
}

// After the keys were prepared a failure is the run's: the state records it (commit_failure)
// and the metrics say so.
Unexpected Compilation::run_failed(const Error& failure) {
  Error e = failure;
  if (sopts_.dry_run) {
    if (e.code == Errc::KeyActionNeeded) e = worse_if_expired(std::move(e), prev_path_, sopts_.now);
  } else if (key_run_.keys && e.code == Errc::KeyActionNeeded) {
    // Nothing written because a key needs its owner: the owner states and the run are
    // recorded, no key event. Worse when the published zone's signatures have run out.
    e = worse_if_expired(std::move(e), prev_path_, sopts_.now);
    signer::RunRecord rec;
    rec.exit_code = exit_code_for(e.code);
    rec.summary = e.detail;
    (void)record_run(std::move(rec));
    if (outcome_ && e.code != Errc::KeyActionNeeded) outcome_->internal_failure = true;
  } else if (key_run_.keys) {
    (void)signer::commit_failure(sopts_.key_dir, key_run_.file, key_run_.keys->plan,
                                 key_run_.state_now, e.detail);
    if (outcome_) outcome_->internal_failure = true;
  }
  return fail(std::move(e));
}

// --changes: the RRsets added, removed and changed since the previous output (at prev_path_,
// when there is one), as Stats::changes_json.
void Compilation::set_changes(const detail::Changes& changes) {
  stats_.changes_json =
      detail::changes_json(changes, origin_.view(), previous_exists_ ? &prev_path_ : nullptr,
                           stats_.serial_old, stats_.serial_new);
}

}  // namespace

// The pipeline: (sign: nothing changed and nothing due, from the fingerprint?) -> parse -> sort,
// index, check -> (sign: clamp, keys, strip, serial, key records,
// compare with the previous output) -> chain -> sign+verify+write -> commit. Above
// --memory-limit: parse in waves to sorted runs -> merge into slices, check (-> sign: first pass
// keeps the apex; the same stages on it; then chain, sign, verify, write slice by slice).
Result<Stats> compile_zone(const CompileOptions& options, Diagnostics& diag, SignOutcome* outcome) {
  Compilation run(options, diag, outcome);
  if (options.sign) {
    if (auto fast = run.unchanged_by_fingerprint()) return std::move(*fast);
  }
  const bool spills = run.spills();
  if (spills && !options.sign) {
    if (auto r = run.compile_spilled(); !r) return fail(r.error());
    if (auto r = run.commit(); !r) return fail(r.error());
    return run.written_stats();
  }
  if (spills) {
    // sign, spilled: a first pass over the sorted runs checks the zone and keeps its apex; the
    // stages up to the chain work on the apex; the signing pass goes slice by slice.
    if (auto r = run.survey_spilled(); !r) return fail(r.error());
  } else {
    if (auto r = run.parse(); !r) return fail(r.error());
    if (auto r = run.sort_and_check(); !r) return fail(r.error());
  }
  if (options.sign) {
    if (auto r = run.plan_keys(); !r) return fail(r.error());
    run.strip_old_dnssec();
    run.settle_serial();
    if (auto r = run.add_key_records(); !r) return fail(r.error());
    auto unchanged = run.compare_with_previous();
    if (!unchanged) return fail(unchanged.error());
    if (*unchanged) return run.unchanged_stats();
  }
  if (auto r = run.build_chain(); !r) return fail(r.error());
  if (auto r = run.sign_verify_write(); !r) return fail(r.error());
  if (run.dry_run()) return run.dry_run_stats();
  if (auto r = run.commit(); !r) return fail(r.error());
  return run.written_stats();
}

}  // namespace zk::pipeline
