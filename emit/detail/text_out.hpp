// Appending helpers for the RDATA printer: numbers, hex, base64, quoted strings, addresses.
// All append to the caller's std::string and never allocate anything else. Internal to emit/.
#pragma once

#if !defined(ZK_INSIDE_EMIT) && !defined(ZK_WHITE_BOX)
#error "emit/detail/ is private to emit/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace zk::emit::detail {

void put_u32(std::string& out, uint32_t v);
/// Upper-case hex, no separators.
void put_hex(std::string& out, const uint8_t* p, size_t n);
/// Lower-case hex, no separators.
void put_hex_lower(std::string& out, const uint8_t* p, size_t n);
/// RFC 4648 base64 with padding, unbroken.
/// RFC 4648 base32hex without padding, upper case (NSEC3 hashes as BIND prints them).
void put_base32hex(std::string& out, const uint8_t* p, size_t n);
/// Quoted string: '"' and '\' escaped with a backslash, bytes outside 0x20..0x7e as \DDD.
void put_quoted(std::string& out, const uint8_t* p, size_t n);
/// The octets of a string with the escapes of put_quoted, without the quotes.
void put_escaped(std::string& out, const uint8_t* p, size_t n);
void put_ipv4(std::string& out, const uint8_t* p);
void put_ipv6(std::string& out, const uint8_t* p);
/// YYYYMMDDHHmmSS of seconds since the epoch (RRSIG times, RFC 4034 s3.2).
void put_time(std::string& out, uint32_t secs);

}  // namespace zk::emit::detail
