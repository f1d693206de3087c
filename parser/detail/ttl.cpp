#include "parser/detail/ttl.hpp"

namespace zk::parser::detail {

Result<uint32_t> parse_ttl(std::string_view text) {
  if (text.empty()) return fail(Errc::BadTtl, "ttl expected");
  uint64_t total = 0;
  uint64_t num = 0;
  bool have_digit = false;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      num = num * 10 + static_cast<uint64_t>(ch - '0');
      if (num > kMaxTtl) return fail(Errc::BadTtl, "ttl exceeds 2^31-1 (RFC 2181 s8)");
      have_digit = true;
      continue;
    }
    if (!have_digit) return fail(Errc::BadTtl, "ttl unit without a number before it");
    uint64_t mult = 0;
    switch (ch | 0x20) {
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
        return fail(Errc::BadTtl, "bad ttl unit (expected one of s, m, h, d, w)");
    }
    total += num * mult;
    if (total > kMaxTtl) return fail(Errc::BadTtl, "ttl exceeds 2^31-1 (RFC 2181 s8)");
    num = 0;
    have_digit = false;
  }
  total += num;
  if (total > kMaxTtl) return fail(Errc::BadTtl, "ttl exceeds 2^31-1 (RFC 2181 s8)");
  return static_cast<uint32_t>(total);
}

}  // namespace zk::parser::detail
