#include "config/shard.hpp"

namespace zk::config {

Result<Shard> parse_shard(std::string_view text) {
  auto bad = [&] {
    return fail(Errc::Usage, "--shard: expected K/N with 0 <= K < N <= 65536 (e.g. 0/4), not '" +
                                 std::string(text) + "'");
  };
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  auto number = [](std::string_view s, uint32_t& out) {
    if (s.empty() || s.size() > 5) return false;
    out = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<uint32_t>(c - '0');
    }
    return true;
  };
  Shard s;
  if (!number(text.substr(0, slash), s.index) || !number(text.substr(slash + 1), s.count)) {
    return bad();
  }
  if (s.count == 0 || s.count > 65536 || s.index >= s.count) return bad();
  return s;
}

uint32_t shard_of(std::string_view canonical_origin, uint32_t count) noexcept {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : canonical_origin) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return count == 0 ? 0 : static_cast<uint32_t>(h % count);
}

}  // namespace zk::config
