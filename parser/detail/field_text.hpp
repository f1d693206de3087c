// Presentation-format readers for single RDATA fields: one plain function per field kind.
// Each reads one token's text (escapes not yet decoded) and fails with a lower-case message
// naming what was expected; the caller (rdata_text.cpp) adds the token index to the Error.
// Internal to parser/.
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dns/base64.hpp"
#include "dns/rdata.hpp"
#include "dns/result.hpp"

namespace zk::parser::detail {

/// Decimal integer in [0, max]; no sign, no units.
Result<uint32_t> read_number(std::string_view t, uint32_t max);

/// A time value in seconds: decimal or with units (1w2d3h4m5s, case-insensitive), at most
/// max. Used for SOA timers and RRSIG original TTL.
/// Seconds or BIND units ("1w2d3h4m5s", any case, a bare number after units is seconds) up to
/// max. too_big: the message when the value exceeds max (default "time value exceeds MAX").
Result<uint32_t> read_ttl(std::string_view t, uint32_t max, std::string_view too_big = {});

/// DNSSEC algorithm: number 0..255 or mnemonic (RSASHA256, ECDSAP256SHA256, ...).
Result<uint8_t> read_algorithm(std::string_view t);

/// CERT type: number 0..65535 or mnemonic (PKIX, PGP, ..., URI, OID).
Result<uint16_t> read_cert_type(std::string_view t);

/// RR type mnemonic or TYPEnnn.
Result<uint16_t> read_type(std::string_view t);

/// RRSIG time: YYYYMMDDHHmmSS (UTC, reduced mod 2^32 per RFC 4034 s3.1.5) or decimal seconds.
Result<uint32_t> read_time(std::string_view t);

/// Dotted-quad IPv4 address into out[4].
Result<void> read_ipv4(std::string_view t, uint8_t* out);
/// RFC 4291 text IPv6 address into out[16].
Result<void> read_ipv6(std::string_view t, uint8_t* out);

/// Decodes "\X" and "\DDD" escapes of t into out (room for cap octets) and returns the length;
/// fails when longer than cap (message names `what`).
Result<size_t> read_escaped(std::string_view t, uint8_t* out, size_t cap);

/// <character-string> (RFC 1035 s5.1): writes length octet + text to out (room for 256).
Result<size_t> read_char_string(std::string_view t, uint8_t* out);

/// Base64 (RFC 4648 s4) of one token; its length must be a multiple of 4. Returns octets
/// written (room for cap).
Result<size_t> read_base64(std::string_view t, uint8_t* out, size_t cap);

using zk::Base64Stream;  // dns/base64.hpp: base64 split over several tokens

/// Hex of one token; even number of digits. Returns octets written (room for cap).
Result<size_t> read_hex(std::string_view t, uint8_t* out, size_t cap);

/// Base32hex (RFC 4648 s7) without padding, case-insensitive. Returns octets written.
Result<size_t> read_base32hex(std::string_view t, uint8_t* out, size_t cap);

/// NSEC3 salt: "-" for empty or hex of at most 255 octets; writes length octet + salt.
Result<size_t> read_salt(std::string_view t, uint8_t* out);

/// EUI-48 / EUI-64 (RFC 7043): groups of two hex digits separated by '-'; octets = 6 or 8.
Result<void> read_eui(std::string_view t, uint8_t* out, size_t octets);

/// ILNP 64-bit locator/node id (RFC 6742): four groups of 1-4 hex digits separated by ':'.
Result<void> read_l64(std::string_view t, uint8_t* out);

/// Octal number 0..0177777 (the Chaosnet address of a CH A record, as BIND reads it).
Result<uint16_t> read_octal16(std::string_view t);

/// IPN node number (draft-johnson-dns-ipn-cla, as NSD reads it): decimal 0..2^64-1, or
/// "allocator.node" with two decimal 32-bit parts, = allocator * 2^32 + node.
Result<uint64_t> read_ipn(std::string_view t);

/// Adds one type mnemonic of an NSEC/NSEC3/CSYNC type list to the bitmap.
Result<void> read_bitmap_type(std::string_view t, TypeBitmap& bitmap);

/// Lower-level helpers used by the whole-RDATA readers.
int hex_value(char c) noexcept;
bool equals_nocase(std::string_view a, std::string_view b) noexcept;

}  // namespace zk::parser::detail
