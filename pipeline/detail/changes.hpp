// Internal: what changed in the zone's data since the previous output (sign --changes).
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dns/zone.hpp"
#include "pipeline/detail/previous.hpp"

namespace zk::pipeline::detail {

/// RRsets added, removed and changed, each a JSON object (text), in canonical order:
///   added/removed: {"owner", "type", "ttl", "rdata": [presentation text, ...]}
///   changed: {"owner", "type", "old": {"ttl", "rdata": [...]}, "new": {...}}
/// RRSIG, NSEC and NSEC3 are left out, and so is ZONEMD: they follow from the rest. A TTL
/// change is a change.
struct Changes {
  std::vector<std::string> added, removed, changed;
  /// Appends o (which follows this in canonical order).
  void append(Changes&& o);
};

/// Adds to out the differences between now (records of this run's zone: sorted, whole owners)
/// and old (a piece of the previous output holding the same range of owners; null: none, so
/// everything is added). The sign pass calls it chunk by chunk with the pieces of the previous
/// output it reads beside the zone, so the previous output is never held whole.
void diff_rrsets(std::span<const RR> now, const PreviousZone* old, Changes& out);

/// The previous output at path read whole and compared with store (this run's zone, sorted):
/// only for an edited previous output (not in zonekiln's order), which cannot be read as a
/// stream beside the zone. Empty changes when it does not parse (why says so).
Changes changes_from_file(const ZoneStore& store, const std::string& path, std::string* why);

/// The JSON object of sign --changes:
///   {"zone", "previous", "serial": {"old", "new"}, "counts": {"added", "removed", "changed"},
///    "added": [...], "removed": [...], "changed": [...]}
/// previous is the previous output's path, or null when there was none.
std::string changes_json(const Changes& changes, NameView zone, const std::string* previous,
                         uint32_t serial_old, uint32_t serial_new);

}  // namespace zk::pipeline::detail
