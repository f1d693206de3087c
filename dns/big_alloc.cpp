#include "dns/big_alloc.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ZK_BIG_ALLOC_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define ZK_BIG_ALLOC_HEAP 1
#endif
#endif

namespace zk {
namespace {

// Below this a request goes to the heap: a mapping would waste most of its last huge page.
constexpr size_t kMapThreshold = kHugePageBytes;
// Smaller requests (a parse batch's record table, a few hundred KiB) stay on the heap: taking
// whole pooled arena blocks for them left half of each block unused, about 60 MiB more peak
// RSS on a 1M-name compile and no faster (measured, bench/README.md).

constexpr size_t round_up(size_t n, size_t to) noexcept { return (n + to - 1) / to * to; }

#ifndef ZK_BIG_ALLOC_HEAP
// An anonymous mapping of len (a multiple of 2 MiB) that starts on a 2 MiB boundary.
void* map_aligned(size_t len) {
  const size_t over = len + kHugePageBytes;
  void* raw = ::mmap(nullptr, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t start = round_up(base, kHugePageBytes);
  if (start > base) ::munmap(raw, start - base);
  const uintptr_t end = start + len;
  if (base + over > end) ::munmap(reinterpret_cast<void*>(end), base + over - end);
  // Advice only: an error (THP compiled out or "never") leaves ordinary pages.
  (void)::madvise(reinterpret_cast<void*>(start), len, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(start);
}
#endif

#ifndef ZK_BIG_ALLOC_HEAP
// Arena blocks are carved from 32 MiB huge-page regions. Regions live until the process ends;
// a freed block goes on the free list and is the next one handed out.
constexpr size_t kRegionBytes = size_t{32} << 20;
struct BlockPool {
  std::mutex mu;
  std::vector<uint8_t*> free_blocks;
  uint8_t* next = nullptr;
  size_t left = 0;
};
BlockPool& pool() {
  static BlockPool* p = new BlockPool();  // never destroyed: blocks may be freed at exit
  return *p;
}

// Freed mappings are kept for the next request they fit (the record table freed by the sort is
// followed by the name index, a zone's arrays by the next zone's): a reused mapping is neither
// faulted in nor zeroed again. A request that no kept mapping fits first unmaps them all, so
// kept memory never sits beside a new mapping, and big_alloc_trim() unmaps them where the run
// goes on without big requests (which would otherwise hold them resident to the end).
struct MapCache {
  struct Region {
    void* p;
    size_t len;
  };
  std::mutex mu;
  std::vector<Region> kept;                // freed, reusable
  std::unordered_map<void*, size_t> live;  // handed out: pointer -> mapping length
};
constexpr size_t kMaxKept = 4;
MapCache& map_cache() {
  static MapCache* c = new MapCache();  // never destroyed: buffers may be freed at exit
  return *c;
}
#endif

}  // namespace

void* big_alloc(size_t bytes) {
#ifndef ZK_BIG_ALLOC_HEAP
  if (bytes >= kMapThreshold) {
    const size_t len = round_up(bytes, kHugePageBytes);
    MapCache& c = map_cache();
    std::lock_guard lock(c.mu);
    c.live.reserve(c.live.size() + 1);
    // The smallest kept mapping that holds len, if it is not more than a quarter larger.
    auto best = c.kept.end();
    for (auto it = c.kept.begin(); it != c.kept.end(); ++it) {
      if (it->len >= len && it->len - len <= len / 4 &&
          (best == c.kept.end() || it->len < best->len))
        best = it;
    }
    if (best != c.kept.end()) {
      const MapCache::Region r = *best;
      c.kept.erase(best);
      c.live.emplace(r.p, r.len);
      return r.p;
    }
    for (const MapCache::Region& r : c.kept) ::munmap(r.p, r.len);
    c.kept.clear();
    void* p = map_aligned(len);
    c.live.emplace(p, len);
    return p;
  }
#endif
  return ::operator new (bytes == 0 ? 1 : bytes, std::align_val_t{64});
}

void big_free(void* p, size_t bytes) noexcept {
  if (p == nullptr) return;
#ifndef ZK_BIG_ALLOC_HEAP
  if (bytes >= kMapThreshold) {
    MapCache& c = map_cache();
    std::lock_guard lock(c.mu);
    const auto it = c.live.find(p);
    const size_t len = it != c.live.end() ? it->second : round_up(bytes, kHugePageBytes);
    if (it != c.live.end()) c.live.erase(it);
    if (c.kept.size() < kMaxKept) {
      try {
        c.kept.push_back({p, len});
        return;
      } catch (const std::bad_alloc&) {
        // No room to remember it: unmap it instead.
      }
    }
    ::munmap(p, len);
    return;
  }
#endif
  ::operator delete (p, std::align_val_t{64});
}

void big_alloc_trim() noexcept {
#ifndef ZK_BIG_ALLOC_HEAP
  MapCache& c = map_cache();
  std::lock_guard lock(c.mu);
  for (const MapCache::Region& r : c.kept) ::munmap(r.p, r.len);
  c.kept.clear();
#endif
}

void release_pages(void* p, size_t bytes) noexcept {
#ifdef ZK_BIG_ALLOC_HEAP
  (void)p;
  (void)bytes;
#else
  constexpr uintptr_t kPage = 4096;
  const auto begin = (reinterpret_cast<uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
  const auto end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kPage - 1);
  // Advice only: if the kernel refuses, the pages stay resident and nothing else changes.
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
#endif
}

uint8_t* arena_block_alloc() {
#ifdef ZK_BIG_ALLOC_HEAP
  return static_cast<uint8_t*>(::operator new(kArenaBlockBytes));
#else
  BlockPool& bp = pool();
  std::lock_guard lock(bp.mu);
  if (!bp.free_blocks.empty()) {
    uint8_t* b = bp.free_blocks.back();
    bp.free_blocks.pop_back();
    return b;
  }
  if (bp.left == 0) {
    bp.next = static_cast<uint8_t*>(map_aligned(kRegionBytes));
    bp.left = kRegionBytes;
  }
  uint8_t* b = bp.next;
  bp.next += kArenaBlockBytes;
  bp.left -= kArenaBlockBytes;
  return b;
#endif
}

void arena_block_free(uint8_t* block) noexcept {
  if (block == nullptr) return;
#ifdef ZK_BIG_ALLOC_HEAP
  ::operator delete(block);
#else
  BlockPool& bp = pool();
  std::lock_guard lock(bp.mu);
  try {
    bp.free_blocks.push_back(block);
  } catch (const std::bad_alloc&) {
    // Out of memory for the list itself: the block stays mapped and unused.
  }
#endif
}

}  // namespace zk
