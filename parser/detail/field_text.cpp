#include "parser/detail/field_text.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <string>

#include "dns/rdata_desc.hpp"
#include "dns/rrtype.hpp"

namespace zk::parser::detail {

namespace {

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap(unsigned y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(unsigned y, unsigned m) noexcept {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

int b32hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'v') return c - 'a' + 10;
  if (c >= 'A' && c <= 'V') return c - 'A' + 10;
  return -1;
}

// Copies a short token into a NUL-terminated buffer for inet_pton.
bool to_cstr(std::string_view t, char* buf, size_t cap) noexcept {
  if (t.size() >= cap) return false;
  std::memcpy(buf, t.data(), t.size());
  buf[t.size()] = 0;
  return true;
}

}  // namespace

namespace {
constexpr auto kHexValues = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    t['a' + i] = static_cast<int8_t>(10 + i);
    t['A' + i] = static_cast<int8_t>(10 + i);
  }
  return t;
}();
}  // namespace

int hex_value(char c) noexcept { return kHexValues[static_cast<uint8_t>(c)]; }

bool equals_nocase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(static_cast<uint8_t>(a[i])) != ascii_lower(static_cast<uint8_t>(b[i]))) {
      return false;
    }
  }
  return true;
}

Result<uint32_t> read_number(std::string_view t, uint32_t max) {
  if (t.empty()) return fail(Errc::BadNumber, "expected a number");
  uint64_t v = 0;
  for (char c : t) {
    if (!is_digit(c)) return fail(Errc::BadNumber, "expected a number");
    v = v * 10 + static_cast<unsigned>(c - '0');
    if (v > max) return fail(Errc::BadNumber, "number exceeds " + std::to_string(max));
  }
  return static_cast<uint32_t>(v);
}

Result<uint16_t> read_octal16(std::string_view t) {
  if (t.empty()) return fail(Errc::BadNumber, "expected an octal number");
  uint32_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '7') return fail(Errc::BadNumber, "expected an octal number");
    v = v * 8 + static_cast<unsigned>(c - '0');
    if (v > 0xffff) return fail(Errc::BadNumber, "octal number exceeds 0177777");
  }
  return static_cast<uint16_t>(v);
}

Result<uint64_t> read_ipn(std::string_view t) {
  auto bad = [] {
    return fail(Errc::BadNumber, "expected an IPN node number (decimal, or allocator.node)");
  };
  const size_t dot = t.find('.');
  if (dot != std::string_view::npos) {
    auto hi = read_number(t.substr(0, dot), 0xffffffffu);
    auto lo = read_number(t.substr(dot + 1), 0xffffffffu);
    if (!hi || !lo) return bad();
    return (uint64_t{*hi} << 32) | *lo;
  }
  if (t.empty()) return bad();
  uint64_t v = 0;
  for (char c : t) {
    if (!is_digit(c)) return bad();
    const unsigned d = static_cast<unsigned>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return fail(Errc::BadNumber, "number exceeds 2^64-1");
    v = v * 10 + d;
  }
  return v;
}

Result<uint32_t> read_ttl(std::string_view t, uint32_t max, std::string_view too_big) {
  auto exceeds = [&]() {
    return fail(Errc::BadTtl, too_big.empty() ? "time value exceeds " + std::to_string(max)
                                              : std::string(too_big));
  };
  if (t.empty() || !is_digit(t[0])) return fail(Errc::BadTtl, "expected a time value");
  uint64_t total = 0, cur = 0;
  bool digits = false, units = false;
  for (char c : t) {
    if (is_digit(c)) {
      cur = cur * 10 + static_cast<unsigned>(c - '0');
      if (cur > max) return exceeds();
      digits = true;
      continue;
    }
    uint64_t mult;
    switch (c | 0x20) {
      case 's':
        mult = 1;
        break;
      case 'm':
        mult = 60;
        break;
      case 'h':
        mult = 3600;
        break;
      case 'd':
        mult = 86400;
        break;
      case 'w':
        mult = 604800;
        break;
      default:
        return fail(Errc::BadTtl, "expected a time unit (s, m, h, d, w)");
    }
    if (!digits) return fail(Errc::BadTtl, "time unit without a number");
    total += cur * mult;
    if (total > max) return exceeds();
    cur = 0;
    digits = false;
    units = true;
  }
  if (digits) {
    total += cur;
    if (total > max) return exceeds();
  } else if (!units) {
    return fail(Errc::BadTtl, "expected a time value");
  }
  return static_cast<uint32_t>(total);
}

