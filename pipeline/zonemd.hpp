// zk::pipeline ZONEMD (RFC 8976): the zone digest, its verification, and the placeholder that
// the streaming sign pass publishes and fills in after the zone has been written.
//
// Why a placeholder: the signed output is streamed (NSEC3 records come as a block after the
// rest), so the digest, which needs every RR (RRSIGs and NSEC3 included) in canonical order, is
// only known once all of it has been made. The sign pass therefore writes a ZONEMD whose digest
// is zeros, signed like any other RRset; both lines have a length fixed by the serial, the digest
// size and the key's signature size. The pass digests every RR as it writes it, merging the NSEC3
// owners into canonical order (pipeline/detail/zonemd_stream.hpp), and notes where the
// placeholder's lines are; before the temp file is renamed into place, finalize_zonemd signs the
// real ZONEMD RRset and overwrites those lines in place with text of the same length. Nothing
// written is read back.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"

namespace zk::pipeline {

namespace zonemd {
inline constexpr uint8_t kSchemeSimple = 1;         // RFC 8976 s5.2
inline constexpr uint8_t kSha384 = 1, kSha512 = 2;  // RFC 8976 s5.3
inline constexpr size_t kMinDigestLen = 12;         // RFC 8976 s2.2.4
}  // namespace zonemd

/// Digest length of a supported hash algorithm (48 / 64); 0 when unsupported.
size_t zonemd_digest_len(uint8_t hash) noexcept;

/// The SIMPLE-scheme digest (RFC 8976 s3) of a sorted store (sort_zone: canonical order, no
/// duplicates) whose records all lie at or below store.origin. Every RR is hashed in canonical
/// wire form (owner, type, class, TTL, RDLENGTH, RDATA) except the apex ZONEMD RRset and the
/// apex RRSIGs covering ZONEMD (s3.3.1). Errc::Usage for an unsupported hash, Errc::Crypto when
/// OpenSSL fails. Single-threaded; reads store only.
Result<std::vector<uint8_t>> zonemd_digest(const ZoneStore& store, uint8_t hash);

/// ZONEMD RDATA (RFC 8976 s2.2): serial, scheme SIMPLE, hash, digest.
std::vector<uint8_t> zonemd_rdata(uint32_t serial, uint8_t hash, std::span<const uint8_t> digest);

/// One finding of check_zonemd; detail is "origin ZONEMD: what".
struct ZonemdProblem {
  enum Kind : uint8_t {
    Mismatch,     // digest of a supported scheme/hash differs from the zone's
    BadSerial,    // ZONEMD serial != SOA serial (RFC 8976 s4 step 5)
    Duplicate,    // two ZONEMD RRs with the same scheme and hash (RFC 8976 s2.4)
    BadLength,    // digest length wrong for the hash, or under 12 octets
    NoSoa,        // no SOA at the apex
    Unsupported,  // warning: no ZONEMD RR with a scheme and hash we support (s4: ignored)
  } kind;
  bool warning = false;
  std::string detail;
};

struct ZonemdReport {
  bool present = false;          // the apex has at least one ZONEMD RR
  bool verified = false;         // RFC 8976 s4: at least one ZONEMD RR verified
  unsigned digests_checked = 0;  // supported RRs whose digest was compared
  unsigned digests_matched = 0;
  std::vector<ZonemdProblem> problems;  // in ZONEMD RR canonical order
  bool ok() const noexcept {
    for (const auto& p : problems) {
      if (!p.warning) return false;
    }
    return true;
  }
};

/// Verifies the apex ZONEMD RRset of a sorted, in-zone store (RFC 8976 s4): RRs with an
/// unknown scheme or hash are ignored; for the others the serial must equal the SOA serial, the
/// (scheme, hash) pair must be unique, and the digest must match. present=false when the apex
/// has no ZONEMD. Never fails; problems are in the report.
ZonemdReport check_zonemd(const ZoneStore& store);

/// Reads a zone file, keeps the in-zone records (out-of-zone ones are not part of the digest),
/// sorts it and runs check_zonemd. Parse problems go to diag and give Errc::ZoneCheck.
Result<ZonemdReport> check_zonemd_file(const std::string& path, NameView origin, Diagnostics& diag);

}  // namespace zk::pipeline
