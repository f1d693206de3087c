// Sort and check throughput on a generated store, records shuffled as bench/zonegen.py writes
// them: sort_zone, then build_index + check_zone, at 1 thread and at all threads.
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <random>
#include <vector>

#include "bench/zone_gen.hpp"
#include "parser/parser.hpp"
#include "pipeline/pipeline.hpp"

namespace {

struct Input {
  zk::ZoneStore store;
  zk::RRVector shuffled;  // the records in input order, restored before each sort
};

Input& input(int size) {
  static Input small, large;
  Input& in = size == 0 ? small : large;
  if (!in.shuffled.empty()) return in;
  const std::string text = zk::bench::make_zone(size == 0 ? 20'000 : 400'000);
  zk::parser::ParseOptions opt;
  zk::Diagnostics diag;
  zk::Name origin;
  (void)zk::name_from_text("example.test.", {}, origin);
  opt.origin = origin;
  opt.origin_set = true;
  (void)zk::parser::parse_text(text, "bench.zone", "", opt, in.store, diag);
  in.store.origin = origin;
  in.shuffled = in.store.rrs;
  std::mt19937_64 rng(1);
  std::shuffle(in.shuffled.begin(), in.shuffled.end(), rng);
  return in;
}

int threads_for(int64_t arg) { return arg == 0 ? tbb::info::default_concurrency() : 1; }

// The copy of the input order (24 bytes per record) is part of the timed loop.
void BM_sort(benchmark::State& state) {
  Input& in = input(static_cast<int>(state.range(0)));
  const int threads = threads_for(state.range(1));
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
  for (auto _ : state) {
    in.store.rrs = in.shuffled;
    benchmark::DoNotOptimize(zk::pipeline::sort_zone(in.store));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * in.shuffled.size()));
  state.counters["threads"] = threads;
}

void BM_index_and_check(benchmark::State& state) {
  Input& in = input(static_cast<int>(state.range(0)));
  const int threads = threads_for(state.range(1));
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
  in.store.rrs = in.shuffled;
  zk::pipeline::sort_zone(in.store);
  for (auto _ : state) {
    zk::Diagnostics diag;
    const zk::pipeline::ZoneIndex index = zk::pipeline::build_index(in.store);
    zk::pipeline::check_zone(in.store, index, diag);
    benchmark::DoNotOptimize(index.nodes.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * in.store.rrs.size()));
  state.counters["threads"] = threads;
}

}  // namespace

// Args: {size (0 = 20k names, 1 = 400k names), threads (0 = all, 1 = one)}.
BENCHMARK(BM_sort)->ArgsProduct({{0, 1}, {1, 0}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_index_and_check)
    ->ArgsProduct({{0, 1}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
