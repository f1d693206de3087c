// Arena: a bump allocator of large blocks. Pointers into it stay valid until the arena is
// destroyed, also when the Arena object itself is moved.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "dns/big_alloc.hpp"

namespace zk {

/// Not thread-safe: one arena per thread or per parse chunk; arenas are moved (never copied)
/// into the ZoneStore that owns them.
class Arena {
 public:
  /// Blocks of the default size come from the shared huge-page pool (dns/big_alloc.hpp);
  /// small arenas (a few KiB for one RRset's work) use the heap.
  explicit Arena(size_t block_size = kArenaBlockBytes) : block_size_(block_size) {}
  Arena(Arena&& o) noexcept
      : blocks_(std::move(o.blocks_)), cur_(o.cur_), left_(o.left_), block_size_(o.block_size_) {
    o.blocks_.clear();
    o.cur_ = nullptr;
    o.left_ = 0;
  }
  Arena& operator=(Arena&& o) noexcept {
    if (this != &o) {
      release();
      blocks_ = std::move(o.blocks_);
      o.blocks_.clear();
      cur_ = o.cur_;
      left_ = o.left_;
      block_size_ = o.block_size_;
      o.cur_ = nullptr;
      o.left_ = 0;
    }
    return *this;
  }
  ~Arena() { release(); }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  /// n bytes, byte-aligned. Throws std::bad_alloc only when memory is exhausted.
  uint8_t* alloc(size_t n) {
    if (n > left_) grow(n);
    uint8_t* p = cur_;
    cur_ += n;
    left_ -= n;
    return p;
  }
  /// n bytes aligned to align (a power of two).
  uint8_t* alloc_aligned(size_t n, size_t align) {
    size_t pad = (align - (reinterpret_cast<uintptr_t>(cur_) & (align - 1))) & (align - 1);
    if (n + pad > left_) {
      grow(n + align);
      pad = (align - (reinterpret_cast<uintptr_t>(cur_) & (align - 1))) & (align - 1);
    }
    cur_ += pad;
    left_ -= pad;
    return alloc(n);
  }
  uint8_t* copy(const void* src, size_t n) {
    uint8_t* p = alloc(n);
    if (n) std::memcpy(p, src, n);
    return p;
  }
  /// Returns the unused rest of the current block to the system (a parse batch calls it when
  /// it is done): the arena keeps working, later allocations there fault in fresh zero pages.
  /// Blocks live in huge pages, resident as a whole once touched; without this, the half-used
  /// last block of each of a signed 1M-name zone's ~700 parse batches held ~330 MiB.
  void release_tail() noexcept {
    if (left_ != 0) release_pages(cur_, left_);
  }

 private:
  struct Block {
    uint8_t* p;
    size_t size;
    bool pooled;
  };
  void grow(size_t need) {
    blocks_.reserve(blocks_.size() + 1);  // a throw here leaks nothing
    Block b{nullptr, need > block_size_ ? need : block_size_, false};
    if (b.size == kArenaBlockBytes) {
      b.p = arena_block_alloc();
      b.pooled = true;
    } else {
      b.p = static_cast<uint8_t*>(big_alloc(b.size));
    }
    blocks_.push_back(b);
    cur_ = b.p;
    left_ = b.size;
  }
  void release() noexcept {
    for (const Block& b : blocks_) {
      if (b.pooled) {
        arena_block_free(b.p);
      } else {
        big_free(b.p, b.size);
      }
    }
    blocks_.clear();
  }
  std::vector<Block> blocks_;
  uint8_t* cur_ = nullptr;
  size_t left_ = 0;
  size_t block_size_;
};

}  // namespace zk
