// Parse throughput: zone text in memory -> ZoneStore, at 1 thread and at all threads.
// Set ZK_BENCH_ZONE=/path/to/file.zone (e.g. bench/zonegen.py output) to bench a file instead.
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench/zone_gen.hpp"
#include "parser/parser.hpp"

namespace {

const std::string& input(int size) {
  static std::string small, large, file;
  if (const char* f = std::getenv("ZK_BENCH_ZONE")) {
    if (file.empty()) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      file = ss.str();
    }
    return file;
  }
  std::string& s = size == 0 ? small : large;
  if (s.empty()) s = zk::bench::make_zone(size == 0 ? 20'000 : 400'000);
  return s;
}

void BM_parse(benchmark::State& state) {
  const std::string& text = input(static_cast<int>(state.range(0)));
  const int threads = state.range(1) == 0 ? tbb::info::default_concurrency() : 1;
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
  zk::parser::ParseOptions opt;
  size_t records = 0;
  for (auto _ : state) {
    zk::ZoneStore store;
    zk::Diagnostics diag;
    auto r = zk::parser::parse_text(text, "bench.zone", "", opt, store, diag);
    benchmark::DoNotOptimize(r);
    records = store.rrs.size();
    if (diag.error_count() != 0) state.SkipWithError("parse errors");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * records));
  state.counters["threads"] = threads;
  state.counters["records"] = static_cast<double>(records);
}

// parse_file on ZK_BENCH_ZONE: includes reading the file, as the CLI does.
void BM_parse_file(benchmark::State& state) {
  const char* path = std::getenv("ZK_BENCH_ZONE");
  if (!path) {
    state.SkipWithError("set ZK_BENCH_ZONE to a zone file");
    return;
  }
  const int threads = state.range(0) == 0 ? tbb::info::default_concurrency() : 1;
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
  zk::parser::ParseOptions opt;
  size_t records = 0, bytes = 0;
  for (auto _ : state) {
    zk::ZoneStore store;
    zk::Diagnostics diag;
    auto r = zk::parser::parse_file(path, opt, store, diag);
    benchmark::DoNotOptimize(r);
    records = store.rrs.size();
    if (diag.error_count() != 0) state.SkipWithError("parse errors");
  }
  bytes = input(0).size();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * records));
  state.counters["threads"] = threads;
}

}  // namespace

BENCHMARK(BM_parse_file)
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

// Args: {size (0 small, 1 large), threads (1 = one thread, 0 = all)}
BENCHMARK(BM_parse)
    ->Args({0, 1})
    ->Args({0, 0})
    ->Args({1, 1})
    ->Args({1, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();  // CPU column = all threads

BENCHMARK_MAIN();
