// Stage: canonical sort and duplicate removal.
#include <oneapi/tbb/combinable.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/parallel_sort.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "parser/parser.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

namespace {

// Sorting 24-byte RRs by rr_less chases two owner pointers per comparison, which on a zone of
// millions of records is mostly cache misses. Instead we sort 24-byte entries that carry the
// 16 canonical-key bytes right after the prefix every owner shares (the origin's labels), so
// almost every comparison is an integer compare in contiguous memory. The window order agrees
// with the canonical order: keys are compared bytewise and a key that ends inside the window
// is padded with 0x00, which is never greater than the byte of a longer key at that place (and
// a proper prefix sorts first in canonical order too).
//
// When the window holds all of both keys ("whole"), equal windows mean equal owners: a key
// never has 0x00 right after its last byte's 0x00 terminator (labels are not empty and 0x00
// octets are escaped), so the padding cannot be mistaken for key bytes. Such ties are settled
// by the type in the entry and then the RDATA, without touching the owners; other ties fall
// back to rr_compare.
struct SortKey {
  uint64_t hi, lo;
  uint32_t index;
  uint16_t type;
  bool whole;
};

using SortKeys = std::vector<SortKey, BigAllocator<SortKey>>;

bool same_window(const SortKey& a, const SortKey& b) noexcept {
  return a.hi == b.hi && a.lo == b.lo;
}

SortKey make_key(const RR& rr, size_t skip, uint32_t index) noexcept {
  const Owner* o = rr.owner;
  const uint8_t* k = o->key();
  uint64_t w[2] = {0, 0};
  for (size_t i = 0; i < 16; ++i) {
    const size_t at = skip + i;
    w[i / 8] = (w[i / 8] << 8) | (at < o->key_len ? k[at] : 0);
  }
  return SortKey{w[0], w[1], index, rr.type, o->key_len <= skip + 16};
}

// Length of the canonical-key prefix shared by every owner.
size_t common_key_prefix(const RRVector& rrs) {
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

size_t bucket_of(const SortKey& k) noexcept { return k.hi >> (64 - kBucketBits); }

// Below this many records one serial sort is cheaper than setting up and walking the 64K
// bucket counters (a fixed cost that dominates small zones, e.g. many zones in one run).
constexpr size_t kSerialSortBelow = 4096;

void bucket_sort(SortKeys& keys, const RRVector& rrs) {
  auto less = [&rrs](const SortKey& a, const SortKey& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    if (a.whole && b.whole) {
      if (a.type != b.type) return a.type < b.type;
      return rdata_compare(rrs[a.index], rrs[b.index]) < 0;
    }
    return rr_less(rrs[a.index], rrs[b.index]);
  };
  if (keys.size() < kSerialSortBelow) {
    // The same total order as the bucketed sort (buckets are the top bits of hi, compared
    // first), so the output does not depend on which path ran.
    std::sort(keys.begin(), keys.end(), less);
    return;
  }
  // Counting and scattering run over a few fixed blocks in parallel, each block with its own
  // counters; bucket b of block k starts after bucket b of blocks 0..k-1, so every entry lands
  // where a serial scatter would put it (within a bucket, in input order).
  const size_t n = keys.size();
  const size_t blocks = std::clamp<size_t>(n / 65536, 1, 8);
  const size_t per_block = (n + blocks - 1) / blocks;
  std::vector<uint32_t> count(blocks * kBuckets, 0);
  tbb::parallel_for(size_t{0}, blocks, [&](size_t k) {
    uint32_t* c = count.data() + k * kBuckets;
    const size_t end = std::min(n, (k + 1) * per_block);
    for (size_t i = k * per_block; i < end; ++i) ++c[bucket_of(keys[i])];
  });
  std::vector<uint32_t> start(kBuckets + 1, 0);
  uint32_t at = 0;
  for (size_t b = 0; b < kBuckets; ++b) {
    start[b] = at;
    for (size_t k = 0; k < blocks; ++k) {
      const uint32_t c = count[k * kBuckets + b];
      count[k * kBuckets + b] = at;
      at += c;
    }
  }
  start[kBuckets] = at;
  SortKeys out(n);
  tbb::parallel_for(size_t{0}, blocks, [&](size_t k) {
    uint32_t* next = count.data() + k * kBuckets;
    const size_t end = std::min(n, (k + 1) * per_block);
    for (size_t i = k * per_block; i < end; ++i) out[next[bucket_of(keys[i])]++] = keys[i];
  });
  keys.swap(out);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, kBuckets, 256),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t b = r.begin(); b != r.end(); ++b) {
                        std::sort(keys.begin() + start[b], keys.begin() + start[b + 1], less);
                      }
                    });
}

