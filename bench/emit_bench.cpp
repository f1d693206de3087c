// Zone text formatting: emit::append_rr over a sorted generated store into one reused buffer
// (the writer's per-chunk work), at 1 thread and split into chunks over all threads.
#include <benchmark/benchmark.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <string>

#include "bench/zone_gen.hpp"
#include "emit/emit.hpp"
#include "parser/parser.hpp"
#include "pipeline/pipeline.hpp"

namespace {

zk::ZoneStore& input(int size) {
  static zk::ZoneStore small, large;
  zk::ZoneStore& s = size == 0 ? small : large;
  if (!s.rrs.empty()) return s;
  const std::string text = zk::bench::make_zone(size == 0 ? 20'000 : 400'000);
  zk::parser::ParseOptions opt;
  zk::Diagnostics diag;
  (void)zk::parser::parse_text(text, "bench.zone", "", opt, s, diag);
  zk::pipeline::sort_zone(s);
  return s;
}

void BM_append_rr(benchmark::State& state) {
  const zk::ZoneStore& store = input(static_cast<int>(state.range(0)));
  const int threads = state.range(1) == 0 ? tbb::info::default_concurrency() : 1;
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
  tbb::enumerable_thread_specific<std::string> buffers;
  constexpr size_t kChunk = 8192;
  const size_t chunks = (store.rrs.size() + kChunk - 1) / kChunk;
  for (auto _ : state) {
    tbb::parallel_for(size_t{0}, chunks, [&](size_t c) {
      std::string& out = buffers.local();
      out.clear();
      const size_t end = std::min(store.rrs.size(), (c + 1) * kChunk);
      for (size_t i = c * kChunk; i < end; ++i) {
        const zk::RR& rr = store.rrs[i];
        zk::emit::append_rr(out, rr.owner->name(), rr.ttl, store.rclass, rr.type, rr.rdata_span());
      }
      benchmark::DoNotOptimize(out.data());
    });
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * store.rrs.size()));
  state.counters["threads"] = threads;
}

}  // namespace

// Args: {size (0 = 20k names, 1 = 400k names), threads (0 = all, 1 = one)}.
BENCHMARK(BM_append_rr)
    ->ArgsProduct({{0, 1}, {1, 0}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
