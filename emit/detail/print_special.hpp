// Printers for the whole-RDATA codecs and SvcParams. Each gets valid wire (rdata_validate)
// that print_ok accepted. Internal to emit/.
#pragma once

#if !defined(ZK_INSIDE_EMIT) && !defined(ZK_WHITE_BOX)
#error "emit/detail/ is private to emit/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstddef>
#include <cstdint>
#include <string>

#include "dns/rdata_desc.hpp"

namespace zk::emit::detail {

/// False when valid wire of this field would not read back to the same octets from text
/// (e.g. an empty ECH value, WKS bitmap ending in a zero octet); the caller then prints the
/// whole RDATA in RFC 3597 form.
bool print_ok(zk::rdesc::Field f, const uint8_t* p, size_t n) noexcept;

void print_wks(std::string& out, const uint8_t* p, size_t n);
void print_loc(std::string& out, const uint8_t* p, size_t n);
void print_apl(std::string& out, const uint8_t* p, size_t n);
void print_a6(std::string& out, const uint8_t* p, size_t n);
void print_ipseckey(std::string& out, const uint8_t* p, size_t n);
void print_hip(std::string& out, const uint8_t* p, size_t n);
void print_caa(std::string& out, const uint8_t* p, size_t n);
void print_amtrelay(std::string& out, const uint8_t* p, size_t n);
void print_svc_params(std::string& out, const uint8_t* p, size_t n);
void print_atma(std::string& out, const uint8_t* p, size_t n);

}  // namespace zk::emit::detail