Result<uint8_t> read_algorithm(std::string_view t) {
  if (!t.empty() && is_digit(t[0])) {
    auto n = read_number(t, 255);
    if (!n) return fail(std::move(n.error()));
    return static_cast<uint8_t>(*n);
  }
  for (unsigned a = 0; a < 256; ++a) {
    const char* m = zk::rdesc::algorithm_mnemonic(static_cast<uint8_t>(a));
    if (m != nullptr && equals_nocase(t, m)) return static_cast<uint8_t>(a);
  }
  return fail(Errc::BadNumber, "expected an algorithm number or mnemonic");
}

Result<uint16_t> read_cert_type(std::string_view t) {
  if (!t.empty() && is_digit(t[0])) {
    auto n = read_number(t, 65535);
    if (!n) return fail(std::move(n.error()));
    return static_cast<uint16_t>(*n);
  }
  for (unsigned c = 0; c < 256; ++c) {
    const char* m = zk::rdesc::cert_type_mnemonic(static_cast<uint16_t>(c));
    if (m != nullptr && equals_nocase(t, m)) return static_cast<uint16_t>(c);
  }
  return fail(Errc::BadNumber, "expected a certificate type number or mnemonic");
}

Result<uint16_t> read_type(std::string_view t) {
  auto v = type_from_text(t);
  if (!v) return fail(Errc::UnknownType, "expected a type mnemonic or TYPEnnn");
  return *v;
}

Result<uint32_t> read_time(std::string_view t) {
  bool all_digits = !t.empty();
  for (char c : t) all_digits = all_digits && is_digit(c);
  if (!all_digits) return fail(Errc::BadNumber, "expected a time as YYYYMMDDHHmmSS or seconds");
  if (t.size() != 14) {
    auto n = read_number(t, 0xffffffffu);
    if (!n) return fail(Errc::BadNumber, "expected a time as YYYYMMDDHHmmSS or seconds");
    return *n;
  }
  auto num = [&](size_t at, size_t len) {
    unsigned v = 0;
    for (size_t i = 0; i < len; ++i) v = v * 10 + static_cast<unsigned>(t[at + i] - '0');
    return v;
  };
  const unsigned y = num(0, 4), mo = num(4, 2), d = num(6, 2), h = num(8, 2), mi = num(10, 2),
                 s = num(12, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
      s > 59) {
    return fail(Errc::BadNumber, "invalid date in YYYYMMDDHHmmSS time");
  }
  const int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  return static_cast<uint32_t>(static_cast<uint64_t>(secs) & 0xffffffffu);  // RFC 4034 s3.1.5
}

