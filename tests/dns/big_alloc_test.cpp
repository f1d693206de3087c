#include "dns/big_alloc.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "dns/arena.hpp"
#include "dns/zone.hpp"

namespace {

bool filled_with(const uint8_t* p, size_t n, uint8_t v) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != v) return false;
  return true;
}

}  // namespace

TEST_CASE("big_alloc gives aligned, usable, disjoint memory at every size class", "[dns][memory]") {
  // Heap (below 2 MiB), a mapping of its own (2 MiB and more).
  const std::vector<size_t> sizes = {
      1, 100, 4096, 300 << 10, 1 << 20, (1 << 20) + 1, 2 << 20, (3 << 20) + 7, 40 << 20};
  std::vector<uint8_t*> live;
  for (size_t i = 0; i < sizes.size(); ++i) {
    auto* p = static_cast<uint8_t*>(zk::big_alloc(sizes[i]));
    REQUIRE(p != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
    std::memset(p, static_cast<int>(i + 1), sizes[i]);
    live.push_back(p);
  }
  // Writing each one left the others intact: no two overlap.
  for (size_t i = 0; i < sizes.size(); ++i) CHECK(filled_with(live[i], sizes[i], uint8_t(i + 1)));
  for (size_t i = 0; i < sizes.size(); ++i) zk::big_free(live[i], sizes[i]);
}

TEST_CASE("big_alloc reuses freed memory without mixing live buffers", "[dns][memory]") {
  for (int round = 0; round < 3; ++round) {
    auto* a = static_cast<uint8_t*>(zk::big_alloc(8 << 20));
    auto* b = static_cast<uint8_t*>(zk::big_alloc(8 << 20));
    REQUIRE(a != b);
    std::memset(a, 0xaa, 8 << 20);
    std::memset(b, 0xbb, 8 << 20);
    CHECK(filled_with(a, 8 << 20, 0xaa));
    zk::big_free(a, 8 << 20);
    // A request a quarter smaller may take a kept mapping; it is b's neighbour, never b.
    auto* c = static_cast<uint8_t*>(zk::big_alloc(7 << 20));
    CHECK(c != b);
    std::memset(c, 0xcc, 7 << 20);
    CHECK(filled_with(b, 8 << 20, 0xbb));
    zk::big_free(b, 8 << 20);
    zk::big_free(c, 7 << 20);
  }
  // Pooled blocks from many threads' worth of arenas: all distinct.
  std::vector<uint8_t*> blocks;
  for (int i = 0; i < 70; ++i) blocks.push_back(zk::arena_block_alloc());  // > two regions
  for (size_t i = 0; i < blocks.size(); ++i) std::memset(blocks[i], int(i), zk::kArenaBlockBytes);
  for (size_t i = 0; i < blocks.size(); ++i)
    CHECK(filled_with(blocks[i], zk::kArenaBlockBytes, uint8_t(i)));
  for (uint8_t* b : blocks) zk::arena_block_free(b);
}

TEST_CASE("RRVector grows through every size class and keeps its records", "[dns][memory]") {
  zk::RRVector rrs;
  for (uint32_t i = 0; i < 300000; ++i) rrs.push_back(zk::RR{nullptr, nullptr, i, 1, 0});
  REQUIRE(rrs.size() == 300000);
  bool in_order = true;
  for (uint32_t i = 0; i < rrs.size(); ++i) in_order = in_order && rrs[i].ttl == i;
  CHECK(in_order);
  zk::RRVector moved = std::move(rrs);
  CHECK(moved.size() == 300000);
  CHECK(moved.back().ttl == 299999);
}

TEST_CASE("Arena keeps its bytes across moves and serves oversized requests", "[dns][memory]") {
  zk::Arena a;
  uint8_t* small = a.copy("abc", 3);
  uint8_t* big = a.alloc(3 << 20);  // larger than a block: a buffer of its own
  std::memset(big, 7, 3 << 20);
  uint8_t* after = a.alloc(100);
  std::memset(after, 9, 100);
  zk::Arena b = std::move(a);
  zk::Arena c(4096);  // a small arena on the heap
  c = std::move(b);
  CHECK(std::memcmp(small, "abc", 3) == 0);
  CHECK(filled_with(big, 3 << 20, 7));
  CHECK(filled_with(after, 100, 9));
  CHECK(c.alloc(10) != nullptr);
}

namespace {

// Whether [p, p + n) lies in a mapping of this process (/proc/self/maps).
bool is_mapped(const void* p, size_t n) {
  std::FILE* f = std::fopen("/proc/self/maps", "r");
  if (f == nullptr) return false;
  const auto a = reinterpret_cast<uintptr_t>(p);
  unsigned long lo = 0, hi = 0;
  bool found = false;
  char line[512];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= a && a + n <= hi) found = true;
  }
  std::fclose(f);
  return found;
}

}  // namespace

TEST_CASE("big_alloc_trim returns kept mappings to the system", "[dns][memory]") {
  constexpr size_t n = 16 << 20;
  auto* p = static_cast<uint8_t*>(zk::big_alloc(n));
  std::memset(p, 1, n);
  REQUIRE(is_mapped(p, n));
  zk::big_free(p, n);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // Freed but kept for reuse: still mapped until the trim. (Sanitizer builds use the heap.)
  CHECK(is_mapped(p, n));
  zk::big_alloc_trim();
  CHECK_FALSE(is_mapped(p, n));
#endif
  zk::big_alloc_trim();  // with nothing kept: a no-op
}
