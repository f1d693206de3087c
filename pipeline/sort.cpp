// Stage: canonical sort and duplicate removal.
#include "pipeline/pipeline.hpp"

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/parallel_sort.h>

#include <algorithm>
#include <cstring>
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
          if (o->key_len >= len && std::memcmp(o->key(), first->key(), len) == 0) continue;
          const size_t n = std::min<size_t>(len, o->key_len);
          size_t j = 0;
          while (j < n && o->key()[j] == first->key()[j]) ++j;
          len = j;
        }
        return len;
      },
      [](size_t a, size_t b) { return std::min(a, b); });
}

// Entries are bucketed by their top kBucketBits window bits (one counting pass, one scatter),
// then each bucket is sorted on its own: buckets are small enough to sort in cache and are
// spread over the threads, and no comparison crosses a bucket.
constexpr unsigned kBucketBits = 16;
constexpr size_t kBuckets = size_t{1} << kBucketBits;

size_t bucket_of(const SortKey& k) noexcept { return k.prefix >> (64 - kBucketBits); }

void bucket_sort(std::vector<SortKey>& keys, const std::vector<RR>& rrs) {
  std::vector<uint32_t> start(kBuckets + 1, 0);
  for (const SortKey& k : keys) ++start[bucket_of(k) + 1];
  for (size_t b = 0; b < kBuckets; ++b) start[b + 1] += start[b];
  std::vector<SortKey> out(keys.size());
  {
    std::vector<uint32_t> at(start.begin(), start.end() - 1);
    for (const SortKey& k : keys) out[at[bucket_of(k)]++] = k;
  }
  keys.swap(out);
  auto less = [&rrs](const SortKey& a, const SortKey& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return rr_less(rrs[a.index], rrs[b.index]);
  };
  tbb::parallel_for(tbb::blocked_range<size_t>(0, kBuckets, 256),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t b = r.begin(); b != r.end(); ++b) {
                        std::sort(keys.begin() + start[b], keys.begin() + start[b + 1], less);
                      }
                    });
}

}  // namespace

size_t sort_zone(ZoneStore& store) {
  auto& rrs = store.rrs;
  if (rrs.empty()) return 0;
  const size_t n = rrs.size();
  const size_t skip = common_key_prefix(rrs);
  std::vector<SortKey> keys(n);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 8192),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t i = r.begin(); i != r.end(); ++i) {
                        keys[i] = SortKey{key_window(rrs[i].owner, skip), static_cast<uint32_t>(i)};
                      }
                    });
  bucket_sort(keys, rrs);
  {
    std::vector<RR> sorted(n);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 8192),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t i = r.begin(); i != r.end(); ++i) sorted[i] = rrs[keys[i].index];
                      });
    rrs.swap(sorted);
  }
  // Records of one owner usually point at different Owner copies (the parser shares one only
  // between consecutive records). Pointing them all at the first copy makes every later
  // owner_compare within an owner a pointer compare, and keeps the owner bytes the later
  // stages read in fewer cache lines. Only entries with equal windows can have equal owners,
  // so a range handles the runs of equal windows that start in it, reading past its end.
  // The same pass marks duplicates (equal under the total order), reusing keys[i].index.
  constexpr uint32_t kDuplicate = UINT32_MAX;
  const size_t dups = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(1, n, 16384), size_t{0},
      [&](const tbb::blocked_range<size_t>& r, size_t count) {
        size_t i = r.begin();
        if (i > 1) {
          while (i != r.end() && keys[i].prefix == keys[i - 1].prefix) ++i;
          if (i == r.end()) return count;
        }
        for (; i < n && (i < r.end() || keys[i].prefix == keys[i - 1].prefix); ++i) {
          if (keys[i].prefix != keys[i - 1].prefix) continue;
          RR& cur = rrs[i];
          const RR& prev = rrs[i - 1];
          if (owner_compare(cur.owner, prev.owner) != 0) continue;
          cur.owner = prev.owner;
          if (cur.type == prev.type && rdata_compare(cur, prev) == 0) {
            keys[i].index = kDuplicate;
            ++count;
          }
        }
        return count;
      },
      [](size_t a, size_t b) { return a + b; });
  if (dups == 0) return 0;
  // Duplicates may differ only in TTL. Keeping the lowest makes the survivor independent of
  // how the unstable sort placed them.
  size_t out = 0;
  for (size_t i = 1; i < n; ++i) {
    if (keys[i].index == kDuplicate) {
      rrs[out].ttl = std::min(rrs[out].ttl, rrs[i].ttl);
      continue;
    }
    rrs[++out] = rrs[i];
  }
  rrs.resize(out + 1);
  return dups;
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
  const Owner* last_inside = nullptr;  // sort_zone makes an owner's records share one Owner
  auto keep = std::remove_if(store.rrs.begin(), store.rrs.end(), [&](const RR& rr) {
    if (rr.owner == last_inside) return false;
    if (is_subdomain(rr.owner->name(), origin)) {
      last_inside = rr.owner;
      return false;
    }
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