// The sort keys of every record. Usually every owner is at or below the origin, so the
// origin's key is a shared prefix. Building the entries with it and checking it in the same
// pass reads each owner once; only when some owner is outside (or the origin is unset) the
// shared prefix is measured and the entries are built again.
SortKeys sort_keys(const ZoneStore& store) {
  const auto& rrs = store.rrs;
  const size_t n = rrs.size();
  SortKeys keys(n);
  uint8_t origin_key[kMaxCanonicalKeyLen];
  const size_t origin_key_len = canonical_key(store.origin.view(), origin_key);
  const bool all_inside = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, n, 8192), true,
      [&](const tbb::blocked_range<size_t>& r, bool inside) {
        for (size_t i = r.begin(); i != r.end(); ++i) {
          const Owner* o = rrs[i].owner;
          inside &= o->key_len >= origin_key_len &&
                    std::memcmp(o->key(), origin_key, origin_key_len) == 0;
          keys[i] = make_key(rrs[i], origin_key_len, static_cast<uint32_t>(i));
        }
        return inside;
      },
      [](bool a, bool b) { return a && b; });
  if (!all_inside || origin_key_len == 0) {
    const size_t skip = common_key_prefix(rrs);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 8192),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t i = r.begin(); i != r.end(); ++i) {
                          keys[i] = make_key(rrs[i], skip, static_cast<uint32_t>(i));
                        }
                      });
  }
  return keys;
}

constexpr uint32_t kDuplicate = UINT32_MAX;

// Records of one owner usually point at different Owner copies (the parser shares one only
// between consecutive records). Pointing them all at the first copy makes every later
// owner_compare within an owner a pointer compare, and keeps the owner bytes the later stages
// read in fewer cache lines. Only entries with equal windows can have equal owners, so a range
// handles the runs of equal windows that start in it, reading past its end. The same pass
// marks duplicates (equal under the total order) with keys[i].index = kDuplicate and returns
// how many there are.
size_t share_owners_mark_duplicates(RRVector& rrs, SortKeys& keys) {
  const size_t n = rrs.size();
  return tbb::parallel_reduce(
      tbb::blocked_range<size_t>(1, n, 16384), size_t{0},
      [&](const tbb::blocked_range<size_t>& r, size_t count) {
        size_t i = r.begin();
        if (i > 1) {
          while (i != r.end() && same_window(keys[i], keys[i - 1])) ++i;
          if (i == r.end()) return count;
        }
        for (; i < n && (i < r.end() || same_window(keys[i], keys[i - 1])); ++i) {
          if (!same_window(keys[i], keys[i - 1])) continue;
          RR& cur = rrs[i];
          const RR& prev = rrs[i - 1];
          const bool whole = keys[i].whole && keys[i - 1].whole;
          if (!whole && owner_compare(cur.owner, prev.owner) != 0) continue;
          cur.owner = prev.owner;
          if (cur.type == prev.type && rdata_compare(cur, prev) == 0) {
            keys[i].index = kDuplicate;
            ++count;
          }
        }
        return count;
      },
      [](size_t a, size_t b) { return a + b; });
}

// A store that is in canonical order but for a few places: what zonekiln and other signers
// write (each owner's records together, owners in canonical order, RRSIGs after the RRset they
// cover, NSEC3 records after the names) and what compile writes. It is put in order without the
// sort's three tables (72 bytes per record; 450 MB for the signed 1M-name zone): the records of
// each owner are sorted where they are and the few runs of ascending owners are merged.
constexpr size_t kMaxPresortedRuns = 4;

// Sorts rrs when its owners descend in fewer than kMaxPresortedRuns places; false (rrs as it
// was) otherwise. Duplicates are left for remove_duplicates.
bool sort_presorted(RRVector& rrs) {
  const size_t n = rrs.size();
  // Where owners change (1) and where they descend (a run starts), in parallel; random input
  // stops at once.
  std::vector<uint8_t> starts(n, 0);
  std::atomic<size_t> descents{0};
  tbb::combinable<std::vector<size_t>> run_starts;
  tbb::parallel_for(
      tbb::blocked_range<size_t>(1, n, 16384), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i != r.end(); ++i) {
          const Owner* a = rrs[i - 1].owner;
          const Owner* b = rrs[i].owner;
          if (a == b) continue;
          const int c = owner_compare(a, b);
          if (c == 0) continue;
          starts[i] = 1;
          if (c < 0) continue;
          run_starts.local().push_back(i);
          if (descents.fetch_add(1, std::memory_order_relaxed) + 1 >= kMaxPresortedRuns) {
            return;
          }
        }
      });
  if (descents.load() >= kMaxPresortedRuns) return false;
  // Each owner's records by type and RDATA (usually already so, but for the RRSIGs after each
  // RRset). Groups never cross a run boundary: owners differ there.
  auto by_type_rdata = [](const RR& a, const RR& b) {
    if (a.type != b.type) return a.type < b.type;
    return rdata_compare(a, b) < 0;
  };
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, n, 16384), [&](const tbb::blocked_range<size_t>& r) {
        size_t i = r.begin();
        while (i != r.end() && i != 0 && !starts[i]) ++i;  // the group before's
        while (i < r.end()) {
          size_t j = i + 1;
          while (j < n && !starts[j]) ++j;
          if (!std::is_sorted(rrs.begin() + static_cast<std::ptrdiff_t>(i),
                              rrs.begin() + static_cast<std::ptrdiff_t>(j), by_type_rdata)) {
            std::sort(rrs.begin() + static_cast<std::ptrdiff_t>(i),
                      rrs.begin() + static_cast<std::ptrdiff_t>(j), by_type_rdata);
          }
          i = j;
        }
      });
  std::vector<size_t> bounds;
  run_starts.combine_each(
      [&](const std::vector<size_t>& v) { bounds.insert(bounds.end(), v.begin(), v.end()); });
  std::sort(bounds.begin(), bounds.end());
  for (size_t k = 0; k < bounds.size(); ++k) {
    const auto end = k + 1 < bounds.size()
                         ? rrs.begin() + static_cast<std::ptrdiff_t>(bounds[k + 1])
                         : rrs.end();
    std::inplace_merge(rrs.begin(), rrs.begin() + static_cast<std::ptrdiff_t>(bounds[k]), end,
                       rr_less);
  }
  return true;
}

