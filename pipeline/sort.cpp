// Stage: canonical sort and duplicate removal.
#include "pipeline/pipeline.hpp"

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/parallel_sort.h>

#include <algorithm>
#include <string>

namespace zk::pipeline {

namespace {

// Sorting 24-byte RRs by rr_less chases two owner pointers per comparison, which on a zone of
// millions of records is mostly cache misses. Instead we sort 16-byte keys that carry the
// 8 canonical-key bytes right after the prefix every owner shares (the origin's labels), so
// almost every comparison is one integer compare in contiguous memory; only ties fall back to
// rr_compare. The prefix order agrees with the canonical order: keys are compared bytewise and
// a key that ends inside the window is padded with 0x00, which is never greater than the byte
// of a longer key at that place (and a proper prefix sorts first in canonical order too).
struct SortKey {
  uint64_t prefix;
  uint32_t index;
};

uint64_t key_window(const Owner* o, size_t skip) noexcept {
  uint64_t v = 0;
  const uint8_t* k = o->key();
  for (size_t i = 0; i < 8; ++i) {
    const size_t at = skip + i;
    v = (v << 8) | (at < o->key_len ? k[at] : 0);
  }
  return v;
}

// Length of the canonical-key prefix shared by every owner.
size_t common_key_prefix(const std::vector<RR>& rrs) {
  const Owner* first = rrs.front().owner;
  return tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, rrs.size(), 4096), size_t{first->key_len},
      [&](const tbb::blocked_range<size_t>& r, size_t len) {
        for (size_t i = r.begin(); i != r.end() && len > 0; ++i) {
          const Owner* o = rrs[i].owner;
          if (o == first) continue;
          const size_t n = std::min<size_t>(len, o->key_len);
          size_t j = 0;
          while (j < n && o->key()[j] == first->key()[j]) ++j;
          len = j;
        }
        return len;
      },
      [](size_t a, size_t b) { return std::min(a, b); });
}

}  // namespace

size_t sort_zone(ZoneStore& store) {
  auto& rrs = store.rrs;
  if (rrs.empty()) return 0;
  const size_t skip = common_key_prefix(rrs);
  std::vector<SortKey> keys(rrs.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, rrs.size(), 8192),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t i = r.begin(); i != r.end(); ++i) {
                        keys[i] = SortKey{key_window(rrs[i].owner, skip), static_cast<uint32_t>(i)};
                      }
                    });
  tbb::parallel_sort(keys.begin(), keys.end(), [&rrs](const SortKey& a, const SortKey& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return rr_less(rrs[a.index], rrs[b.index]);
  });
  {
    std::vector<RR> sorted(rrs.size());
    tbb::parallel_for(tbb::blocked_range<size_t>(0, rrs.size(), 8192),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t i = r.begin(); i != r.end(); ++i) sorted[i] = rrs[keys[i].index];
                      });
    rrs.swap(sorted);
  }
  // Duplicates are equal under the total order; they may differ only in TTL. Keeping the
  // lowest makes the survivor independent of how the unstable sort placed them.
  size_t out = 0;
  for (size_t i = 1; i < rrs.size(); ++i) {
    if (rr_compare(rrs[out], rrs[i]) == 0) {
      rrs[out].ttl = std::min(rrs[out].ttl, rrs[i].ttl);
      continue;
    }
    rrs[++out] = rrs[i];
  }
  const size_t removed = rrs.size() - (out + 1);
  rrs.resize(out + 1);
  return removed;
}

void merge_added(ZoneStore& store, size_t sorted_prefix) {
  auto& rrs = store.rrs;
  auto mid = rrs.begin() + static_cast<std::ptrdiff_t>(sorted_prefix);
  std::sort(mid, rrs.end(), rr_less);
  std::inplace_merge(rrs.begin(), mid, rrs.end(), rr_less);
}

size_t drop_out_of_zone(ZoneStore& store, Diagnostics& diag) {
  const NameView origin = store.origin.view();
  size_t removed = 0;
  const Owner* last_reported = nullptr;
  auto keep = std::remove_if(store.rrs.begin(), store.rrs.end(), [&](const RR& rr) {
    if (is_subdomain(rr.owner->name(), origin)) return false;
    ++removed;
    if (rr.owner != last_reported) {
      last_reported = rr.owner;
      diag.warning(make_error(Errc::OutOfZone, "ignoring out-of-zone data (" +
                                                   name_to_string(rr.owner->name()) + ")"));
    }
    return true;
  });
  store.rrs.erase(keep, store.rrs.end());
  return removed;
}

}  // namespace zk::pipeline
