// Internal: spilling a zone that outgrows memory (--memory-limit). Records go to disk as sorted
// runs in a compact binary form, and a k-way merge reads them back in canonical order.
//
// Every file here is unnamed (O_TMPFILE in the spill directory, or a name unlinked at once):
// nothing is left behind however the process ends, SIGKILL and power cuts included, so no run
// has to clean up after an earlier one.
//
// A run is a sequence of records sorted by rr_compare. Per record: one byte that says whether
// an owner entry follows (1) or the record has the previous record's owner (0); the owner
// entry as the store keeps it (Owner: lengths, wire name, canonical key), so reading it back
// needs no name parsing; then type (2), TTL (4), RDATA length (2) and the RDATA. Host byte
// order: the runs are read back by the process that wrote them. A record of the 1M-name
// benchmark zone costs about 30 bytes plus its RDATA.
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"
#include "emit/emit.hpp"
#include "pipeline/detail/writer.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/verify.hpp"

namespace zk::pipeline::detail {

/// An unnamed file in a directory, written by appending (buffered) and read back at offsets.
class SpillFile {
 public:
  SpillFile() = default;
  ~SpillFile();
  SpillFile(SpillFile&& o) noexcept;
  SpillFile& operator=(SpillFile&& o) noexcept;
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  /// Errc::WriteFailed (the directory and errno) when dir cannot hold a file.
  static Result<SpillFile> create(const std::string& dir);
  /// Buffered; Errc::WriteFailed (ENOSPC, EFBIG, EIO, ...).
  Result<void> append(const void* data, size_t n);
  /// Writes the buffer out; reads see everything appended before it.
  Result<void> flush();
  /// Bytes appended so far.
  uint64_t size() const noexcept { return size_; }
  /// Reads up to n bytes at offset (short only at the end). Errc::Io.
  Result<size_t> read_at(uint64_t offset, void* into, size_t n) const;

 private:
  std::string dir_;
  std::vector<uint8_t> buf_;
  uint64_t size_ = 0, flushed_ = 0;
  int fd_ = -1;
};

/// Where one run lies in its SpillFile.
struct RunRef {
  uint64_t offset = 0, bytes = 0, records = 0;
};

/// Appends sorted records to file as one run.
class RunWriter {
 public:
  explicit RunWriter(SpillFile& file) : file_(file), start_(file.size()) {}
  /// Records must come in rr_compare order (not checked).
  Result<void> add(const Owner* owner, uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata);
  Result<void> add(const RR& rr) { return add(rr.owner, rr.type, rr.ttl, rr.rdata_span()); }
  /// Ends the run (flushes the file).
  Result<RunRef> finish();

 private:
  SpillFile& file_;
  uint64_t start_;
  uint64_t records_ = 0;
  const Owner* last_ = nullptr;
};

/// One record as a reader holds it: owner and RDATA point into the reader's buffers and stay
/// valid until the reader moves on.
struct SpilledRR {
  const Owner* owner = nullptr;
  const uint8_t* rdata = nullptr;
  uint32_t ttl = 0;
  uint16_t type = 0;
  uint16_t rdlen = 0;
  std::span<const uint8_t> rdata_span() const noexcept { return {rdata, rdlen}; }
};

/// rr_compare for spilled records.
int spilled_compare(const SpilledRR& a, const SpilledRR& b) noexcept;

/// Reads one run forward through a buffer of buffer_bytes.
class RunReader {
 public:
  RunReader(const SpillFile& file, const RunRef& run, size_t buffer_bytes);
  /// Moves to the next record: false at the end of the run. Errc::Io on a read error or a
  /// run that does not parse (which only a bug could make).
  Result<bool> next();
  const SpilledRR& current() const noexcept { return cur_; }

 private:
  Result<bool> fill(size_t need);

  const SpillFile& file_;
  uint64_t pos_, end_;
  std::vector<uint8_t> buf_;
  size_t at_ = 0, have_ = 0;
  // The current owner entry, copied out of the buffer (it outlives buffer refills).
  alignas(Owner) uint8_t owner_[sizeof(Owner) + kMaxNameLen + kMaxCanonicalKeyLen];
  bool has_owner_ = false;
  SpilledRR cur_;
};

/// The records of several runs in rr_compare order (equal records side by side).
class RunMerger {
 public:
  /// buffer_bytes: per run.
  RunMerger(const SpillFile& file, const std::vector<RunRef>& runs, size_t buffer_bytes);
  /// The next record; false when every run is done. Errc::Io as RunReader::next.
  Result<bool> next();
  const SpilledRR& current() const noexcept { return readers_[heap_.front()]->current(); }

 private:
  bool less(size_t a, size_t b) const noexcept;
  void sift_down(size_t i);
  void pop_front();

