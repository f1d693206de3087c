// Arena: a bump allocator of large blocks. Pointers into it stay valid until the arena is
// destroyed, also when the Arena object itself is moved.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace zk {

/// Not thread-safe: one arena per thread or per parse chunk; arenas are moved (never copied)
/// into the ZoneStore that owns them.
class Arena {
 public:
  explicit Arena(size_t block_size = size_t{1} << 20) : block_size_(block_size) {}
  Arena(Arena&&) noexcept = default;
  Arena& operator=(Arena&&) noexcept = default;
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

 private:
  void grow(size_t need) {
    const size_t sz = need > block_size_ ? need : block_size_;
    blocks_.emplace_back(new uint8_t[sz]);
    cur_ = blocks_.back().get();
    left_ = sz;
  }
  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
  uint8_t* cur_ = nullptr;
  size_t left_ = 0;
  size_t block_size_;
};

}  // namespace zk
