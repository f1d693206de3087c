// Spilled compile: the merged runs cut into slices, each indexed, checked and written as the
// in-memory path does it (pipeline/detail/spill.hpp, write_slices).
#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "dns/fault.hpp"
#include "dns/rrtype.hpp"
#include "pipeline/detail/spill.hpp"

namespace zk::pipeline::detail {

SpillBudget SpillBudget::from_limit(uint64_t limit) {
  // Floors keep a run working whatever the limit; the fixed costs of a process (a few tens of
  // MiB) are not counted, so a limit below them spills everything but is not met.
  // (Small limits make small waves and slices: the tests spill the zones of testdata/ that way.)
  constexpr uint64_t kFloor = 1024;
  SpillBudget b;
  // A wave's text, its records and the sort's tables take about four times the text.
  b.wave_bytes = static_cast<size_t>(std::max<uint64_t>(limit / 8, kFloor));
  // A slice's records (entries, owners, RDATA), its index and the writer's chunks in flight.
  b.slice_bytes = static_cast<size_t>(std::max<uint64_t>(limit / 6, kFloor / 2));
  b.merge_buffer_bytes = static_cast<size_t>(std::max<uint64_t>(limit / 8, kFloor * 64));
  return b;
}

namespace {

bool is_address(uint16_t t) { return t == rrtype::A || t == rrtype::AAAA; }

// The bytes a slice's records take in memory (entry, RDATA; owners once each).
size_t record_bytes(const SpilledRR& r) { return sizeof(RR) + r.rdlen; }

// The owner entry of the record being merged, kept while its reader moves on.
struct OwnerCopy {
  alignas(Owner) uint8_t bytes[sizeof(Owner) + kMaxNameLen + kMaxCanonicalKeyLen];
  bool set = false;
  const Owner* get() const noexcept { return reinterpret_cast<const Owner*>(bytes); }
  void assign(const Owner* o) noexcept {
    std::memcpy(bytes, o, sizeof(Owner) + o->wire_len + o->key_len);
    set = true;
  }
};

class Slicer {
 public:
  Slicer(NameView origin, uint16_t rclass, const SpillBudget& budget, const std::string& dir,
         const SliceChecks& checks, Diagnostics& diag, const SliceFn& fn)
      : origin_(origin),
        origin_labels_(origin.label_count()),
        rclass_(rclass),
        budget_(budget),
        dir_(dir),
        checks_(checks),
        diag_(diag),
        fn_(fn) {
    fresh_slice();
  }

  Result<void> open_side_files() {
    if (!checks_.ns_targets) return ok();
    auto t = SpillFile::create(dir_);
    if (!t) return fail(t.error());
    targets_file_ = std::move(*t);
    auto a = SpillFile::create(dir_);
    if (!a) return fail(a.error());
    addresses_file_ = std::move(*a);
    addresses_ = std::make_unique<RunWriter>(addresses_file_);
    return ok();
  }

  // One merged record, in canonical order.
  Result<void> add(const SpilledRR& r) {
    const bool new_owner = !current_.set || owner_compare(r.owner, current_.get()) != 0;
    if (new_owner) {
      finish_owner();
      in_zone_ = is_subdomain(r.owner->name(), origin_);
      if (!in_zone_) {
        diag_.warning(make_error(Errc::OutOfZone, "ignoring out-of-zone data (" +
                                                      name_to_string(r.owner->name()) + ")"));
      } else if (slice_bytes_ >= budget_.slice_bytes && safe_start(r.owner->name(), r.type)) {
        if (auto s = write_slice(); !s) return s;
      }
      current_.assign(r.owner);
      has_ns_ = has_dname_ = false;
      if (in_zone_) {
        slice_owner_ = copy_owner(slice_.arena(), r.owner);
        slice_bytes_ += sizeof(Owner) + r.owner->wire_len + r.owner->key_len;
      }
      have_last_ = false;
    }
    // Equal records sit side by side in the merge: the lowest TTL is kept (sort_zone's rule).
    // An in-zone record is compared with the slice's last one, an out-of-zone one with a copy.
    if (!in_zone_) {
      if (have_last_ && r.type == last_type_ && r.rdlen == last_rdata_.size() &&
          std::equal(last_rdata_.begin(), last_rdata_.end(), r.rdata)) {
        ++result_.duplicates;
        return ok();
      }
      have_last_ = true;
      last_type_ = r.type;
      last_rdata_.assign(r.rdata, r.rdata + r.rdlen);
      ++result_.out_of_zone;
      return ok();
    }
    if (have_last_) {
      RR& last = slice_.rrs.back();
      if (last.type == r.type && last.rdlen == r.rdlen &&
          std::memcmp(last.rdata, r.rdata, r.rdlen) == 0) {
        ++result_.duplicates;
        last.ttl = std::min(last.ttl, r.ttl);
        return ok();
      }
    }
    have_last_ = true;
    RR rr;
    rr.owner = slice_owner_;
    rr.rdata = slice_.arena().copy(r.rdata, r.rdlen);
    rr.ttl = r.ttl;
    rr.type = r.type;
    rr.rdlen = r.rdlen;
    slice_.rrs.push_back(rr);
    slice_bytes_ += record_bytes(r);
    has_ns_ |= r.type == rrtype::NS;
    has_dname_ |= r.type == rrtype::DNAME;
    return ok();
  }

