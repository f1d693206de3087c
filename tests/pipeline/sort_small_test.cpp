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
