// RDATA in wire form: validation, canonical form and typed readers.
//
// RDATA is always held uncompressed in wire form. Presentation-format reading lives in
// parser/ (parser/detail/rdata_text.hpp), writing in emit/ (emit/rdata_print.hpp); both are
// driven by the same per-type description used here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/name.hpp"
#include "dns/result.hpp"

namespace zk {

inline constexpr size_t kMaxRdataLen = 65535;

/// Checks that rdata is well-formed wire RDATA for the type (field lengths, embedded names
/// valid and uncompressed, no trailing bytes). Unknown types always pass. Used for RFC 3597
/// generic ("\# len hex") input of known types.
Result<void> rdata_validate(uint16_t type, std::span<const uint8_t> rdata);
/// The same in a class: types with no format in that class (IN-specific types elsewhere,
/// rdesc::rdata_desc(type, rclass)) always pass.
Result<void> rdata_validate(uint16_t type, std::span<const uint8_t> rdata, uint16_t rclass);

/// Lowercases, in place, the domain names embedded in the RDATA of the types listed in
/// RFC 4034 s6.2 as amended by RFC 6840 s5.1 (NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO,
/// MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX, SRV, DNAME, A6; NOT RRSIG, NSEC, HINFO).
/// The RDATA must be valid (rdata_validate). No-op for all other types.
void rdata_canonicalize(uint16_t type, std::span<uint8_t> rdata) noexcept;
/// The same in a class: opaque RDATA (a type with no format in that class) is left as is.
void rdata_canonicalize(uint16_t type, std::span<uint8_t> rdata, uint16_t rclass) noexcept;

/// True when the type's RDATA contains domain names that rdata_canonicalize lowercases.
bool rdata_has_canonical_names(uint16_t type) noexcept;

/// Writes the domain names embedded in valid RDATA of the type (NS target, MX exchange, SRV
/// target, SOA mname and rname, ...) into out (room for 4) and returns how many. Names inside
/// RRSIG/NSEC are included. Used for glue and zone checks.
unsigned rdata_names(uint16_t type, std::span<const uint8_t> rdata, NameView out[4]) noexcept;

// --- typed readers (RDATA must be valid) --------------------------------------------------

struct SoaFields {
  NameView mname, rname;
  uint32_t serial, refresh, retry, expire, minimum;
};
SoaFields soa_fields(std::span<const uint8_t> rdata) noexcept;
/// Offset of the serial field inside SOA RDATA (for rewriting it in place).
size_t soa_serial_offset(std::span<const uint8_t> rdata) noexcept;

struct RrsigFields {
  uint16_t type_covered;
  uint8_t algorithm, labels;
  uint32_t original_ttl, expiration, inception;
  uint16_t key_tag;
  NameView signer;
  std::span<const uint8_t> signature;
};
RrsigFields rrsig_fields(std::span<const uint8_t> rdata) noexcept;

struct DnskeyFields {
  uint16_t flags;
  uint8_t protocol, algorithm;
  std::span<const uint8_t> public_key;
};
DnskeyFields dnskey_fields(std::span<const uint8_t> rdata) noexcept;

/// RFC 4034 Appendix B key tag of DNSKEY RDATA.
uint16_t key_tag(std::span<const uint8_t> dnskey_rdata) noexcept;

/// Names in NS/CNAME/DNAME/PTR RDATA (a single name).
inline NameView rdata_single_name(std::span<const uint8_t> rdata) noexcept {
  return {rdata.data(), static_cast<uint16_t>(rdata.size())};
}

// --- NSEC / NSEC3 type bitmaps (RFC 4034 s4.1.2) -------------------------------------------

/// A set of RR types, built up then written as a type bitmap.
class TypeBitmap {
 public:
  void clear() noexcept;
  void add(uint16_t type) noexcept;
  bool has(uint16_t type) const noexcept;
  bool empty() const noexcept { return count_ == 0; }
  /// Appends the wire bitmap (windows in ascending order) to out; returns bytes written.
  /// out must have room for wire_size().
  size_t write(uint8_t* out) const noexcept;
  size_t wire_size() const noexcept;
  /// Calls f(type) for each type in ascending order.
  template <typename F>
  void for_each(F&& f) const {
    for (unsigned w = 0; w < 256; ++w) {
      if (!window_used_[w]) continue;
      for (unsigned b = 0; b < 256; ++b) {
        if (bits_[w][b >> 3] & (0x80 >> (b & 7))) f(static_cast<uint16_t>(w * 256 + b));
      }
    }
  }
  /// Reads a wire bitmap; false if malformed (RFC 4034 s4.1.2 rules).
  bool read(std::span<const uint8_t> wire) noexcept;

 private:
  uint8_t bits_[256][32] = {};
  bool window_used_[256] = {};
  uint32_t count_ = 0;
};

}  // namespace zk
