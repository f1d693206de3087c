// The per-type RDATA description (zk::rdesc) shared by validation, canonical form, name
// extraction (dns/rdata.cpp), text -> wire (parser/detail/rdata_text.cpp) and wire -> text
// (emit/rdata_print.cpp): the one table of what each RR type's RDATA holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace zk::rdesc {

/// One field of RDATA. Fields marked "rest" take all remaining RDATA (and all remaining
/// presentation tokens) and may only be last. "Whole" codecs describe the entire RDATA of one
/// type and are the only field of that type.
enum class Field : uint8_t {
  U8,          // decimal 0..255
  U16,         // decimal 0..65535
  U32,         // decimal 0..2^32-1
  Ttl,         // u32; text also accepts units (1w2d3h4m5s), as SOA timers and RRSIG original TTL
  Alg,         // u8; text also accepts DNSSEC algorithm mnemonics (RFC 4034 A.1)
  CertType,    // u16; text also accepts CERT type mnemonics (RFC 4398 s2.1), printed as such
  Type,        // u16 RR type; text is a type mnemonic or TYPEnnn
  Time,        // u32 RRSIG time; text YYYYMMDDHHmmSS or decimal seconds (RFC 4034 s3.2)
  Name,        // uncompressed domain name, case kept
  LName,       // domain name that RFC 4034 s6.2 lowercases in canonical form
  Ipv4,        // 4 octets
  Ipv6,        // 16 octets
  String,      // <character-string>: length octet + up to 255 octets
  StringOpt,   // optional final <character-string> (ISDN subaddress)
  Strings,     // rest: one or more <character-string>s (TXT)
  Text,        // rest: octets without length prefix, one presentation string (URI target)
  Base64,      // rest: base64, may be split over tokens, at least one octet
  Base64Dash,  // rest: base64 or "-" for empty (DOA data)
  Base64Opt,   // rest: base64, zero or more octets; nothing printed when empty (SINK data)
  Hex,         // rest: hex, may be split over tokens, at least one octet
  Salt,        // u8 length + octets; text hex or "-" for empty (NSEC3)
  Hash32,      // u8 length + octets; text base32hex without padding (NSEC3 next hashed owner)
  Bitmap,      // rest: NSEC type bitmap (RFC 4034 s4.1.2); text a list of type mnemonics
  NxtBitmap,   // rest: NXT bitmap (RFC 2535 s5.2), types 1..127 only
  Eui48,       // 6 octets as xx-xx-xx-xx-xx-xx
  Eui64,       // 8 octets as xx-xx-xx-xx-xx-xx-xx-xx
  L64,         // 8 octets as xxxx:xxxx:xxxx:xxxx (NID, L64; RFC 6742)
  Nsap,        // rest: "0x" hex with optional dots (RFC 1706)
  Scheme,      // u8 DSYNC scheme; text also "NOTIFY"
  Octal16,     // u16 written in octal (Chaosnet address of CH A, as BIND)
  Ipn,         // u64 IPN node number; text decimal or "allocator.node" (two 32-bit parts)
  SvcParams,   // rest: RFC 9460 SvcParams
  // whole-RDATA codecs
  Wks,       // RFC 1035 s3.4.2
  Loc,       // RFC 1876
  Apl,       // RFC 3123
  A6,        // RFC 2874
  Ipseckey,  // RFC 4025
  Hip,       // RFC 8005
  Caa,       // RFC 8659
  Amtrelay,  // RFC 8777
  Atma,      // ATM Forum af-dans-0152: format 0 (AESA, hex) or 1 (E.164, "+digits")
};

inline constexpr unsigned kMaxFields = 9;

/// The layout of one type's RDATA. Field sequence in wire order (= presentation order).
struct RdataDesc {
  uint16_t type;
  uint8_t count;
  Field fields[kMaxFields];
  std::span<const Field> field_list() const noexcept { return {fields, count}; }
};

/// Descriptor of a type with a known presentation format, nullptr for other types. This is the
/// format in class IN; see the class-aware overload for the others.
const RdataDesc* rdata_desc(uint16_t type) noexcept;

/// True for the types whose RDATA format belongs to class IN (RFC 1035 s3.4 and the RFCs that
/// define them for the Internet class; BIND's lib/dns/rdata/in_1): A, WKS, NSAP, NSAP-PTR, PX,
/// AAAA, EID, NIMLOC, SRV, ATMA, NAPTR, KX, A6, APL, DHCID, SVCB, HTTPS.
bool type_is_in_specific(uint16_t type) noexcept;

/// Descriptor of a type in a class: the class-independent formats in every class, the
/// IN-specific ones only in IN, plus the formats BIND gives A in CH (Chaosnet: domain name and
/// octal address) and HS (an IPv4 address). nullptr when the type has no presentation format
/// in that class (RFC 3597 generic form only).
const RdataDesc* rdata_desc(uint16_t type, uint16_t rclass) noexcept;

inline constexpr size_t kBadField = static_cast<size_t>(-1);

/// Wire length of the field starting at p (n octets available until the end of RDATA), or
/// kBadField when the octets are not a valid field of that kind. "Rest" and whole fields
/// return n on success. Checks only structure (lengths, names, bitmap rules, SvcParam order).
size_t field_wire_len(Field f, const uint8_t* p, size_t n) noexcept;

// --- helpers shared by the codecs --------------------------------------------------------

inline uint16_t get16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
inline uint32_t get32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

/// Validates SvcParams wire (RFC 9460 s2.2: keys strictly ascending, values well-formed for
/// the keys zonekiln knows; mandatory list sorted, without key 0 and naming present keys).
bool svc_params_valid(const uint8_t* p, size_t n) noexcept;

/// DNSSEC algorithm mnemonic for a number, nullptr when none.
const char* algorithm_mnemonic(uint8_t alg) noexcept;
/// CERT type mnemonic for a number, nullptr when none.
const char* cert_type_mnemonic(uint16_t t) noexcept;
/// SvcParamKey mnemonic for a key number, nullptr when none (print keyNNNN).
const char* svc_key_mnemonic(uint16_t key) noexcept;

}  // namespace zk::rdesc