namespace {

// Dotted-quad IPv4 as glibc's inet_pton reads it: four decimal octets of at most 255, no
// leading zeros, nothing else. Only a true answer is relied on; false goes to inet_pton.
bool fast_ipv4(std::string_view t, uint8_t* out) noexcept {
  unsigned octets = 0, val = 0, digits = 0;
  for (const char c : t) {
    if (c >= '0' && c <= '9') {
      if (digits == 1 && val == 0) return false;  // a leading zero
      val = val * 10 + static_cast<unsigned>(c - '0');
      if (val > 255) return false;
      ++digits;
    } else if (c == '.' && digits > 0 && octets < 3) {
      out[octets++] = static_cast<uint8_t>(val);
      val = digits = 0;
    } else {
      return false;
    }
  }
  if (octets != 3 || digits == 0) return false;
  out[3] = static_cast<uint8_t>(val);
  return true;
}

// IPv6 in hex groups with at most one "::", no embedded IPv4 (the dotted forms go to
// inet_pton). Only a true answer is relied on, so anything unusual answers false.
bool fast_ipv6(std::string_view t, uint8_t* out) noexcept {
  uint8_t tmp[16] = {};
  size_t i = 0, at = 0;
  int gap = -1;  // where "::" stands, in bytes
  const size_t n = t.size();
  if (n >= 2 && t[0] == ':' && t[1] == ':') {
    gap = 0;
    i = 2;
  } else if (n == 0 || t[0] == ':') {
    return false;
  }
  while (i < n) {
    unsigned val = 0, digits = 0;
    while (i < n && digits < 5) {
      const int v = hex_value(t[i]);
      if (v < 0) break;
      val = (val << 4) | static_cast<unsigned>(v);
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 4 || at + 2 > 16) return false;
    tmp[at++] = static_cast<uint8_t>(val >> 8);
    tmp[at++] = static_cast<uint8_t>(val);
    if (i == n) break;
    if (t[i] != ':' || i + 1 == n) return false;
    ++i;
    if (t[i] == ':') {
      if (gap >= 0) return false;
      gap = static_cast<int>(at);
      ++i;
    }
  }
  if (gap >= 0) {
    if (at == 16) return false;  // "::" must stand for at least one group
    const size_t tail = at - static_cast<size_t>(gap);
    std::memcpy(out, tmp, static_cast<size_t>(gap));
    std::memset(out + gap, 0, 16 - at);
    std::memcpy(out + 16 - tail, tmp + gap, tail);
    return true;
  }
  if (at != 16) return false;
  std::memcpy(out, tmp, 16);
  return true;
}

}  // namespace

// inet_pton's answer, which every address agrees with; the common forms are read without it
// (it wants a NUL-terminated copy and was 6 % of a parse).
Result<void> read_ipv4(std::string_view t, uint8_t* out) {
  if (fast_ipv4(t, out)) return ok();
  char buf[24];
  if (!to_cstr(t, buf, sizeof buf) || inet_pton(AF_INET, buf, out) != 1) {
    return fail(Errc::BadAddress, "expected an IPv4 address");
  }
  return ok();
}

Result<void> read_ipv6(std::string_view t, uint8_t* out) {
  if (fast_ipv6(t, out)) return ok();
  char buf[64];
  if (!to_cstr(t, buf, sizeof buf) || inet_pton(AF_INET6, buf, out) != 1) {
    return fail(Errc::BadAddress, "expected an IPv6 address");
  }
  return ok();
}

Result<size_t> read_escaped(std::string_view t, uint8_t* out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    uint8_t c = static_cast<uint8_t>(t[i]);
    if (c == '\\') {
      if (i + 1 >= t.size()) return fail(Errc::BadText, "backslash at end of text");
      if (is_digit(t[i + 1])) {
        if (i + 3 >= t.size() || !is_digit(t[i + 2]) || !is_digit(t[i + 3])) {
          return fail(Errc::BadText, "\\DDD escape needs three decimal digits");
        }
        const unsigned v = static_cast<unsigned>((t[i + 1] - '0') * 100 + (t[i + 2] - '0') * 10 +
                                                 (t[i + 3] - '0'));
        if (v > 255) return fail(Errc::BadText, "\\DDD escape value over 255");
        c = static_cast<uint8_t>(v);
        i += 3;
      } else {
        c = static_cast<uint8_t>(t[++i]);
      }
    }
    if (o >= cap) {
      return fail(Errc::BadText, cap == 255 ? "character-string exceeds 255 octets"
                                            : "text exceeds " + std::to_string(cap) + " octets");
    }
    out[o++] = c;
  }
  return o;
}

Result<size_t> read_char_string(std::string_view t, uint8_t* out) {
  auto n = read_escaped(t, out + 1, 255);
  if (!n) return fail(std::move(n.error()));
  out[0] = static_cast<uint8_t>(*n);
  return *n + 1;
}