  std::vector<std::unique_ptr<RunReader>> readers_;
  std::vector<size_t> heap_;  // indexes of readers with a current record, min-heap
  bool started_ = false;
};

/// Sorts waves of records and spills each as a run (sort_zone: canonical order, duplicates
/// within the wave removed and counted).
class RunSpiller {
 public:
  explicit RunSpiller(SpillFile& file) : file_(file) {}
  Result<void> spill(ZoneStore& wave);
  const std::vector<RunRef>& runs() const noexcept { return runs_; }
  uint64_t records() const noexcept { return records_; }
  uint64_t duplicates() const noexcept { return duplicates_; }

 private:
  SpillFile& file_;
  std::vector<RunRef> runs_;
  uint64_t records_ = 0, duplicates_ = 0;
};

/// Copies a spilled owner entry into arena (the store form, as make_owner would make it).
const Owner* copy_owner(Arena& arena, const Owner* owner);

// --- a compile that spills -----------------------------------------------------------------

/// The in-memory path's peak for a zone is about this many bytes per byte of zone text (1M-name
/// benchmark zone: 114 MB of text, a 408 MiB compile); above the limit a compile spills.
inline constexpr uint64_t kMemoryPerInputByte = 4;

/// How a spilled compile shares --memory-limit out: the zone text parsed per wave (each wave's
/// records, their sort and the text take about four times it), the records of one slice, and
/// the read buffers of the merge.
struct SpillBudget {
  size_t wave_bytes = 0;
  size_t slice_bytes = 0;
  size_t merge_buffer_bytes = 0;
  static SpillBudget from_limit(uint64_t memory_limit);
};

/// A zone's records as sorted runs on disk.
struct SpilledRecords {
  SpillFile file;
  std::vector<RunRef> runs;
  uint64_t records = 0;     // records spilled (duplicates within a wave removed)
  uint64_t duplicates = 0;  // removed so far
};

/// What the merge into slices found (merge_slices).
struct SliceRun {
  uint64_t duplicates = 0;  // across runs
  uint64_t out_of_zone = 0;
  uint64_t slices = 0;
  uint64_t side_bytes = 0;  // written to the NS-target files
};

/// One slice of the merged zone: its records in canonical order (in-zone, without
/// duplicates), its index, and whether it holds the apex (the first slice). check_zone has run
/// on it (TTLs within an RRset made equal). The callback may change the store; it is dropped
/// after the call. It returns false to stop the merge (nothing more is wanted).
using SliceFn = std::function<Result<bool>(ZoneStore& slice, ZoneIndex& index, bool first)>;

/// What merge_slices checks besides check_zone on each slice (whose problems go to diag).
struct SliceChecks {
  bool zone = true;        // check_zone; a first slice without apex stops the merge
                           // (not for verify: it would make TTLs equal)
  bool cds = false;        // check_cds on the first slice (compile)
  bool ns_targets = true;  // in-zone NS targets in other slices settled at the end
};

/// The spilled run's merge: the records in canonical order, duplicates across runs removed
/// and out-of-zone data dropped (warned about as drop_out_of_zone does), cut into slices of
/// about budget.slice_bytes. A slice ends only before an owner that nothing before it bears on:
/// not below a zone cut or DNAME, with no empty non-terminal above it (its parent is the owner
/// before it or an ancestor of that owner), and whose first record is not one that signing
/// strips (RRSIG, NSEC, NSEC3, NSEC3PARAM), so that it keeps records in a signed zone. So
/// build_index, check_zone and write_zone see each slice exactly as they would see that part
/// of the whole zone, and the same records always make the same slices. In-zone NS targets
/// that are not in their delegation's slice are spilled and settled at the end against the
/// names that own addresses (a merge join). A slice without an apex in first place stops the
/// merge (check_zone reported it), as does a callback that returns false.
Result<SliceRun> merge_slices(const SpilledRecords& records, NameView origin, uint16_t rclass,
                              const SpillBudget& budget, const std::string& dir,
                              const SliceChecks& checks, Diagnostics& diag, const SliceFn& fn);

/// verify_file beyond options.memory_limit: the signed zone parsed into sorted runs, merged
/// into slices (as a spilled sign cuts them) and verified slice by slice with the apex's keys,
/// the NSEC of a slice's last name against the next slice's first name: the same report as the
/// in-memory verify. A zone this does not cover (NSEC3 records or NSEC3PARAM, an apex ZONEMD,
/// no NSEC, no apex, --zonemd-only) is merged whole from the runs and verified in memory
/// (VerifyReport::notes says so). Parse problems go to diag.
Result<VerifyReport> verify_spilled(const std::string& path, NameView origin,
                                    const VerifyOptions& options, Diagnostics& diag);

/// What write_slices did.
struct SlicedWrite {
  WriteStats written;
  SliceRun run;
};

/// The spilled compile: merge_slices, each slice written as the in-memory path writes the
/// zone, while diag has no errors (after one the output is never published: only the checks
/// go on). The output is byte for byte the in-memory compile's.
Result<SlicedWrite> write_slices(const SpilledRecords& records, NameView origin, uint16_t rclass,
                                 const SpillBudget& budget, const std::string& dir,
                                 emit::OutputFile& out, Diagnostics& diag,
                                 const ProgressFn* progress);

}  // namespace zk::pipeline::detail
