// Internal: the previous signed version of the zone, for incremental re-signing.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dns/result.hpp"
#include "dns/zone.hpp"
#include "pipeline/pipeline.hpp"
#include "signer/signer.hpp"

namespace zk::pipeline::detail {

/// One RRset of the previous output and the RRSIGs that covered it.
struct PrevRRset {
  const Owner* owner;
  uint32_t ttl;
  uint32_t first, count;          // its records: store.rrs[first, first + count)
  uint32_t sig_first, sig_count;  // its RRSIGs: sigs[sig_first, sig_first + sig_count)
  uint16_t type;
};

/// When an RRSIG may be published again instead of a new one (RFC 4034 s3.1: it covers the
/// same RRset, and is made by a key that still signs it).
struct ReusePolicy {
  int64_t now = 0;
  int64_t refresh = 0;  // re-sign when less than this remains before expiration
  NameView signer;      // the zone apex
};

/// The previous output, parsed into its own store, sorted, with an (owner, type) lookup.
/// Read-only after load, so shared by all threads.
class PreviousZone {
 public:
  /// Reads path (a zonekiln signed zone of origin). A missing file gives an empty zone; a file
  /// that does not parse gives an empty zone too (everything is signed anew) and a note in why.
  static PreviousZone load(const std::string& path, NameView origin, std::string* why);

  bool empty() const noexcept { return sets_.empty(); }
  /// The RRset at (owner, type), or nullptr. owner may belong to another store.
  const PrevRRset* find(const Owner* owner, uint16_t type) const noexcept;
  /// The same, for lookups in canonical order (as the sign pass makes them within a chunk):
  /// cursor (start at 0, one per chunk) remembers the position, so a lookup is usually a few
  /// sequential compares instead of a binary search with a cache miss per step.
  const PrevRRset* find(const Owner* owner, uint16_t type, size_t& cursor) const noexcept;
  /// True when the previous RRset holds exactly these records (RDATA in canonical order) at
  /// this TTL.
  bool same_data(const PrevRRset& prev, std::span<const RR> rrset) const noexcept;
  /// The RRSIG of prev made by key that may be reused under policy, or nullptr.
  const RR* reusable(const PrevRRset& prev, const signer::Key& key,
                     const ReusePolicy& policy) const noexcept;
  std::span<const PrevRRset> sets() const noexcept { return sets_; }
  std::span<const RR> sigs_of(const PrevRRset& p) const noexcept {
    return {sigs_.data() + p.sig_first, p.sig_count};
  }
  /// The opt-out flag of an NSEC3 RRset.
  bool nsec3_opt_out(const PrevRRset& s) const noexcept;
  /// The previous apex SOA serial (0 when there is none).
  uint32_t serial() const noexcept { return serial_; }

 private:
  ZoneStore store_;
  std::vector<PrevRRset> sets_;
  std::vector<RR> sigs_;
  uint32_t serial_ = 0;
};

struct KeyPlan;
enum class ChainKind;

/// True when the zone about to be signed (store with key records added, its index) holds exactly
/// the previous output's data (every RRset but RRSIG/NSEC/NSEC3, same TTLs and RDATA; the same
/// kind of denial chain) and every RRSIG it needs, new NSEC/NSEC3 ones included, can be reused:
/// then the previous output is the output and need not be rewritten. Single pass, merge order.
bool nothing_to_do(const ZoneStore& store, const ZoneIndex& index, const PreviousZone& prev,
                   const KeyPlan& keys, const ReusePolicy& reuse, ChainKind chain, bool opt_out);

}  // namespace zk::pipeline::detail
