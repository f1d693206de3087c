// RR type and class numbers and their mnemonics (IANA "Resource Record (RR) TYPEs").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zk {

namespace rrtype {
inline constexpr uint16_t A = 1, NS = 2, MD = 3, MF = 4, CNAME = 5, SOA = 6, MB = 7, MG = 8, MR = 9,
                          NULL_ = 10, WKS = 11, PTR = 12, HINFO = 13, MINFO = 14, MX = 15, TXT = 16,
                          RP = 17, AFSDB = 18, X25 = 19, ISDN = 20, RT = 21, NSAP = 22,
                          NSAP_PTR = 23, SIG = 24, KEY = 25, PX = 26, GPOS = 27, AAAA = 28,
                          LOC = 29, NXT = 30, EID = 31, NIMLOC = 32, SRV = 33, ATMA = 34,
                          NAPTR = 35, KX = 36, CERT = 37, A6 = 38, DNAME = 39, SINK = 40, OPT = 41,
                          APL = 42, DS = 43, SSHFP = 44, IPSECKEY = 45, RRSIG = 46, NSEC = 47,
                          DNSKEY = 48, DHCID = 49, NSEC3 = 50, NSEC3PARAM = 51, TLSA = 52,
                          SMIMEA = 53, HIP = 55, NINFO = 56, RKEY = 57, TALINK = 58, CDS = 59,
                          CDNSKEY = 60, OPENPGPKEY = 61, CSYNC = 62, ZONEMD = 63, SVCB = 64,
                          HTTPS = 65, DSYNC = 66, SPF = 99, UINFO = 100, UID = 101, GID = 102,
                          UNSPEC = 103, NID = 104, L32 = 105, L64 = 106, LP = 107, EUI48 = 108,
                          EUI64 = 109, TKEY = 249, TSIG = 250, IXFR = 251, AXFR = 252, MAILB = 253,
                          MAILA = 254, ANY = 255, URI = 256, CAA = 257, AVC = 258, DOA = 259,
                          AMTRELAY = 260, RESINFO = 261, WALLET = 262, TA = 32768, DLV = 32769,
                          ALIAS = 65401;  // Knot's private apex alias (a domain name)
// Registered since the list above was written (IANA, as of 2026).
inline constexpr uint16_t HHIT = 67, BRID = 68, NXNAME = 128, CLA = 263, IPN = 264;
}  // namespace rrtype

namespace rrclass {
inline constexpr uint16_t IN = 1, CH = 3, HS = 4, NONE = 254, ANY = 255;
}

/// Type number for a mnemonic ("A", "aaaa", "TYPE1234"), case-insensitive. nullopt if unknown
/// or not a valid TYPEnnn (nnn must fit 16 bits).
std::optional<uint16_t> type_from_text(std::string_view mnemonic) noexcept;

/// Mnemonic of a known type, or empty view when the type has no mnemonic (print "TYPEnnn").
std::string_view type_mnemonic(uint16_t type) noexcept;

/// Appends the mnemonic or "TYPEnnn".
void type_to_text(uint16_t type, std::string& out);
std::string type_to_string(uint16_t type);

/// Class number for "IN", "CH", "HS", "CLASSnnn" (case-insensitive); nullopt otherwise.
std::optional<uint16_t> class_from_text(std::string_view text) noexcept;

/// True for the classes RFC 6895 s3.2 leaves to data (1-127, 256-57343, private use
/// 65280-65534): a zone may be of one of these; 0, the QCLASS/meta ranges (NONE, ANY, ...)
/// and 65535 may not.
bool class_is_data(uint16_t rclass) noexcept;

/// Appends "IN", "CH", "HS" or "CLASSnnn" (RFC 3597 s5), as BIND prints classes.
void class_to_text(uint16_t rclass, std::string& out);
std::string class_to_string(uint16_t rclass);

/// True for types that may not appear in a zone: OPT and the Q and meta range 128-255 (RFC 6895
/// s3.1: TKEY, TSIG, IXFR, AXFR, MAILB, MAILA, ANY, and NXNAME, RFC 9824, which appears only in
/// NSEC type bitmaps). TYPE0 is left to generic form, as Knot reads it (BIND refuses it).
bool type_is_meta(uint16_t type) noexcept;

/// True for types whose RDATA has a presentation format that zonekiln reads and writes (other
/// types are accepted only in RFC 3597 generic form and printed that way).
bool type_is_known(uint16_t type) noexcept;

}  // namespace zk
