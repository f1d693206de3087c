// Name kernels: name_from_text, canonical_compare, canonical_key.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "dns/name.hpp"

namespace {

std::vector<std::string> texts() {
  std::vector<std::string> v;
  uint32_t x = 7;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1664525u + 1013904223u;
    v.push_back("host-" + std::to_string(x % 100000) + ".sub" + std::to_string(x % 17) +
                ".Example.TEST.");
  }
  return v;
}

void BM_name_from_text(benchmark::State& state) {
  const auto t = texts();
  zk::Name origin, out;
  size_t bytes = 0;
  for (const auto& s : t) bytes += s.size();
  for (auto _ : state) {
    for (const auto& s : t) {
      auto r = zk::name_from_text(s, origin.view(), out);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

std::vector<zk::Name> names() {
  std::vector<zk::Name> v;
  zk::Name root;
  for (const auto& s : texts()) {
    zk::Name n;
    if (zk::name_from_text(s, root.view(), n)) v.push_back(n);
  }
  return v;
}

void BM_canonical_compare(benchmark::State& state) {
  const auto n = names();
  for (auto _ : state) {
    int acc = 0;
    for (size_t i = 1; i < n.size(); ++i) acc += zk::canonical_compare(n[i - 1], n[i]);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * (n.size() - 1)));
}

void BM_canonical_key(benchmark::State& state) {
  const auto n = names();
  uint8_t key[zk::kMaxCanonicalKeyLen];
  for (auto _ : state) {
    size_t acc = 0;
    for (const auto& x : n) acc += zk::canonical_key(x, key);
    benchmark::DoNotOptimize(acc);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n.size()));
}

}  // namespace

BENCHMARK(BM_name_from_text);
BENCHMARK(BM_canonical_compare);
BENCHMARK(BM_canonical_key);

BENCHMARK_MAIN();