  bool stopped() const noexcept { return stopped_; }

  Result<SliceRun> finish() {
    if (stopped_) return result_;
    finish_owner();
    if (!slice_.rrs.empty() || result_.slices == 0) {
      if (auto s = write_slice(); !s) return fail(s.error());
    }
    if (checks_.ns_targets) {
      if (auto t = settle_ns_targets(); !t) return fail(t.error());
    }
    result_.side_bytes = targets_file_.size() + addresses_file_.size();
    return result_;
  }

 private:
  void fresh_slice() {
    slice_ = ZoneStore();
    slice_.origin = Name(origin_);
    slice_.rclass = rclass_;
    slice_bytes_ = 0;
  }

  // The walk of build_index over the whole zone, owner by owner, as far as a slice start needs
  // it: the innermost zone cut or DNAME above the names that follow, and the last owner.
  void finish_owner() {
    if (!current_.set || !in_zone_) return;
    const NameView name = current_.get()->name();
    if (have_cut_ && !is_subdomain(name, cut_.view())) have_cut_ = false;
    const bool below_cut = have_cut_ && !name_equal(name, cut_.view());
    const bool apex = name.len == origin_.len && name_equal(name, origin_);
    if (!below_cut && ((!apex && has_ns_) || has_dname_)) {
      cut_.assign(name);
      have_cut_ = true;
    }
    prev_.assign(name);
    have_prev_ = true;
  }

  // True when a slice may start at name, whose first record has type first_type: the walk
  // over the whole zone would reach it below no cut and without making empty non-terminals for
  // it, and signing leaves it records (see merge_slices).
  bool safe_start(NameView name, uint16_t first_type) const {
    if (!have_prev_) return false;
    if (first_type == rrtype::RRSIG || first_type == rrtype::NSEC || first_type == rrtype::NSEC3 ||
        first_type == rrtype::NSEC3PARAM) {
      return false;
    }
    if (have_cut_ && is_subdomain(name, cut_.view())) return false;
    const unsigned labels = name.label_count();
    if (labels <= origin_labels_ + 1) return true;
    return common_labels(name, prev_.view()) + 1 >= labels;
  }

  Result<void> write_slice() {
    const bool first = result_.slices == 0;
    ++result_.slices;
    ZoneIndex index = build_index(slice_);
    CheckScope scope;
    scope.has_apex = first;
    // Without the NS-target check (a second pass) the targets in other slices are not errors.
    scope.defer_ns_target = [this](NameView target, NameView owner) {
      if (checks_.ns_targets) defer(target, owner);
    };
    if (checks_.zone) check_zone(slice_, index, diag_, scope);
    // No apex: check_zone said so and checked nothing else, as for the whole zone.
    if (first && index.apex == UINT32_MAX && checks_.zone) stopped_ = true;
    if (first && checks_.cds) check_cds(slice_, index, diag_);
    if (checks_.ns_targets) {
      if (auto d = spill_targets(false); !d) return d;
      for (const OwnerNode& n : index.nodes) {
        for (uint32_t k = n.first; k < n.first + n.count; ++k) {
          if (!is_address(slice_.rrs[k].type)) continue;
          if (auto a = addresses_->add(n.owner, 0, 0, {}); !a) return a;
          break;
        }
      }
    }
    if (!stopped_) {
      auto more = fn_(slice_, index, first);
      if (!more) return fail(more.error());
      stopped_ = !*more;
    }
    fresh_slice();
    return ok();
  }

  // An NS target to look for in the whole zone: a record (owner: the target, RDATA: the NS
  // owner's wire name) in a store that is sorted and spilled when it grows.
  void defer(NameView target, NameView owner) {
    RR rr;
    rr.owner = make_owner(targets_.arena(), target);
    rr.rdata = targets_.arena().copy(owner.data, owner.len);
    rr.rdlen = owner.len;
    rr.ttl = 0;
    rr.type = 0;
    targets_.rrs.push_back(rr);
    targets_bytes_ += sizeof(RR) + sizeof(Owner) + 2 * size_t{target.len} + owner.len;
  }

  Result<void> spill_targets(bool all) {
    if (targets_.rrs.empty() || (!all && targets_bytes_ < budget_.slice_bytes / 4)) return ok();
    RunSpiller spiller(targets_file_);
    if (auto s = spiller.spill(targets_); !s) return s;
    target_runs_.insert(target_runs_.end(), spiller.runs().begin(), spiller.runs().end());
    targets_ = ZoneStore();
    targets_bytes_ = 0;
    return ok();
  }

