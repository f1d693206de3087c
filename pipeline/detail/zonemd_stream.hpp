// Internal: the ZONEMD digest (RFC 8976, SIMPLE) made while the sign pass writes the zone.
//
// The writer's workers put each owner's records into canonical wire form (OwnerDigest) in
// DigestRuns; the pass's serial output step hands the runs, in output order, to the
// ZonemdDigester. With NSEC3 the zone comes as two streams, the names and the NSEC3 owners
// (written after the rest of the zone), each in canonical order: the digester merges them owner
// by owner, so the digest sees every RR in canonical order without a second copy of the zone.
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "dns/name.hpp"
#include "dns/result.hpp"

namespace zk::pipeline::detail {

/// Canonical wire RRs (RFC 4034 s6.2: owner, type, class, TTL, RDLENGTH, RDATA) of consecutive
/// owners in canonical order; each owner's RRs sorted by type, then RDATA (s6.3).
struct DigestRun {
  struct Block {
    uint32_t begin, end;  // wire[begin, end): the owner's RRs; the first starts with the owner
    uint16_t name_len;
  };
  std::vector<uint8_t> wire;
  std::vector<Block> blocks;

  NameView owner(const Block& b) const noexcept { return {wire.data() + b.begin, b.name_len}; }
};

/// One owner's records as a worker makes them; flush() sorts them into a run. Per thread.
class OwnerDigest {
 public:
  void add(uint16_t type, uint32_t ttl, std::span<const uint8_t> rdata);
  /// Appends the records added since the last flush as owner's block of run (nothing when
  /// none were added) and forgets them.
  void flush(NameView owner, uint16_t rclass, DigestRun& run);

 private:
  struct Entry {
    uint32_t offset, ttl;
    uint16_t type, len;
  };
  std::vector<Entry> entries_;
  std::vector<uint8_t> bytes_;
};

/// Merges up to two streams of DigestRuns into one SIMPLE digest. Runs of a stream must come in
/// canonical order; an owner in both streams (a name that is also an NSEC3 owner, RFC 5155
/// Appendix A) has its RRs merged. Holds only runs not yet digested. Single-threaded.
class ZonemdDigester {
 public:
  /// Errc::Usage for a hash RFC 8976 s5.3 does not define; Errc::Crypto when OpenSSL fails.
  static Result<std::unique_ptr<ZonemdDigester>> start(uint8_t hash, unsigned streams);
  ~ZonemdDigester();
  ZonemdDigester(const ZonemdDigester&) = delete;
  ZonemdDigester& operator=(const ZonemdDigester&) = delete;

  /// Adds the next run of stream (0 or 1) and digests what can be digested.
  Result<void> add(unsigned stream, DigestRun&& run);
  /// The stream (0 or 1) whose next run the digest waits for (none queued, not closed); -1 when
  /// every stream is closed.
  int waiting() const noexcept;
  /// Stream will get no more runs.
  Result<void> close(unsigned stream);
  /// After every stream was closed: the digest. Errc::Internal when runs are left.
  Result<std::vector<uint8_t>> finish();

 private:
  struct Ctx;
  ZonemdDigester() = default;
  Result<void> drain();
  Result<void> feed(std::span<const uint8_t> bytes);
  Result<void> merge_blocks(const DigestRun& a, const DigestRun::Block& ab, const DigestRun& b,
                            const DigestRun::Block& bb);

  struct Stream {
    std::deque<DigestRun> runs;
    size_t next = 0;  // next block of runs.front()
    bool closed = false;
  };
  std::unique_ptr<Ctx> ctx_;
  uint8_t hash_ = 0;
  Stream streams_[2];
  std::vector<uint8_t> buf_;
};

}  // namespace zk::pipeline::detail
