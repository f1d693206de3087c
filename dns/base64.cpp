#include "dns/base64.hpp"

#include <algorithm>

namespace zk {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr auto kValues = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}();

int value_of(char c) noexcept { return kValues[static_cast<uint8_t>(c)]; }

bool blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Zeroes what a failed decode wrote (it may be part of a secret) and drops it.
bool discard(std::vector<uint8_t>& out, size_t at) {
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(at), out.end(), uint8_t{0});
  out.resize(at);
  return false;
}

}  // namespace

void base64_append(std::string& out, const uint8_t* p, size_t n) {
  const size_t at = out.size();
  out.resize(at + (n + 2) / 3 * 4);
  char* o = out.data() + at;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = kAlphabet[(v >> 6) & 63];
    *o++ = kAlphabet[v & 63];
  }
  if (i < n) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (i + 1 < n ? uint32_t{p[i + 1]} << 8 : 0);
    *o++ = kAlphabet[v >> 18];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
}

std::string base64_encode(std::span<const uint8_t> data) {
  std::string out;
  base64_append(out, data.data(), data.size());
  return out;
}

Result<size_t> Base64Stream::feed(std::string_view t, uint8_t* out, size_t cap) {
  if (t.empty() || t[0] == '=') return fail(Errc::BadBase64, "bad base64 padding");
  if ((have_ + t.size()) / 4 * 3 > cap)
    return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
  size_t o = 0;
  size_t i = 0;
  if (have_ == 0 && !done_) {  // whole quartets without padding: the common case
    const uint8_t* s = reinterpret_cast<const uint8_t*>(t.data());
    for (; i + 4 <= t.size(); i += 4) {
      const int a = kValues[s[i]], b = kValues[s[i + 1]], c = kValues[s[i + 2]],
                d = kValues[s[i + 3]];
      if ((a | b | c | d) < 0) break;  // padding or a bad character: the careful loop below
      const uint32_t v = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                         (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
      out[o] = static_cast<uint8_t>(v >> 16);
      out[o + 1] = static_cast<uint8_t>(v >> 8);
      out[o + 2] = static_cast<uint8_t>(v);
      o += 3;
    }
  }
  for (const char c : t.substr(i)) {
    if (c == '=') {
      if (done_ || have_ < 2) return fail(Errc::BadBase64, "bad base64 padding");
      ++pad_;
      acc_ <<= 6;
    } else {
      if (pad_ > 0 || done_) return fail(Errc::BadBase64, "base64 data after padding");
      const int v = value_of(c);
      if (v < 0) return fail(Errc::BadBase64, "expected base64 characters");
      acc_ = (acc_ << 6) | static_cast<uint32_t>(v);
    }
    if (++have_ < 4) continue;
    const unsigned bytes = 3 - pad_;
    if (o + bytes > cap) return fail(Errc::RdataTooLong, "rdata exceeds 65535 octets");
    out[o++] = static_cast<uint8_t>(acc_ >> 16);
    if (bytes > 1) out[o++] = static_cast<uint8_t>(acc_ >> 8);
    if (bytes > 2) out[o++] = static_cast<uint8_t>(acc_);
    done_ = pad_ > 0;
    have_ = 0;
    pad_ = 0;
    acc_ = 0;
  }
  return o;
}

Result<void> Base64Stream::finish() const {
  if (have_ != 0) return fail(Errc::BadBase64, "base64 length must be a multiple of 4");
  return ok();
}

bool base64_decode(std::string_view text, std::vector<uint8_t>& out) {
  const size_t at = out.size();
  out.resize(at + text.size() / 4 * 3 + 3);  // one allocation: no stray copies of a secret
  Base64Stream stream;
  size_t o = at;
  size_t i = 0;
  while (i < text.size()) {
    if (blank(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !blank(text[end])) ++end;
    auto n = stream.feed(text.substr(i, end - i), out.data() + o, out.size() - o);
    if (!n) return discard(out, at);
    o += *n;
    i = end;
  }
  if (!stream.finish()) return discard(out, at);
  out.resize(o);
  return true;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view text) {
  std::vector<uint8_t> out;
  if (!base64_decode(text, out)) return std::nullopt;
  return out;
}

}  // namespace zk
