// Internal: the previous signed version of the zone, for incremental re-signing.
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/result.hpp"
#include "dns/zone.hpp"
#include "pipeline/pipeline.hpp"
#include "signer/lifecycle/renewal.hpp"
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
/// same RRset, and is made by a key that still signs it, or by a retired key of the same
/// algorithm still in the DNSKEY RRset), and when it is renewed (signer/lifecycle/renewal.hpp: due,
/// or early to even out the runs' work).
struct ReusePolicy {
  int64_t now = 0;
  NameView signer;  // the zone apex
  signer::RenewalSchedule renewal;
};

/// A key by its DNSKEY identity (retired ZSKs: no private key is needed to republish an RRSIG).
struct KeyId {
  uint16_t tag = 0;
  uint8_t algorithm = 0;
};

/// The previous RRSIG to publish again for one signing key, or none (sig null); early when one
/// could have been kept but is renewed early (Renewal::Early).
struct ReuseChoice {
  const RR* sig = nullptr;
  bool early = false;
};

/// A piece of the previous output (whole owners, as PreviousReader hands them out), parsed into
/// its own store, sorted, with an (owner, type) lookup. Read-only once made, so it may be shared
/// by threads.
class PreviousZone {
 public:
  /// Parses text (lines of a zonekiln signed zone of origin; file_name for messages). Text that
  /// does not parse gives an empty, broken() zone: nothing in it is reused.
  static PreviousZone from_text(std::string_view text, NameView origin,
                                const std::string& file_name);
  /// The apex owner of the previous output at path (its first owner): SOA serial, ZONEMD, the
  /// key RRsets. Empty when there is no file. broken() (why says where) when the file is not in
  /// zonekiln's order as far as it was read, or the apex does not parse: then nothing of it may
  /// be reused, but serial() still gives the serial of an apex SOA read before the problem.
  static PreviousZone apex(const std::string& path, NameView origin, std::string* why);

  bool broken() const noexcept { return broken_; }
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
  /// The RRSIG of prev to publish again in place of a new one by key: one made by key, else by
  /// one of retired with key's algorithm, that is valid, not due and not renewed early under
  /// policy. hash: signer::renewal_hash of the RRset.
  ReuseChoice reusable(const PrevRRset& prev, const signer::Key& key,
                       std::span<const KeyId> retired, const ReusePolicy& policy,
                       uint64_t hash) const noexcept;
  /// True when prev has an RRSIG by key, or by one of retired with key's algorithm (the RRSIGs
  /// key takes over), reusable or not.
  bool signed_by(const PrevRRset& prev, const signer::Key& key,
                 std::span<const KeyId> retired) const noexcept;
  std::span<const PrevRRset> sets() const noexcept { return sets_; }
  std::span<const RR> sigs_of(const PrevRRset& p) const noexcept {
    return {sigs_.data() + p.sig_first, p.sig_count};
  }
  /// The opt-out flag of an NSEC3 RRset.
  bool nsec3_opt_out(const PrevRRset& s) const noexcept;
  /// The records of one of sets() (RDATA in canonical order).
  std::span<const RR> records_of(const PrevRRset& p) const noexcept {
    return {store_.rrs.data() + p.first, p.count};
  }
  /// The records, sorted.
  const ZoneStore& store() const noexcept { return store_; }
  /// The previous apex SOA serial (0 when there is none).
  bool has_serial() const noexcept { return has_serial_; }
  uint32_t serial() const noexcept { return serial_; }

 private:
  void index();
  ZoneStore store_;
  bool broken_ = false;
  std::vector<PrevRRset> sets_;
  std::vector<RR> sigs_;
  uint32_t serial_ = 0;
  bool has_serial_ = false;
};

/// The renewal forecast (signer::forecast_renewals) of every RRSIG in prev (a piece of the
/// previous output; forecasts of pieces add up): what
/// the next runs after now will re-sign if nothing changes.
std::vector<uint64_t> forecast_renewals(const PreviousZone& prev,
                                        const signer::RenewalSchedule& schedule, int64_t now);

struct KeyPlan;
enum class ChainKind;

/// What nothing_to_do found.
struct Unchanged {
  bool unchanged = false;
  int64_t earliest_expiration = INT64_MAX;  // of the previous RRSIGs, when unchanged
  int64_t next_renewal = INT64_MAX;         // the first time a run would re-make one of them
  std::vector<uint64_t> forecast;           // forecast_renewals of them, when unchanged
  uint64_t rrsets = 0;  // RRsets of the previous output (RRSIGs not counted), when unchanged
  std::string bad;      // the previous output is not in zonekiln's order: where (else empty)
};

/// unchanged when the zone about to be signed (store with key records added, its index) holds
/// exactly the previous output's data (every RRset but RRSIG/NSEC/NSEC3, same TTLs and RDATA;
/// the same kind of denial chain) and every RRSIG it needs, new NSEC/NSEC3 ones included, can be
/// reused: then the previous output is the output and need not be rewritten. Reads the previous
/// output at prev_path forward (PreviousReader) in pieces merged with the index's nodes, and
/// stops at the first difference: memory for one piece, never the whole previous zone.
Unchanged nothing_to_do(const ZoneStore& store, const ZoneIndex& index,
                        const std::string& prev_path, const KeyPlan& keys, const ReusePolicy& reuse,
                        ChainKind chain, bool opt_out);

/// nothing_to_do for a zone that comes in slices, in canonical order (a spilled sign): the same
/// answer, from the previous output read forward across the slices.
class UnchangedScan {
 public:
  UnchangedScan(const std::string& prev_path, NameView origin, const KeyPlan& keys,
                const ReusePolicy& reuse, ChainKind chain, bool opt_out);
  ~UnchangedScan();
  UnchangedScan(const UnchangedScan&) = delete;
  UnchangedScan& operator=(const UnchangedScan&) = delete;
  /// One slice (its store with the key records at the apex, and its index); more_follow: not
  /// the last. False once a difference is found: the zone changed, no need to go on.
  bool slice(const ZoneStore& store, const ZoneIndex& index, bool more_follow);
  /// After the last slice (or the first false): what nothing_to_do would have found.
  Unchanged finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace zk::pipeline::detail
