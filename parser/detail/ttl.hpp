// TTL fields: decimal seconds or BIND units ("1w2d3h4m5s", case-insensitive).
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <string_view>

#include "dns/result.hpp"

namespace zk::parser::detail {

inline constexpr uint32_t kMaxTtl = 0x7fffffff;  // RFC 2181 s8

/// Parses a TTL token. Units may repeat and come in any order ("1s1m1m"); a bare number may
/// follow units only as seconds ("1h30" = 3630, as BIND). Fails with Errc::BadTtl on a bad
/// unit or syntax and when the value exceeds 2^31-1 (RFC 2181 s8). Never allocates on success.
Result<uint32_t> parse_ttl(std::string_view text);

/// True when the token can only be a TTL (it starts with a digit).
inline bool looks_like_ttl(std::string_view text) noexcept {
  return !text.empty() && text[0] >= '0' && text[0] <= '9';
}

}  // namespace zk::parser::detail
