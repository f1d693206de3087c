#include "emit/detail/text_out.hpp"

#include <charconv>

namespace zk::emit::detail {

namespace {
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kB32Hex[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

// Civil date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) noexcept {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

void put_digits(std::string& out, unsigned v, unsigned width) {
  char buf[8];
  for (unsigned i = width; i-- > 0;) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, width);
}
}  // namespace

void put_u32(std::string& out, uint32_t v) {
  char buf[10];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void put_hex(std::string& out, const uint8_t* p, size_t n) {
  const size_t at = out.size();
  out.resize(at + 2 * n);
  char* o = out.data() + at;
  for (size_t i = 0; i < n; ++i) {
    o[2 * i] = kHexUpper[p[i] >> 4];
    o[2 * i + 1] = kHexUpper[p[i] & 15];
  }
}

void put_hex_lower(std::string& out, const uint8_t* p, size_t n) {
  const size_t at = out.size();
  out.resize(at + 2 * n);
  char* o = out.data() + at;
  for (size_t i = 0; i < n; ++i) {
    o[2 * i] = kHexLower[p[i] >> 4];
    o[2 * i + 1] = kHexLower[p[i] & 15];
  }
}

void put_base32hex(std::string& out, const uint8_t* p, size_t n) {
  uint32_t acc = 0;
  unsigned bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | p[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kB32Hex[(acc >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kB32Hex[(acc << (5 - bits)) & 31]);
}

void put_escaped(std::string& out, const uint8_t* p, size_t n) {
  // Runs of characters that need no escape are appended whole; TXT data is mostly such runs.
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && p[j] >= 0x20 && p[j] <= 0x7e && p[j] != '"' && p[j] != '\\') ++j;
    out.append(reinterpret_cast<const char*>(p + i), j - i);
    if (j == n) return;
    const uint8_t c = p[j];
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('\\');
      put_digits(out, c, 3);
    }
    i = j + 1;
  }
}

void put_quoted(std::string& out, const uint8_t* p, size_t n) {
  out.push_back('"');
  put_escaped(out, p, n);
  out.push_back('"');
}

void put_ipv4(std::string& out, const uint8_t* p) {
  char buf[16];
  char* o = buf;
  for (int i = 0; i < 4; ++i) {
    if (i) *o++ = '.';
    const unsigned v = p[i];
    if (v >= 100) *o++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *o++ = static_cast<char>('0' + v / 10 % 10);
    *o++ = static_cast<char>('0' + v % 10);
  }
  out.append(buf, static_cast<size_t>(o - buf));
}

// The same text as glibc's inet_ntop (so output does not change): the first longest run of
// two or more zero groups becomes "::", groups in lower-case hex without leading zeros, and
// ::a.b.c.d / ::ffff:a.b.c.d with the last 32 bits dotted. inet_ntop formats each group with
// sprintf, which made it the most expensive part of printing an AAAA record.
void put_ipv6(std::string& out, const uint8_t* p) {
  unsigned words[8];
  for (int i = 0; i < 8; ++i) words[i] = (unsigned{p[2 * i]} << 8) | p[2 * i + 1];
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best = -1;
  char buf[48];
  char* o = buf;
  for (int i = 0; i < 8; ++i) {
    if (best != -1 && i >= best && i < best + best_len) {
      if (i == best) *o++ = ':';
      continue;
    }
    if (i != 0) *o++ = ':';
    if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
      out.append(buf, static_cast<size_t>(o - buf));
      put_ipv4(out, p + 12);
      return;
    }
    const unsigned w = words[i];
    const int digits = w >= 0x1000 ? 4 : w >= 0x100 ? 3 : w >= 0x10 ? 2 : 1;
    for (int d = digits; d-- > 0;) *o++ = kHexLower[(w >> (4 * d)) & 15];
  }
  if (best != -1 && best + best_len == 8) *o++ = ':';
  out.append(buf, static_cast<size_t>(o - buf));
}

void put_time(std::string& out, uint32_t secs) {
  int64_t y;
  unsigned m, d;
  civil_from_days(secs / 86400, &y, &m, &d);
  const unsigned rem = secs % 86400;
  put_digits(out, static_cast<unsigned>(y), 4);
  put_digits(out, m, 2);
  put_digits(out, d, 2);
  put_digits(out, rem / 3600, 2);
  put_digits(out, rem / 60 % 60, 2);
  put_digits(out, rem % 60, 2);
}

}  // namespace zk::emit::detail
