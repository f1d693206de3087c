#include "dns/rdata_desc.hpp"

#include "dns/name.hpp"
#include "dns/rrtype.hpp"

namespace zk::rdesc {

namespace {

using F = Field;

// One row per type with a presentation format; order does not matter (looked up by switch).
constexpr RdataDesc kDescs[] = {
    {rrtype::A, 1, {F::Ipv4}},
    {rrtype::NS, 1, {F::LName}},
    {rrtype::MD, 1, {F::LName}},
    {rrtype::MF, 1, {F::LName}},
    {rrtype::CNAME, 1, {F::LName}},
    {rrtype::SOA, 7, {F::LName, F::LName, F::U32, F::Ttl, F::Ttl, F::Ttl, F::Ttl}},
    {rrtype::MB, 1, {F::LName}},
    {rrtype::MG, 1, {F::LName}},
    {rrtype::MR, 1, {F::LName}},
    {rrtype::WKS, 1, {F::Wks}},
    {rrtype::PTR, 1, {F::LName}},
    {rrtype::HINFO, 2, {F::String, F::String}},
    {rrtype::MINFO, 2, {F::LName, F::LName}},
    {rrtype::MX, 2, {F::U16, F::LName}},
    {rrtype::TXT, 1, {F::Strings}},
    {rrtype::RP, 2, {F::LName, F::LName}},
    {rrtype::AFSDB, 2, {F::U16, F::LName}},
    {rrtype::X25, 1, {F::String}},
    {rrtype::ISDN, 2, {F::String, F::StringOpt}},
    {rrtype::RT, 2, {F::U16, F::LName}},
    {rrtype::NSAP, 1, {F::Nsap}},
    {rrtype::NSAP_PTR, 1, {F::Name}},
    {rrtype::SIG,
     9,
     {F::Type, F::Alg, F::U8, F::Ttl, F::Time, F::Time, F::U16, F::LName, F::Base64}},
    {rrtype::KEY, 4, {F::U16, F::U8, F::Alg, F::Base64}},
    {rrtype::PX, 3, {F::U16, F::LName, F::LName}},
    {rrtype::GPOS, 3, {F::String, F::String, F::String}},
    {rrtype::AAAA, 1, {F::Ipv6}},
    {rrtype::LOC, 1, {F::Loc}},
    {rrtype::NXT, 2, {F::LName, F::NxtBitmap}},
    {rrtype::SRV, 4, {F::U16, F::U16, F::U16, F::LName}},
    {rrtype::NAPTR, 6, {F::U16, F::U16, F::String, F::String, F::String, F::LName}},
    {rrtype::KX, 2, {F::U16, F::LName}},
    {rrtype::CERT, 4, {F::CertType, F::U16, F::Alg, F::Base64}},
    {rrtype::A6, 1, {F::A6}},
    {rrtype::DNAME, 1, {F::LName}},
    {rrtype::APL, 1, {F::Apl}},
    {rrtype::DS, 4, {F::U16, F::Alg, F::U8, F::Hex}},
    {rrtype::SSHFP, 3, {F::U8, F::U8, F::Hex}},
    {rrtype::IPSECKEY, 1, {F::Ipseckey}},
    {rrtype::RRSIG,
     9,
     {F::Type, F::Alg, F::U8, F::Ttl, F::Time, F::Time, F::U16, F::Name, F::Base64}},
    {rrtype::NSEC, 2, {F::Name, F::Bitmap}},
    {rrtype::DNSKEY, 4, {F::U16, F::U8, F::Alg, F::Base64}},
    {rrtype::DHCID, 1, {F::Base64}},
    {rrtype::NSEC3, 6, {F::U8, F::U8, F::U16, F::Salt, F::Hash32, F::Bitmap}},
    {rrtype::NSEC3PARAM, 4, {F::U8, F::U8, F::U16, F::Salt}},
    {rrtype::TLSA, 4, {F::U8, F::U8, F::U8, F::Hex}},
    {rrtype::SMIMEA, 4, {F::U8, F::U8, F::U8, F::Hex}},
    {rrtype::HIP, 1, {F::Hip}},
    {rrtype::CDS, 4, {F::U16, F::Alg, F::U8, F::Hex}},
    {rrtype::CDNSKEY, 4, {F::U16, F::U8, F::Alg, F::Base64}},
    {rrtype::OPENPGPKEY, 1, {F::Base64}},
    {rrtype::CSYNC, 3, {F::U32, F::U16, F::Bitmap}},
    {rrtype::ZONEMD, 4, {F::U32, F::U8, F::U8, F::Hex}},
    {rrtype::SVCB, 3, {F::U16, F::Name, F::SvcParams}},
    {rrtype::HTTPS, 3, {F::U16, F::Name, F::SvcParams}},
    {rrtype::DSYNC, 4, {F::Type, F::Scheme, F::U16, F::Name}},
    {rrtype::HHIT, 1, {F::Base64}},  // RFC 9886: the whole RDATA in base64, as BIND prints it
    {rrtype::BRID, 1, {F::Base64}},  // RFC 9886
    {rrtype::SPF, 1, {F::Strings}},
    {rrtype::NID, 2, {F::U16, F::L64}},
    {rrtype::L32, 2, {F::U16, F::Ipv4}},
    {rrtype::L64, 2, {F::U16, F::L64}},
    {rrtype::LP, 2, {F::U16, F::Name}},
    {rrtype::EUI48, 1, {F::Eui48}},
    {rrtype::EUI64, 1, {F::Eui64}},
    {rrtype::URI, 3, {F::U16, F::U16, F::Text}},
    {rrtype::CAA, 1, {F::Caa}},
    {rrtype::AVC, 1, {F::Strings}},
    {rrtype::DOA, 5, {F::U32, F::U32, F::U8, F::String, F::Base64Dash}},
    {rrtype::AMTRELAY, 1, {F::Amtrelay}},
    {rrtype::RESINFO, 1, {F::Strings}},
    {rrtype::WALLET, 1, {F::Strings}},
    // draft-johnson-dns-ipn-cla, registered 2024 (IANA template), as NSD reads and prints them.
    {rrtype::CLA, 1, {F::Strings}},
    {rrtype::IPN, 1, {F::Ipn}},
    {rrtype::TA, 4, {F::U16, F::Alg, F::U8, F::Hex}},
    {rrtype::DLV, 4, {F::U16, F::Alg, F::U8, F::Hex}},
    // Experimental and draft types, in the forms NSD reads and prints.
    {rrtype::EID, 1, {F::Hex}},
    {rrtype::NIMLOC, 1, {F::Hex}},
    {rrtype::ATMA, 1, {F::Atma}},
    // BIND's SINK (draft-eastlake-kitchen-sink): meaning, coding, subcoding, data (may be empty).
    {rrtype::SINK, 4, {F::U8, F::U8, F::U8, F::Base64Opt}},
    {rrtype::NINFO, 1, {F::Strings}},
    {rrtype::RKEY, 4, {F::U16, F::U8, F::Alg, F::Base64}},
    {rrtype::TALINK, 2, {F::Name, F::Name}},
    {rrtype::ALIAS, 1, {F::Name}},
};

// BIND's CH A (lib/dns/rdata/ch_3/a_1.c): the Chaosnet network's domain name, then the
// 16-bit address, written in octal.
constexpr RdataDesc kChaosA = {rrtype::A, 2, {F::Name, F::Octal16}};

// Dense index for types below 300; TA, DLV and ALIAS are looked up separately.
struct Index {
  int8_t low[300];
  int8_t ta, dlv, alias;
};

constexpr Index make_index() {
  Index ix{};
  for (auto& v : ix.low) v = -1;
  ix.ta = ix.dlv = ix.alias = -1;
  for (size_t i = 0; i < std::size(kDescs); ++i) {
    const uint16_t t = kDescs[i].type;
    if (t < 300) ix.low[t] = static_cast<int8_t>(i);
    if (t == rrtype::TA) ix.ta = static_cast<int8_t>(i);
    if (t == rrtype::DLV) ix.dlv = static_cast<int8_t>(i);
    if (t == rrtype::ALIAS) ix.alias = static_cast<int8_t>(i);
  }
  return ix;
}
constexpr Index kIndex = make_index();
static_assert(std::size(kDescs) < 127, "index uses int8_t");

// Checks rest-fields that are sequences of <character-string>s; at least `min` strings.
bool strings_valid(const uint8_t* p, size_t n, unsigned min) noexcept {
  size_t i = 0;
  unsigned count = 0;
  while (i < n) {
    i += 1 + p[i];
    ++count;
  }
  return i == n && count >= min;
}

// RFC 4034 s4.1.2: windows ascending, bitmap length 1..32, no trailing zero octet.
bool bitmap_valid(const uint8_t* p, size_t n) noexcept {
  size_t i = 0;
  int last_window = -1;
  while (i < n) {
    if (n - i < 2) return false;
    const unsigned w = p[i], len = p[i + 1];
    if (static_cast<int>(w) <= last_window || len == 0 || len > 32 || n - i - 2 < len) return false;
    if (p[i + 1 + len] == 0) return false;
    last_window = static_cast<int>(w);
    i += 2 + len;
  }
  return true;
}

bool loc_size_valid(uint8_t v) noexcept { return (v >> 4) <= 9 && (v & 0x0f) <= 9; }

// RFC 1876: version 0, sizes as digit pairs, latitude within 90 and longitude within 180
// degrees of the 2^31 equator/meridian value.
bool loc_valid(const uint8_t* p, size_t n) noexcept {
  if (n != 16 || p[0] != 0) return false;
  if (!loc_size_valid(p[1]) || !loc_size_valid(p[2]) || !loc_size_valid(p[3])) return false;
  const int64_t lat = static_cast<int64_t>(get32(p + 4)) - (int64_t{1} << 31);
  const int64_t lon = static_cast<int64_t>(get32(p + 8)) - (int64_t{1} << 31);
  return lat >= -90 * 3600000LL && lat <= 90 * 3600000LL && lon >= -180 * 3600000LL &&
         lon <= 180 * 3600000LL;
}

bool apl_valid(const uint8_t* p, size_t n) noexcept {
  size_t i = 0;
  while (i < n) {
    if (n - i < 4) return false;
    const uint16_t family = get16(p + i);
    const unsigned prefix = p[i + 2], afdlen = p[i + 3] & 0x7f;
    size_t maxlen;
    unsigned maxprefix;
    if (family == 1) {
      maxlen = 4, maxprefix = 32;
    } else if (family == 2) {
      maxlen = 16, maxprefix = 128;
    } else {
      return false;  // no presentation format for other families
    }
    if (prefix > maxprefix || afdlen > maxlen || n - i - 4 < afdlen) return false;
    // RFC 3123 s4.1: trailing zero octets of the address part are not sent.
    if (afdlen > 0 && p[i + 3 + afdlen] == 0) return false;
    i += 4 + afdlen;
  }
  return true;
}

bool a6_valid(const uint8_t* p, size_t n) noexcept {
  if (n < 1 || p[0] > 128) return false;
  const size_t suffix = (128 - p[0] + 7) / 8;
  if (n < 1 + suffix) return false;
  if (p[0] == 0) return n == 1 + suffix;
  uint16_t len;
  return wire_name_length(p + 1 + suffix, n - 1 - suffix, &len) && 1 + suffix + len == n;
}

// Gateway / relay of IPSECKEY and AMTRELAY: 0 none, 1 IPv4, 2 IPv6, 3 name. Returns its length.
size_t gateway_len(unsigned kind, const uint8_t* p, size_t n) noexcept {
  switch (kind) {
    case 0:
      return 0;
    case 1:
      return n >= 4 ? 4 : kBadField;
    case 2:
      return n >= 16 ? 16 : kBadField;
    case 3: {
      uint16_t len;
      return wire_name_length(p, n, &len) ? len : kBadField;
    }
    default:
      return kBadField;
  }
}

bool ipseckey_valid(const uint8_t* p, size_t n) noexcept {
  if (n < 3) return false;
  return gateway_len(p[1], p + 3, n - 3) != kBadField;
}

bool amtrelay_valid(const uint8_t* p, size_t n) noexcept {
  if (n < 2) return false;
  const size_t g = gateway_len(p[1] & 0x7f, p + 2, n - 2);
  return g != kBadField && 2 + g == n;
}

bool hip_valid(const uint8_t* p, size_t n) noexcept {
  if (n < 4) return false;
  const size_t hit = p[0], pk = get16(p + 2);
  if (hit == 0 || pk == 0 || n - 4 < hit + pk) return false;
  size_t i = 4 + hit + pk;
  while (i < n) {
    uint16_t len;
    if (!wire_name_length(p + i, n - i, &len)) return false;
    i += len;
  }
  return true;
}

inline bool is_alnum(uint8_t c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool caa_valid(const uint8_t* p, size_t n) noexcept {
  if (n < 2) return false;
  const size_t tag = p[1];
  if (n - 2 < tag) return false;
  for (size_t i = 0; i < tag; ++i) {
    if (!is_alnum(p[2 + i])) return false;  // RFC 8659 s4.1: tag is letters and digits
  }
  return true;
}

bool atma_valid(const uint8_t* p, size_t n) noexcept {
  if (n < 2) return false;
  if (p[0] == 0) return true;
  if (p[0] != 1) return false;
  for (size_t i = 1; i < n; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
  }
  return true;
}

}  // namespace

const RdataDesc* rdata_desc(uint16_t type) noexcept {
  int idx = -1;
  if (type < 300) {
    idx = kIndex.low[type];
  } else if (type == rrtype::TA) {
    idx = kIndex.ta;
  } else if (type == rrtype::DLV) {
    idx = kIndex.dlv;
  } else if (type == rrtype::ALIAS) {
    idx = kIndex.alias;
  }
  return idx < 0 ? nullptr : &kDescs[idx];
}

bool type_is_in_specific(uint16_t type) noexcept {
  switch (type) {
    case rrtype::A:
    case rrtype::WKS:
    case rrtype::NSAP:
    case rrtype::NSAP_PTR:
    case rrtype::PX:
    case rrtype::AAAA:
    case rrtype::EID:
    case rrtype::NIMLOC:
    case rrtype::SRV:
    case rrtype::ATMA:
    case rrtype::NAPTR:
    case rrtype::KX:
    case rrtype::A6:
    case rrtype::APL:
    case rrtype::DHCID:
    case rrtype::SVCB:
    case rrtype::HTTPS:
      return true;
    default:
      return false;
  }
}

const RdataDesc* rdata_desc(uint16_t type, uint16_t rclass) noexcept {
  if (rclass == rrclass::IN || !type_is_in_specific(type)) return rdata_desc(type);
  if (type == rrtype::A && rclass == rrclass::CH) return &kChaosA;
  if (type == rrtype::A && rclass == rrclass::HS) return rdata_desc(type);
  return nullptr;
}

bool svc_params_valid(const uint8_t* p, size_t n) noexcept {
  size_t i = 0;
  int last_key = -1;
  const uint8_t* mandatory = nullptr;
  size_t mandatory_len = 0;
  while (i < n) {
    if (n - i < 4) return false;
    const uint16_t key = get16(p + i), len = get16(p + i + 2);
    if (static_cast<int>(key) <= last_key || n - i - 4 < len) return false;
    last_key = key;
    const uint8_t* v = p + i + 4;
    switch (key) {
      case 0:  // mandatory: ascending keys, not key 0
        if (len == 0 || len % 2 != 0) return false;
        for (size_t k = 0; k < len; k += 2) {
          const uint16_t mk = get16(v + k);
          if (mk == 0 || (k > 0 && mk <= get16(v + k - 2))) return false;
        }
        mandatory = v;
        mandatory_len = len;
        break;
      case 1: {  // alpn: non-empty list of non-empty <character-string>s
        if (len == 0) return false;
        size_t k = 0;
        while (k < len) {
          if (v[k] == 0) return false;
          k += 1 + v[k];
        }
        if (k != len) return false;
        break;
      }
      case 2:   // no-default-alpn
      case 8:   // ohttp
      case 11:  // pvd
        if (len != 0) return false;
        break;
      case 9:  // tls-supported-groups: non-empty list of 16-bit group ids
        if (len == 0 || len % 2 != 0) return false;
        break;
      case 10: {  // docpath: <character-string>s, possibly none
        size_t k = 0;
        while (k < len) k += 1 + v[k];
        if (k != len) return false;
        break;
      }
      case 12: {  // oots: (transport <character-string>, percentage octet) pairs
        if (len == 0) return false;
        size_t k = 0;
        while (k < len) {
          if (v[k] == 0 || k + 1 + v[k] >= len || v[k + 1 + v[k]] > 100) return false;
          k += 2 + v[k];
        }
        break;
      }
      case 3:
        if (len != 2) return false;
        break;
      case 4:
        if (len == 0 || len % 4 != 0) return false;
        break;
      case 6:
        if (len == 0 || len % 16 != 0) return false;
        break;
      default:
        break;
    }
    i += 4 + len;
  }
  // RFC 9460 s8: every key in mandatory must be present.
  for (size_t k = 0; k < mandatory_len; k += 2) {
    const uint16_t mk = get16(mandatory + k);
    bool found = false;
    for (size_t j = 0; j < n;) {
      const uint16_t key = get16(p + j);
      if (key == mk) {
        found = true;
        break;
      }
      j += 4 + get16(p + j + 2);
    }
    if (!found) return false;
  }
  return true;
}

size_t field_wire_len(Field f, const uint8_t* p, size_t n) noexcept {
  switch (f) {
    case F::U8:
    case F::Alg:
    case F::Scheme:
      return n >= 1 ? 1 : kBadField;
    case F::U16:
    case F::CertType:
    case F::Type:
    case F::Octal16:
      return n >= 2 ? 2 : kBadField;
    case F::U32:
    case F::Ttl:
    case F::Time:
    case F::Ipv4:
      return n >= 4 ? 4 : kBadField;
    case F::Ipv6:
      return n >= 16 ? 16 : kBadField;
    case F::Eui48:
      return n >= 6 ? 6 : kBadField;
    case F::Eui64:
    case F::L64:
    case F::Ipn:
      return n >= 8 ? 8 : kBadField;
    case F::Name:
    case F::LName: {
      uint16_t len;
      return wire_name_length(p, n, &len) ? len : kBadField;
    }
    case F::String:
    case F::Salt:
    case F::Hash32:
      return (n >= 1 && n - 1 >= p[0]) ? 1 + size_t{p[0]} : kBadField;
    case F::StringOpt:
      return (n == 0 || strings_valid(p, n, 1)) && (n == 0 || n == 1 + size_t{p[0]}) ? n
                                                                                     : kBadField;
    case F::Strings:
      return strings_valid(p, n, 1) ? n : kBadField;
    case F::Text:
    case F::Base64Dash:
    case F::Base64Opt:
      return n;
    case F::Base64:
    case F::Hex:
    case F::Nsap:
      return n >= 1 ? n : kBadField;
    case F::Bitmap:
      return bitmap_valid(p, n) ? n : kBadField;
    case F::NxtBitmap:
      // RFC 2535 s5.2: at most 16 octets (types 0..127), bit 0 clear, no trailing zero octet.
      return (n <= 16 && (n == 0 || ((p[0] & 0x80) == 0 && p[n - 1] != 0))) ? n : kBadField;
    case F::SvcParams:
      return svc_params_valid(p, n) ? n : kBadField;
    case F::Wks:
      return n >= 5 ? n : kBadField;
    case F::Loc:
      return loc_valid(p, n) ? n : kBadField;
    case F::Apl:
      return apl_valid(p, n) ? n : kBadField;
    case F::A6:
      return a6_valid(p, n) ? n : kBadField;
    case F::Ipseckey:
      return ipseckey_valid(p, n) ? n : kBadField;
    case F::Hip:
      return hip_valid(p, n) ? n : kBadField;
    case F::Caa:
      return caa_valid(p, n) ? n : kBadField;
    case F::Amtrelay:
      return amtrelay_valid(p, n) ? n : kBadField;
    case F::Atma:
      return atma_valid(p, n) ? n : kBadField;
  }
  return kBadField;
}

const char* algorithm_mnemonic(uint8_t alg) noexcept {
  switch (alg) {
    case 1:
      return "RSAMD5";
    case 2:
      return "DH";
    case 3:
      return "DSA";
    case 4:
      return "ECC";
    case 5:
      return "RSASHA1";
    case 6:
      return "DSA-NSEC3-SHA1";
    case 7:
      return "RSASHA1-NSEC3-SHA1";
    case 8:
      return "RSASHA256";
    case 10:
      return "RSASHA512";
    case 12:
      return "ECC-GOST";
    case 13:
      return "ECDSAP256SHA256";
    case 14:
      return "ECDSAP384SHA384";
    case 15:
      return "ED25519";
    case 16:
      return "ED448";
    case 252:
      return "INDIRECT";
    case 253:
      return "PRIVATEDNS";
    case 254:
      return "PRIVATEOID";
    default:
      return nullptr;
  }
}

const char* cert_type_mnemonic(uint16_t t) noexcept {
  switch (t) {
    case 1:
      return "PKIX";
    case 2:
      return "SPKI";
    case 3:
      return "PGP";
    case 4:
      return "IPKIX";
    case 5:
      return "ISPKI";
    case 6:
      return "IPGP";
    case 7:
      return "ACPKIX";
    case 8:
      return "IACPKIX";
    case 253:
      return "URI";
    case 254:
      return "OID";
    default:
      return nullptr;
  }
}

const char* svc_key_mnemonic(uint16_t key) noexcept {
  switch (key) {
    case 0:
      return "mandatory";
    case 1:
      return "alpn";
    case 2:
      return "no-default-alpn";
    case 3:
      return "port";
    case 4:
      return "ipv4hint";
    case 5:
      return "ech";
    case 6:
      return "ipv6hint";
    case 7:
      return "dohpath";
    case 8:
      return "ohttp";
    case 9:
      return "tls-supported-groups";
    case 10:
      return "docpath";
    case 11:
      return "pvd";
    case 12:
      return "oots";
    default:
      return nullptr;
  }
}

}  // namespace zk::rdesc
