// Base64 (RFC 4648), key-file timestamps and name text for the key files.
#include <cstdio>
#include <ctime>

#include "dns/timeparse.hpp"
#include "signer/detail/internal.hpp"

namespace zk::signer::detail {

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(unsigned char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

void base64_encode(std::span<const uint8_t> in, std::string& out) {
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return;
  uint32_t v = uint32_t{in[i]} << 16;
  if (rest == 2) v |= uint32_t{in[i + 1]} << 8;
  out += kB64[v >> 18];
  out += kB64[(v >> 12) & 63];
  out += rest == 2 ? kB64[(v >> 6) & 63] : '=';
  out += '=';
}

bool base64_decode(std::string_view in, std::vector<uint8_t>& out) {
  uint32_t acc = 0;
  int nbits = 0;
  int pad = 0;
  size_t chars = 0;
  out.reserve(out.size() + in.size() / 4 * 3 + 3);  // no reallocation: no stray key copies
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '=') {
      ++pad;
      ++chars;
      continue;
    }
    if (pad) return false;  // data after padding
    const int v = b64_value(c);
    if (v < 0) return false;
    ++chars;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> nbits));
    }
  }
  if (pad > 2 || chars % 4 != 0) return false;
  cleanse(&acc, sizeof acc);
  return true;
}

std::string time_to_text(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

bool time_from_text(std::string_view s, int64_t* t) {
  auto v = parse_compact_time(s);  // the one strict date reader (dns/timeparse.hpp)
  if (!v) return false;
  *t = *v;
  return true;
}

std::string name_text(NameView name) {
  std::string s;
  name_to_text(name, s);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return s;
}

}  // namespace zk::signer::detail
