// Shards: N runs (machines, containers, array-job tasks) each sign a disjoint, stable subset of
// the configured zones, and together all of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dns/result.hpp"

namespace zk::config {

struct Shard {
  uint32_t index = 0;  // K: 0 <= K < count
  uint32_t count = 1;  // N
};

/// Parses "K/N" (0 <= K < N <= 65536). Errc::Usage with what was expected.
Result<Shard> parse_shard(std::string_view text);

/// The shard (0..count-1) of a zone: FNV-1a (64 bit) of the canonical origin text (lowercased,
/// absolute: "example.com."), modulo count. Depends only on the name and N, never on the order
/// or number of zones in the file, so adding a zone moves no other zone. Pure.
uint32_t shard_of(std::string_view canonical_origin, uint32_t count) noexcept;

}  // namespace zk::config
