// Every seed and every input that once failed a file-reader fuzz target (testdata/fuzz/<target>/
// and testdata/fuzz/crashers/<target>/) runs through the same target function here, in the
// ordinary build: a regression shows in ctest without clang or libFuzzer. (The zone parser's
// and the RDATA codecs' crashers: tests/parser/fuzz_regression_test.cpp.)
#include <tbb/global_control.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/targets.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const std::string& target, bool crashers) {
  const fs::path dir = fs::path(ZK_TESTDATA_DIR) / "fuzz" / (crashers ? "crashers" : "") / target;
  std::vector<fs::path> v;
  if (!fs::is_directory(dir)) return v;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) v.push_back(e.path());
  }
  std::sort(v.begin(), v.end());
  return v;
}

void replay(const std::string& target, int (*one)(const uint8_t*, size_t)) {
  const auto seeds = inputs_of(target, false);
  REQUIRE(seeds.size() >= 4);  // a corpus, not a token
  auto all = seeds;
  for (const auto& c : inputs_of(target, true)) all.push_back(c);
  for (const auto& f : all) {
    INFO(f.string());
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string data = ss.str();
    CHECK_NOTHROW(one(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }
}

}  // namespace

TEST_CASE("fuzz replay: key state files", "[signer][fuzz]") {
  replay("keystate", zk::fuzz::keystate_one);
}
TEST_CASE("fuzz replay: KSR/SKR files", "[signer][skr][fuzz]") { replay("skr", zk::fuzz::skr_one); }
TEST_CASE("fuzz replay: BIND key pairs", "[signer][fuzz]") {
  replay("bindkey", zk::fuzz::bindkey_one);
}
TEST_CASE("fuzz replay: PEM keys", "[signer][fuzz]") { replay("pemkey", zk::fuzz::pemkey_one); }
TEST_CASE("fuzz replay: configuration files", "[config][fuzz]") {
  replay("config", zk::fuzz::config_one);
}
TEST_CASE("fuzz replay: signed zones fed to verify", "[verify][fuzz]") {
  tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
  replay("verify", zk::fuzz::verify_one);
}