Result<size_t> read_base64(std::string_view t, uint8_t* out, size_t cap) {
  if (t.empty() || t.size() % 4 != 0) {
    return fail(Errc::BadBase64, "base64 block length must be a multiple of 4");
  }
  Base64Stream stream;
  return stream.feed(t, out, cap);
}

Result<size_t> read_hex(std::string_view t, uint8_t* out, size_t cap) {
  if (t.empty() || t.size() % 2 != 0) {
    return fail(Errc::BadHex, "hex block length must be a multiple of 2");
  }
  if (t.size() / 2 > cap) return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
  for (size_t i = 0; i < t.size(); i += 2) {
    const int hi = hex_value(t[i]), lo = hex_value(t[i + 1]);
    if (hi < 0 || lo < 0) return fail(Errc::BadHex, "expected hex digits");
    out[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return t.size() / 2;
}

Result<size_t> read_base32hex(std::string_view t, uint8_t* out, size_t cap) {
  // Valid unpadded lengths leave fewer than 5 spare bits, which must be zero.
  switch (t.size() % 8) {
    case 1:
    case 3:
    case 6:
      return fail(Errc::BadBase32, "bad base32hex length");
    default:
      break;
  }
  if (t.size() * 5 / 8 > cap) return fail(Errc::BadBase32, "base32hex value too long");
  uint64_t acc = 0;
  unsigned bits = 0;
  size_t o = 0;
  for (char c : t) {
    const int v = b32hex_value(c);
    if (v < 0) return fail(Errc::BadBase32, "expected base32hex characters");
    acc = (acc << 5) | static_cast<unsigned>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return fail(Errc::BadBase32, "base32hex has trailing bits");
  return o;
}

Result<size_t> read_salt(std::string_view t, uint8_t* out) {
  if (t == "-") {
    out[0] = 0;
    return size_t{1};
  }
  if (t.size() > 510) return fail(Errc::BadHex, "salt exceeds 255 octets");
  auto n = read_hex(t, out + 1, 255);
  if (!n) return fail(std::move(n.error()));
  out[0] = static_cast<uint8_t>(*n);
  return *n + 1;
}

Result<void> read_eui(std::string_view t, uint8_t* out, size_t octets) {
  if (t.size() != octets * 3 - 1)
    return fail(Errc::BadRdata, "expected an EUI address as xx-xx-...-xx");
  for (size_t i = 0; i < octets; ++i) {
    const size_t at = i * 3;
    const int hi = hex_value(t[at]), lo = hex_value(t[at + 1]);
    if (hi < 0 || lo < 0 || (i + 1 < octets && t[at + 2] != '-')) {
      return fail(Errc::BadRdata, "expected an EUI address as xx-xx-...-xx");
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return ok();
}

Result<void> read_l64(std::string_view t, uint8_t* out) {
  size_t i = 0;
  for (int g = 0; g < 4; ++g) {
    unsigned v = 0, digits = 0;
    while (i < t.size() && t[i] != ':') {
      const int h = hex_value(t[i]);
      if (h < 0 || ++digits > 4)
        return fail(Errc::BadRdata, "expected a locator as xxxx:xxxx:xxxx:xxxx");
      v = v << 4 | static_cast<unsigned>(h);
      ++i;
    }
    if (digits != 4) return fail(Errc::BadRdata, "expected a locator as xxxx:xxxx:xxxx:xxxx");
    out[g * 2] = static_cast<uint8_t>(v >> 8);
    out[g * 2 + 1] = static_cast<uint8_t>(v);
    if (g < 3) {
      if (i >= t.size()) return fail(Errc::BadRdata, "expected a locator as xxxx:xxxx:xxxx:xxxx");
      ++i;
    }
  }
  if (i != t.size()) return fail(Errc::BadRdata, "expected a locator as xxxx:xxxx:xxxx:xxxx");
  return ok();
}

Result<void> read_bitmap_type(std::string_view t, TypeBitmap& bitmap) {
  auto v = type_from_text(t);
  if (!v) return fail(Errc::UnknownType, "expected a type mnemonic or TYPEnnn in the type list");
  bitmap.add(*v);
  return ok();
}

}  // namespace zk::parser::detail