// After a sort: every owner's records point at its first record's Owner (later owner_compares
// within an owner are pointer compares) and equal records are one, with the lowest TTL.
// Returns how many were removed.
size_t share_owners_remove_duplicates(RRVector& rrs) {
  size_t out = 0;
  const size_t n = rrs.size();
  for (size_t i = 1; i < n; ++i) {
    RR cur = rrs[i];
    RR& prev = rrs[out];
    if (cur.owner == prev.owner || owner_compare(cur.owner, prev.owner) == 0) {
      cur.owner = prev.owner;
      if (cur.type == prev.type && rdata_compare(cur, prev) == 0) {
        prev.ttl = std::min(prev.ttl, cur.ttl);
        continue;
      }
    }
    rrs[++out] = cur;
  }
  const size_t dups = n - (out + 1);
  rrs.resize(out + 1);
  return dups;
}

}  // namespace

size_t sort_zone(ZoneStore& store) {
  auto& rrs = store.rrs;
  if (rrs.empty()) return 0;
  const size_t n = rrs.size();
  if (sort_presorted(rrs)) return share_owners_remove_duplicates(rrs);
  SortKeys keys = sort_keys(store);
  bucket_sort(keys, rrs);
  {
    RRVector sorted(n);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 8192),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t i = r.begin(); i != r.end(); ++i)
                          sorted[i] = rrs[keys[i].index];
                      });
    rrs.swap(sorted);
  }
  const size_t dups = share_owners_mark_duplicates(rrs, keys);
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
  // In canonical order the names at or below the origin are one contiguous run, so only the
  // records before and after it need looking at; testing every record was a cache miss per
  // owner on a sorted zone.
  auto& rrs = store.rrs;
  const NameView origin = store.origin.view();
  auto inside = [&](const RR& rr) { return is_subdomain(rr.owner->name(), origin); };
  size_t first = 0;
  while (first < rrs.size() && !inside(rrs[first])) ++first;
  size_t last = rrs.size();
  while (last > first && !inside(rrs[last - 1])) --last;
  const size_t removed = rrs.size() - (last - first);
  if (removed == 0) return 0;
  const Owner* last_reported = nullptr;
  auto report = [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      if (rrs[i].owner == last_reported) continue;
      last_reported = rrs[i].owner;
      diag.warning(make_error(Errc::OutOfZone, "ignoring out-of-zone data (" +
                                                   name_to_string(rrs[i].owner->name()) + ")"));
    }
  };
  report(0, first);
  report(last, rrs.size());
  rrs.erase(rrs.begin() + static_cast<std::ptrdiff_t>(last), rrs.end());
  rrs.erase(rrs.begin(), rrs.begin() + static_cast<std::ptrdiff_t>(first));
  return removed;
}

Result<ZoneStore> read_sorted_zone(const std::string& path, NameView origin, Diagnostics& diag,
                                   const parser::InputBudget& budget) {
  ZoneStore store;
  Name apex(origin);
  apex.to_lower();
  parser::ParseOptions popts;
  popts.origin = apex;
  popts.origin_set = true;
  popts.budget = budget;
  if (auto r = parser::parse_file(path, popts, store, diag); !r) return fail(r.error());
  if (diag.has_errors()) {
    return fail(Errc::ZoneCheck, std::to_string(diag.error_count()) + " error(s) reading " + path);
  }
  store.origin = apex;
  sort_zone(store);
  drop_out_of_zone(store, diag);
  return store;
}

}  // namespace zk::pipeline
