// sort_zone sorts small zones serially and large ones by buckets: both give canonical order,
// duplicates removed, at 1 thread and at 4.
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "pipeline/pipeline.hpp"
#include "tests/support/zone_builder.hpp"

using namespace zk;

namespace {

// n records over n/2 owners in a shuffled order, every tenth one repeated.
ZoneStore shuffled_zone(size_t n, unsigned seed) {
  test::ZoneBuilder b("example.");
  std::mt19937 rng(seed);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (size_t i : order) {
    const std::string owner =
        "h" + std::to_string(i / 2) + (i % 3 == 0 ? ".sub" : "") + ".example.";
    const std::vector<uint8_t> a = {192, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    b.add(owner, 1, 3600, a);
    if (i % 10 == 0) b.add(owner, 1, 3600, a);
  }
  return std::move(b.store);
}

}  // namespace

TEST_CASE("sort_zone: serial path for small zones, buckets for large, same order", "[pipeline]") {
  for (size_t n : {size_t{10}, size_t{4095}, size_t{4096}, size_t{20000}}) {
    for (int threads : {1, 4}) {
      tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
      ZoneStore store = shuffled_zone(n, 7);
      const size_t dups = pipeline::sort_zone(store);
      INFO("n=" << n << " threads=" << threads);
      CHECK(dups == (n + 9) / 10);
      CHECK(store.rrs.size() == n);
      CHECK(std::is_sorted(store.rrs.begin(), store.rrs.end(), rr_less));
      CHECK(std::adjacent_find(store.rrs.begin(), store.rrs.end(), [](const RR& a, const RR& b) {
              return rr_compare(a, b) == 0;
            }) == store.rrs.end());
    }
  }
}

namespace {

// The records of one sorted zone (many owners, several types and RDATA each, duplicates with
// other TTLs) laid out as signers write them: each owner's records together in a shuffled
// order, the owners in canonical order but cut into `runs` ascending runs that interleave (as
// NSEC3 records follow the names). sorted: the same records in canonical order.
std::vector<RR> presorted_layout(const ZoneStore& sorted, size_t runs, std::mt19937& rng) {
  std::vector<std::vector<RR>> owners;
  for (const RR& rr : sorted.rrs) {
    if (owners.empty() || owner_compare(owners.back().front().owner, rr.owner) != 0) {
      owners.emplace_back();
    }
    owners.back().push_back(rr);
  }
  std::vector<std::vector<RR>> by_run(runs);
  for (size_t i = 0; i < owners.size(); ++i) {
    std::shuffle(owners[i].begin(), owners[i].end(), rng);
    auto& run = by_run[rng() % runs];
    run.insert(run.end(), owners[i].begin(), owners[i].end());
  }
  std::vector<RR> out;
  for (const auto& run : by_run) out.insert(out.end(), run.begin(), run.end());
  return out;
}

std::string flat(const std::vector<RR, BigAllocator<RR>>& rrs) {
  std::string s;
  for (const RR& rr : rrs) {
    s += name_to_string(rr.owner->name()) + " " + std::to_string(rr.ttl) + " " +
         std::to_string(rr.type) + " " + std::string(rr.rdata, rr.rdata + rr.rdlen) + "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("sort_zone: input in order by owner, in a few runs, sorts to the same zone",
          "[pipeline]") {
  std::mt19937 rng(17);
  for (size_t n : {size_t{50}, size_t{20000}}) {
    for (size_t runs : {size_t{1}, size_t{2}, size_t{4}, size_t{9}}) {
      // A zone with duplicates (other TTLs) and several types per owner, sorted for reference.
      test::ZoneBuilder b("example.");
      for (size_t i = 0; i < n; ++i) {
        const std::string owner = "h" + std::to_string(rng() % (n / 5)) + ".Example.";
        const uint16_t type = static_cast<uint16_t>(1 + rng() % 3);
        b.add(owner, type, 100 + static_cast<uint32_t>(rng() % 3),
              {static_cast<uint8_t>(rng() % 4), static_cast<uint8_t>(rng() % 2)});
      }
      ZoneStore reference = std::move(b.store);
      pipeline::sort_zone(reference);
      // The same records again, with the duplicates back (the lowest TTL must survive).
      test::ZoneBuilder again("example.");
      for (const RR& rr : reference.rrs) {
        const std::string owner = name_to_string(rr.owner->name());
        const std::vector<uint8_t> rdata(rr.rdata, rr.rdata + rr.rdlen);
        again.add(owner, rr.type, rr.ttl, rdata);
        if (rng() % 7 == 0) again.add(owner, rr.type, rr.ttl + 5, rdata);
      }
      ZoneStore copy = std::move(again.store);
      const size_t added = copy.rrs.size() - reference.rrs.size();
      const std::vector<RR> laid = presorted_layout(copy, runs, rng);
      copy.rrs.assign(laid.begin(), laid.end());
      INFO("n=" << n << " runs=" << runs);
      CHECK(pipeline::sort_zone(copy) == added);
      CHECK(flat(copy.rrs) == flat(reference.rrs));
      // Every owner's records share one Owner entry, as after the full sort.
      for (size_t i = 1; i < copy.rrs.size(); ++i) {
        if (owner_compare(copy.rrs[i - 1].owner, copy.rrs[i].owner) == 0) {
          CHECK(copy.rrs[i - 1].owner == copy.rrs[i].owner);
        }
      }
    }
  }
}
