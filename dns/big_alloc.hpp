// Memory for the few large buffers of a run (the zone text, the record table, sort keys, the
// name index, arena blocks), backed by transparent huge pages where the kernel offers them.
//
// A zone of 1M names touches about 400 MiB; in 4 KiB pages that is 100k page faults, and in a
// virtual machine a fault costs microseconds (measured: a fifth of `compile`'s CPU time on this
// project's KVM guests). Mappings of 2 MiB and more are aligned to 2 MiB and advised with
// MADV_HUGEPAGE, which Debian's default THP mode ("madvise") honours: one fault per 2 MiB.
// Where the kernel says no, they are ordinary anonymous mappings. Sanitizer builds use the
// ordinary heap so that ASan still sees every buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace zk {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

/// bytes of uninitialised memory, aligned to at least 64. Throws std::bad_alloc.
void* big_alloc(size_t bytes);
/// Frees what big_alloc(bytes) returned (the same bytes).
void big_free(void* p, size_t bytes) noexcept;

/// Unmaps the freed mappings kept for reuse. A stage calls it when no request of their size
/// follows in the run (after the sort and the index), so they do not sit in the RSS beside the
/// later stages' memory.
void big_alloc_trim() noexcept;

/// Gives the whole pages inside [p, p + bytes) back to the system; they read as zero when
/// touched again. Only for memory from big_alloc or arena_block_alloc (a no-op in the heap
/// build). A huge page is resident as a whole once touched, so the untouched end of a block
/// would otherwise count in full.
void release_pages(void* p, size_t bytes) noexcept;

/// One arena block of kArenaBlockBytes from a shared pool of huge-page regions (thread-safe);
/// freed blocks are kept for the next arena of the process (sign --config signs many zones).
inline constexpr size_t kArenaBlockBytes = size_t{1} << 20;
uint8_t* arena_block_alloc();
void arena_block_free(uint8_t* block) noexcept;

/// A std allocator that takes its large requests from big_alloc: from 2 MiB a mapping of its
/// own, smaller ones from the heap.
template <class T>
struct BigAllocator {
  using value_type = T;
  BigAllocator() noexcept = default;
  template <class U>
  BigAllocator(const BigAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(big_alloc(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { big_free(p, n * sizeof(T)); }

  /// Default-initialises instead of value-initialising: vector(n) and resize(n) of a trivial
  /// type leave the elements as they are, so a table that a parallel pass fills at once is not
  /// first zeroed by one thread (for the sort's three 24-byte tables of a 1M-name zone, 180 MB
  /// written serially). Callers fill every element they size.
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <class U>
  bool operator==(const BigAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace zk
