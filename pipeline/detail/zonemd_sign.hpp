// Internal: ZONEMD in the sign pass (see pipeline/zonemd.hpp for why a placeholder is used).
#pragma once

#include <cstdint>
#include <string>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"
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

/// The apex ZONEMD RDATA of a previous output (sorted store) that may be published again as it
/// is: the only apex ZONEMD RR there, SIMPLE with this hash, and its digest verifies over that
/// zone. Empty when not. Lets an unchanged zone stay untouched under incremental re-signing.
std::vector<uint8_t> reusable_zonemd(const ZoneStore& previous, uint8_t hash);

/// Turns the apex ZONEMD of a sorted store into the placeholder with this serial (RDATA copied
/// into the store's arena): for when the output serial is decided, or the previous digest turns
/// out not to be reusable, after the record was added. The order does not change: the ZONEMD
/// RRset holds this one RR.
void reset_zonemd_placeholder(ZoneStore& store, uint32_t serial, uint8_t hash);

/// After write_zone has filled temp_path and before it is renamed into place: re-reads the file
/// with our parser, computes the digest, signs the real ZONEMD RRset with keys.zsks (as the
/// writer signed the placeholder), checks each new signature, and overwrites the placeholder
/// ZONEMD line and its RRSIG lines in place (same length by construction), then fsyncs.
/// Errc::Internal when the placeholder lines cannot be found or lengths differ,
/// Errc::VerifyFailed when a new signature does not verify, Errc::Io on file errors.
Result<void> finalize_zonemd(const std::string& temp_path, NameView origin, const KeyPlan& keys,
                             uint32_t ttl, uint32_t serial, uint8_t hash);

}  // namespace zk::pipeline::detail