  // The deferred NS targets in canonical order beside the names that own A or AAAA records
  // (written in canonical order as the slices went by): a target with none is reported as
  // check_zone reports it.
  Result<void> settle_ns_targets() {
    if (auto s = spill_targets(true); !s) return s;
    auto a = addresses_->finish();
    if (!a) return fail(a.error());
    if (target_runs_.empty()) return ok();
    const size_t per_run = budget_.merge_buffer_bytes / (target_runs_.size() + 1);
    RunMerger targets(targets_file_, target_runs_, per_run);
    RunReader addresses(addresses_file_, *a, per_run);
    auto more = addresses.next();
    if (!more) return fail(more.error());
    bool have_address = *more;
    for (;;) {
      auto t = targets.next();
      if (!t) return fail(t.error());
      if (!*t) break;
      const SpilledRR& target = targets.current();
      while (have_address && owner_compare(addresses.current().owner, target.owner) < 0) {
        auto n = addresses.next();
        if (!n) return fail(n.error());
        have_address = *n;
      }
      if (have_address && owner_compare(addresses.current().owner, target.owner) == 0) continue;
      diag_.report(
          Severity::Error,
          make_error(Errc::ZoneCheck, "NS '" + name_to_string(target.owner->name()) + "' of '" +
                                          name_to_string(NameView{target.rdata, target.rdlen}) +
                                          "' has no address records (A or AAAA)"));
    }
    return ok();
  }

  const NameView origin_;
  const unsigned origin_labels_;
  const uint16_t rclass_;
  const SpillBudget& budget_;
  const std::string& dir_;
  const SliceChecks& checks_;
  Diagnostics& diag_;
  const SliceFn& fn_;

  SliceRun result_;
  bool stopped_ = false;
  ZoneStore slice_;
  size_t slice_bytes_ = 0;
  const Owner* slice_owner_ = nullptr;

  // The record being merged and the one before it (duplicates).
  OwnerCopy current_;
  bool in_zone_ = false;
  bool have_last_ = false;  // a record of the current owner was added or dropped
  uint16_t last_type_ = 0;  // out of zone: the last record's type and RDATA
  std::vector<uint8_t> last_rdata_;
  bool has_ns_ = false, has_dname_ = false;

  // The whole-zone walk's state (finish_owner).
  Name cut_, prev_;
  bool have_cut_ = false, have_prev_ = false;

  // NS targets settled at the end.
  SpillFile targets_file_, addresses_file_;
  ZoneStore targets_;
  size_t targets_bytes_ = 0;
  std::vector<RunRef> target_runs_;
  std::unique_ptr<RunWriter> addresses_;
};

}  // namespace

Result<SliceRun> merge_slices(const SpilledRecords& records, NameView origin, uint16_t rclass,
                              const SpillBudget& budget, const std::string& dir,
                              const SliceChecks& checks, Diagnostics& diag, const SliceFn& fn) {
  Slicer slicer(origin, rclass, budget, dir, checks, diag, fn);
  if (auto s = slicer.open_side_files(); !s) return fail(s.error());
  const size_t per_run = budget.merge_buffer_bytes / std::max<size_t>(records.runs.size(), 1);
  RunMerger merger(records.file, records.runs, per_run);
  for (;;) {
    if (diag.full() || slicer.stopped()) break;
    auto more = merger.next();
    if (!more) return fail(more.error());
    if (!*more) break;
    if (auto a = slicer.add(merger.current()); !a) return fail(a.error());
  }
  return slicer.finish();
}

Result<SlicedWrite> write_slices(const SpilledRecords& records, NameView origin, uint16_t rclass,
                                 const SpillBudget& budget, const std::string& dir,
                                 emit::OutputFile& out, Diagnostics& diag,
                                 const ProgressFn* progress) {
  SlicedWrite result;
  uint64_t done = 0;
  const SliceFn write = [&](ZoneStore& slice, ZoneIndex& index, bool) -> Result<bool> {
    // Once a problem is known the output is never published: only the checks go on.
    if (diag.has_errors()) return true;
    WritePlan plan;
    plan.store = &slice;
    plan.index = &index;
    auto w = write_zone(plan, &out);
    if (!w) return fail(w.error());
    result.written.records += w->records;
    result.written.rrsets += w->rrsets;
    done += slice.rrs.size();
    if (progress != nullptr && *progress) (*progress)("slices", done, records.records);
    crash_point("slice");  // test build only (dns/fault.hpp)
    return true;
  };
  SliceChecks checks;
  checks.cds = true;
  auto run = merge_slices(records, origin, rclass, budget, dir, checks, diag, write);
  if (!run) return fail(run.error());
  result.run = *run;
  return result;
}

}  // namespace zk::pipeline::detail
