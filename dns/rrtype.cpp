#include "dns/rrtype.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "dns/rdata_desc.hpp"

namespace zk {

namespace {

struct Mnemonic {
  std::string_view text;  // upper case
  uint16_t type;
};

// Sorted by text so type_from_text can binary-search it.
constexpr auto kByText = [] {
  std::array<Mnemonic, 91> t{{
      {"A", rrtype::A},
      {"A6", rrtype::A6},
      {"AAAA", rrtype::AAAA},
      {"AFSDB", rrtype::AFSDB},
      {"ALIAS", rrtype::ALIAS},
      {"AMTRELAY", rrtype::AMTRELAY},
      {"ANY", rrtype::ANY},
      {"APL", rrtype::APL},
      {"ATMA", rrtype::ATMA},
      {"AVC", rrtype::AVC},
      {"AXFR", rrtype::AXFR},
      {"BRID", rrtype::BRID},
      {"CAA", rrtype::CAA},
      {"CDNSKEY", rrtype::CDNSKEY},
      {"CDS", rrtype::CDS},
      {"CERT", rrtype::CERT},
      {"CLA", rrtype::CLA},
      {"CNAME", rrtype::CNAME},
      {"CSYNC", rrtype::CSYNC},
      {"DHCID", rrtype::DHCID},
      {"DLV", rrtype::DLV},
      {"DNAME", rrtype::DNAME},
      {"DNSKEY", rrtype::DNSKEY},
      {"DOA", rrtype::DOA},
      {"DS", rrtype::DS},
      {"DSYNC", rrtype::DSYNC},
      {"EID", rrtype::EID},
      {"EUI48", rrtype::EUI48},
      {"EUI64", rrtype::EUI64},
      {"GID", rrtype::GID},
      {"GPOS", rrtype::GPOS},
      {"HHIT", rrtype::HHIT},
      {"HINFO", rrtype::HINFO},
      {"HIP", rrtype::HIP},
      {"HTTPS", rrtype::HTTPS},
      {"IPN", rrtype::IPN},
      {"IPSECKEY", rrtype::IPSECKEY},
      {"ISDN", rrtype::ISDN},
      {"IXFR", rrtype::IXFR},
      {"KEY", rrtype::KEY},
      {"KX", rrtype::KX},
      {"L32", rrtype::L32},
      {"L64", rrtype::L64},
      {"LOC", rrtype::LOC},
      {"LP", rrtype::LP},
      {"MAILA", rrtype::MAILA},
      {"MAILB", rrtype::MAILB},
      {"MB", rrtype::MB},
      {"MD", rrtype::MD},
      {"MF", rrtype::MF},
      {"MG", rrtype::MG},
      {"MINFO", rrtype::MINFO},
      {"MR", rrtype::MR},
      {"MX", rrtype::MX},
      {"NAPTR", rrtype::NAPTR},
      {"NID", rrtype::NID},
      {"NIMLOC", rrtype::NIMLOC},
      {"NINFO", rrtype::NINFO},
      {"NS", rrtype::NS},
      {"NSAP", rrtype::NSAP},
      {"NSAP-PTR", rrtype::NSAP_PTR},
      {"NSEC", rrtype::NSEC},
      {"NSEC3", rrtype::NSEC3},
      {"NSEC3PARAM", rrtype::NSEC3PARAM},
      {"NULL", rrtype::NULL_},
      {"NXNAME", rrtype::NXNAME},
      {"NXT", rrtype::NXT},
      {"OPENPGPKEY", rrtype::OPENPGPKEY},
      {"OPT", rrtype::OPT},
      {"PTR", rrtype::PTR},
      {"PX", rrtype::PX},
      {"RESINFO", rrtype::RESINFO},
      {"RKEY", rrtype::RKEY},
      {"RP", rrtype::RP},
      {"RRSIG", rrtype::RRSIG},
      {"RT", rrtype::RT},
      {"SIG", rrtype::SIG},
      {"SINK", rrtype::SINK},
      {"SMIMEA", rrtype::SMIMEA},
      {"SOA", rrtype::SOA},
      {"SPF", rrtype::SPF},
      {"SRV", rrtype::SRV},
      {"SSHFP", rrtype::SSHFP},
      {"SVCB", rrtype::SVCB},
      {"TA", rrtype::TA},
      {"TALINK", rrtype::TALINK},
      {"TKEY", rrtype::TKEY},
      {"TLSA", rrtype::TLSA},
      {"TSIG", rrtype::TSIG},
      {"TXT", rrtype::TXT},
      {"UID", rrtype::UID},
  }};
  return t;
}();

// Entries that do not fit the array above because it must stay sorted and dense.
constexpr Mnemonic kExtra[] = {
    {"UINFO", rrtype::UINFO},   {"UNSPEC", rrtype::UNSPEC}, {"URI", rrtype::URI},
    {"WALLET", rrtype::WALLET}, {"WKS", rrtype::WKS},       {"X25", rrtype::X25},
    {"ZONEMD", rrtype::ZONEMD},
};

constexpr bool sorted() {
  for (size_t i = 1; i < kByText.size(); ++i) {
    if (!(kByText[i - 1].text < kByText[i].text)) return false;
  }
  for (size_t i = 1; i < std::size(kExtra); ++i) {
    if (!(kExtra[i - 1].text < kExtra[i].text)) return false;
  }
  return kByText.back().text < kExtra[0].text;
}
static_assert(sorted(), "mnemonic tables must be sorted for binary search");

inline char upper(char c) noexcept {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}

// Case-insensitive compare of t (any case) with m (upper case).
int cmp_upper(std::string_view t, std::string_view m) noexcept {
  const size_t n = std::min(t.size(), m.size());
  for (size_t i = 0; i < n; ++i) {
    const char a = upper(t[i]), b = m[i];
    if (a != b) return static_cast<unsigned char>(a) < static_cast<unsigned char>(b) ? -1 : 1;
  }
  return t.size() < m.size() ? -1 : (t.size() > m.size() ? 1 : 0);
}

template <typename Range>
const Mnemonic* find_text(const Range& r, std::string_view t) noexcept {
  auto lo = std::begin(r), hi = std::end(r);
  while (lo < hi) {
    auto mid = lo + (hi - lo) / 2;
    const int c = cmp_upper(t, mid->text);
    if (c == 0) return &*mid;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return nullptr;
}

// "TYPE1234" / "CLASS1": prefix matched case-insensitively, then 1-5 decimal digits <= 65535.
std::optional<uint16_t> numbered(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() <= prefix.size() || cmp_upper(text.substr(0, prefix.size()), prefix) != 0) {
    return std::nullopt;
  }
  const std::string_view digits = text.substr(prefix.size());
  if (digits.size() > 5) return std::nullopt;
  uint32_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

}  // namespace

std::optional<uint16_t> type_from_text(std::string_view mnemonic) noexcept {
  if (const Mnemonic* m = find_text(kByText, mnemonic)) return m->type;
  if (const Mnemonic* m = find_text(kExtra, mnemonic)) return m->type;
  return numbered(mnemonic, "TYPE");
}

namespace {
// Number -> mnemonic for the dense low range; TA and DLV are checked separately.
constexpr size_t kLowTypes = 265;
constexpr auto kByNumber = [] {
  std::array<std::string_view, kLowTypes> t{};
  for (const Mnemonic& m : kByText) {
    if (m.type < kLowTypes) t[m.type] = m.text;
  }
  for (const Mnemonic& m : kExtra) {
    if (m.type < kLowTypes) t[m.type] = m.text;
  }
  return t;
}();
}  // namespace

std::string_view type_mnemonic(uint16_t type) noexcept {
  if (type < kLowTypes) return kByNumber[type];
  if (type == rrtype::TA) return "TA";
  if (type == rrtype::DLV) return "DLV";
  if (type == rrtype::ALIAS) return "ALIAS";
  return {};
}

void type_to_text(uint16_t type, std::string& out) {
  const std::string_view m = type_mnemonic(type);
  if (!m.empty()) {
    out.append(m);
    return;
  }
  char buf[8];
  auto r = std::to_chars(buf, buf + sizeof buf, type);
  out.append("TYPE");
  out.append(buf, r.ptr);
}

std::string type_to_string(uint16_t type) {
  std::string s;
  type_to_text(type, s);
  return s;
}

std::optional<uint16_t> class_from_text(std::string_view text) noexcept {
  if (cmp_upper(text, "IN") == 0) return rrclass::IN;
  if (cmp_upper(text, "CH") == 0) return rrclass::CH;
  if (cmp_upper(text, "HS") == 0) return rrclass::HS;
  return numbered(text, "CLASS");
}

bool class_is_data(uint16_t rclass) noexcept {
  return (rclass >= 1 && rclass <= 127) || (rclass >= 256 && rclass <= 57343) ||
         (rclass >= 65280 && rclass <= 65534);
}

void class_to_text(uint16_t rclass, std::string& out) {
  switch (rclass) {
    case rrclass::IN:
      out.append("IN");
      return;
    case rrclass::CH:
      out.append("CH");
      return;
    case rrclass::HS:
      out.append("HS");
      return;
    default:
      break;
  }
  char buf[8];
  auto r = std::to_chars(buf, buf + sizeof buf, rclass);
  out.append("CLASS");
  out.append(buf, r.ptr);
}

std::string class_to_string(uint16_t rclass) {
  std::string s;
  class_to_text(rclass, s);
  return s;
}

bool type_is_meta(uint16_t type) noexcept {
  return type == rrtype::OPT || (type >= 128 && type <= 255);
}

bool type_is_known(uint16_t type) noexcept { return rdesc::rdata_desc(type) != nullptr; }

}  // namespace zk
