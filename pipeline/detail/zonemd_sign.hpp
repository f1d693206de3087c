// Internal: ZONEMD in the sign pass (see pipeline/zonemd.hpp for why a placeholder is used).
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <string>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"
#include "emit/emit.hpp"
#include "pipeline/detail/previous.hpp"
#include "pipeline/detail/writer.hpp"

namespace zk::pipeline::detail {

/// Removes the apex ZONEMD RRset from a sorted store, keeping the order: a digest read from the
/// input can never match the re-signed output. Returns how many RRs were removed.
size_t drop_apex_zonemd(ZoneStore& store);

/// Appends (unsorted: the caller merges) the placeholder apex ZONEMD: SIMPLE, hash, the
/// serial of the output and a digest of zeros of the hash's length.
void add_zonemd_placeholder(ZoneStore& store, const Owner* apex, uint32_t ttl, uint32_t serial,
                            uint8_t hash);

/// Appends (unsorted) an apex ZONEMD with the given RDATA (copied into the store's arena).
void add_zonemd_record(ZoneStore& store, const Owner* apex, uint32_t ttl,
                       std::span<const uint8_t> rdata);

/// The apex ZONEMD RDATA of a previous output (its apex, PreviousZone::apex) that may be published
/// again if its digest still verifies: the only apex ZONEMD RR there, SIMPLE with this hash,
/// with the apex SOA serial. Empty when not.
std::vector<uint8_t> zonemd_candidate(const PreviousZone& apex, uint8_t hash);

/// True when zonemd_candidate(apex, hash) is not empty and its digest matches the previous output
/// at path (RFC 8976 s4), computed from the file read forward in its two sections (names and
/// NSEC3 records, merged into canonical order): memory for a few pieces, never the whole zone.
bool zonemd_verifies(const std::string& path, const PreviousZone& apex, uint8_t hash);

/// Turns the apex ZONEMD of a sorted store into the placeholder with this serial (RDATA copied
/// into the store's arena): for when the output serial is decided, or the previous digest turns
/// out not to be reusable, after the record was added. The order does not change: the ZONEMD
/// RRset holds this one RR.
void reset_zonemd_placeholder(ZoneStore& store, uint32_t serial, uint8_t hash);

/// After write_zone (with WritePlan::zonemd_hash) has written out and before it is synced:
/// signs the real ZONEMD RRset (serial, hash, the digest the pass computed) with the keys and
/// fields of the placeholder's RRSIGs, checks each new signature, and overwrites the
/// placeholder's lines in place at the offsets the pass noted (same length by construction).
/// Errc::Internal when the placeholder was not written or a length differs,
/// Errc::VerifyFailed when a new signature does not verify, Errc::WriteFailed on file errors.
Result<void> finalize_zonemd(emit::OutputFile& out, const WriteStats& written, NameView origin,
                             const KeyPlan& keys, uint16_t rclass, uint32_t ttl, uint32_t serial,
                             uint8_t hash);

}  // namespace zk::pipeline::detail
