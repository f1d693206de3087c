// Every input a fuzz target ever failed on (testdata/fuzz/crashers/) runs here too, in the
// ordinary build, so a regression shows in ctest without clang or libFuzzer.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "dns/rdata.hpp"
#include "emit/rdata_print.hpp"
#include "parser/detail/rdata_text.hpp"
#include "parser/parser.hpp"
#include "tests/fuzz/fuzz_common.hpp"

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::filesystem::path> files_in(const std::string& dir) {
  std::vector<std::filesystem::path> v;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) v.push_back(e.path());
  }
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("fuzz crashers: zone files parse or fail cleanly", "[parser][fuzz]") {
  const auto files = files_in(std::string(ZK_SOURCE_DIR) + "/testdata/fuzz/crashers/parse");
  REQUIRE_FALSE(files.empty());
  for (const auto& f : files) {
    INFO(f.string());
    zk::parser::ParseOptions opt;
    REQUIRE(zk::name_from_text("example.com.", {}, opt.origin).has_value());
    opt.origin_set = true;
    opt.allow_include = false;
    zk::ZoneStore store;
    zk::Diagnostics diag;
    (void)zk::parser::parse_text(slurp(f), f.filename().string(), "", opt, store, diag);
    for (const auto& rr : store.rrs)
      CHECK(zk::rdata_validate(rr.type, rr.rdata_span(), store.rclass).has_value());
  }
}

TEST_CASE("fuzz crashers: RDATA text is rejected or reads to valid wire that prints back",
          "[parser][fuzz]") {
  const auto files = files_in(std::string(ZK_SOURCE_DIR) + "/testdata/fuzz/crashers/rdata");
  REQUIRE_FALSE(files.empty());
  auto out = std::make_unique<uint8_t[]>(zk::parser::detail::kRdataBufSize);
  for (const auto& f : files) {
    INFO(f.string());
    const std::string data = slurp(f);
    if (data.size() < 2) continue;
    const uint16_t type =
        static_cast<uint16_t>(static_cast<uint8_t>(data[0]) << 8 | static_cast<uint8_t>(data[1]));
    std::vector<zk::parser::detail::Token> tokens;
    if (!zk::fuzz::tokenize(std::string_view(data).substr(2), tokens)) continue;
    auto r = zk::parser::detail::rdata_from_text(type, tokens, zk::fuzz::example_com(), out.get());
    if (!r) continue;
    std::span<const uint8_t> wire(out.get(), *r);
    CHECK(zk::rdata_validate(type, wire).has_value());
    std::string printed;
    zk::emit::rdata_to_text(type, wire, printed);
    CHECK_FALSE(printed.empty());
  }
}
