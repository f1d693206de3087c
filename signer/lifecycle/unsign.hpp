// Turning signing off safely (RFC 8078 s4): first the parent is asked to remove the DS
// (CDS "0 0 0 00" / CDNSKEY "0 3 0 AA==" published by `sign`), then, once the owner confirms
// the DS is gone and the DS TTL has passed, the unsigned zone is written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"

namespace zk::signer {

/// RFC 8078 s4 delete records, wire RDATA: CDS "0 0 0 00" (key tag 0, algorithm 0, digest type
/// 0, one zero octet) and CDNSKEY "0 3 0 AA==" (flags 0, protocol 3, algorithm 0, one zero
/// octet). The sign run publishes these instead of its CDS/CDNSKEY when KeyPlan::cds_delete.
inline constexpr uint8_t kCdsDeleteRdata[] = {0, 0, 0, 0, 0};
inline constexpr uint8_t kCdnskeyDeleteRdata[] = {0, 0, 3, 0, 0};

struct UnsignRequest {
  int64_t now = 0;
  std::string command;  // the unsign command as the owner runs it (for the hints); may be empty
  bool parent_ds_removed = false;  // --parent-ds-removed: the owner states the DS is gone
  std::optional<uint32_t> ds_ttl;  // --ds-ttl (default: recorded, else 86400)
};

enum class UnsignStep : uint8_t {
  Started,           // disable procedure recorded just now; sign publishes CDS/CDNSKEY delete
  WaitingForParent,  // waiting for the owner to confirm the parent's DS is gone
  WaitingForDsTtl,   // DS gone; caches may still hold it until ready_at
  WriteUnsigned,     // safe: write the unsigned zone now (zone state is NOT_SIGNING)
};

struct UnsignDecision {
  UnsignStep step = UnsignStep::Started;
  std::optional<int64_t> ready_at;  // when the unsigned zone can be written
  std::string message;              // what happens and what the person does next
  bool write_zone() const noexcept { return step == UnsignStep::WriteUnsigned; }
  /// 0 when the zone is written, 3 (a person must act or wait) otherwise.
  int exit_code() const noexcept { return write_zone() ? 0 : 3; }
};

/// Advances the disable procedure in zone (the caller holds the lock and writes the state).
/// Pure: depends on the request and the state only.
UnsignDecision unsign_step(ZoneKeyState& zone, const UnsignRequest& request);

/// Where the SOA serial stands in zone text: the first SOA record's serial field (RFC 1035
/// s3.3.13, the third RDATA field), as a number and its span, so that it can be rewritten in
/// place. nullopt when there is no SOA or its serial is not a plain decimal number <= 2^32-1.
struct TextSerial {
  uint32_t serial = 0;
  size_t offset = 0, length = 0;
};
std::optional<TextSerial> find_soa_serial_text(std::string_view text);

/// Removes every DNSSEC record (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY, CDS, CDNSKEY) from zone
/// text by its type column, keeping everything else byte for byte (comments included). An owner
/// stated only on a removed line is carried to the next kept line that omits it. origin is the
/// initial $ORIGIN. Errc::Usage for $INCLUDE (the included file would stay signed).
Result<std::string> strip_dnssec_text(std::string_view text, std::string_view origin);

}  // namespace zk::signer
