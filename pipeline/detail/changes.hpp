// Internal: what changed in the zone's data since the previous output (sign --changes).
#pragma once

#include <cstdint>
#include <string>

#include "dns/zone.hpp"
#include "pipeline/detail/previous.hpp"

namespace zk::pipeline::detail {

/// The RRsets added, removed and changed between prev (the previous output; null: none) and
/// store (this run's zone: sorted, key records merged in), as one JSON object:
///   {"zone", "previous", "serial": {"old", "new"}, "counts": {"added", "removed", "changed"},
///    "added": [RRSET...], "removed": [RRSET...],
///    "changed": [{"owner", "type", "old": {"ttl", "rdata": [...]}, "new": {...}}]}
/// with RRSET = {"owner", "type", "ttl", "rdata": [presentation text, ...]}, in canonical order.
/// RRSIG, NSEC and NSEC3 are left out: they follow from the rest. A TTL change is a change.
std::string changes_json(const ZoneStore& store, const PreviousZone* prev,
                         const std::string& prev_path, uint32_t serial_old, uint32_t serial_new);

}  // namespace zk::pipeline::detail
