// The zone store: every record of a zone as flat, fixed-size RR entries pointing into arenas.
//
// Memory per RR (x86-64): sizeof(RR) = 24 bytes, plus its RDATA bytes in an arena, plus its
// owner entry (4 + wire length + canonical key length bytes) shared by consecutive RRs of the
// same owner. For the 1M-name benchmark zone (2.53M RRs, ~1.2M owners) that is about
// 61 MB of RR entries + ~45 MB RDATA + ~60 MB owner entries.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "dns/arena.hpp"
#include "dns/name.hpp"
#include "dns/rrtype.hpp"

namespace zk {

/// An owner name as stored: header followed by the lowercased wire name and its canonical key
/// (see canonical_key). Always allocated by make_owner inside an Arena; never copied.
struct Owner {
  uint16_t wire_len;
  uint16_t key_len;
  // followed by wire_len bytes of wire name, then key_len bytes of canonical key

  const uint8_t* wire() const noexcept { return reinterpret_cast<const uint8_t*>(this + 1); }
  const uint8_t* key() const noexcept { return wire() + wire_len; }
  NameView name() const noexcept { return {wire(), wire_len}; }
};

/// Copies name (lowercased) and its canonical key into arena.
const Owner* make_owner(Arena& arena, NameView name);

/// Canonical order of owners (RFC 4034 s6.1) via their keys.
inline int owner_compare(const Owner* a, const Owner* b) noexcept {
  if (a == b) return 0;
  return key_compare(a->key(), a->key_len, b->key(), b->key_len);
}

/// One resource record. 24 bytes; owner and rdata point into arenas of the ZoneStore.
/// The class is the zone's (ZoneStore::rclass). RDATA is in canonical form (dns/rdata.hpp).
struct RR {
  const Owner* owner;
  const uint8_t* rdata;
  uint32_t ttl;
  uint16_t type;
  uint16_t rdlen;

  std::span<const uint8_t> rdata_span() const noexcept { return {rdata, rdlen}; }
};
static_assert(sizeof(RR) == 24, "RR must stay 24 bytes");

/// Canonical RDATA order (RFC 4034 s6.3): octet strings compared left-justified, shorter first.
inline int rdata_compare(const RR& a, const RR& b) noexcept {
  return key_compare(a.rdata, a.rdlen, b.rdata, b.rdlen);
}

/// Total order on records: owner (canonical), type, rdata. Equal under it = duplicate RR.
inline int rr_compare(const RR& a, const RR& b) noexcept {
  if (int c = owner_compare(a.owner, b.owner)) return c;
  if (a.type != b.type) return a.type < b.type ? -1 : 1;
  return rdata_compare(a, b);
}
inline bool rr_less(const RR& a, const RR& b) noexcept { return rr_compare(a, b) < 0; }

/// The record table of a zone: one contiguous array, in huge pages once it is large.
using RRVector = std::vector<RR, BigAllocator<RR>>;

/// All records of one zone plus the arenas that hold their bytes. Move-only.
/// After parsing, rrs is in input order; pipeline::sort_zone puts it in canonical order
/// (owner, type, rdata) with duplicates removed, after which RRsets are contiguous runs.
struct ZoneStore {
  Name origin;
  uint16_t rclass = rrclass::IN;
  RRVector rrs;
  std::vector<Arena> arenas;

  ZoneStore() = default;
  ZoneStore(ZoneStore&&) noexcept = default;
  ZoneStore& operator=(ZoneStore&&) noexcept = default;
  ZoneStore(const ZoneStore&) = delete;
  ZoneStore& operator=(const ZoneStore&) = delete;

  /// Moves another store's records and arenas into this one (used to merge parse chunks).
  void absorb(ZoneStore&& other);
  /// An arena of this store for single-threaded additions (e.g. records the pipeline adds).
  Arena& arena();
};

/// A contiguous run of RRs with the same owner and type (an RRset) in a sorted store.
struct RRsetRef {
  uint32_t first;
  uint32_t count;
};

}  // namespace zk
