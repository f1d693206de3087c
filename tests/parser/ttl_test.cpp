#include "parser/detail/ttl.hpp"

#include <catch2/catch.hpp>

namespace zk::parser::detail {

TEST_CASE("ttl units", "[parser]") {
  struct Row {
    const char* text;
    uint32_t want;
  };
  const Row rows[] = {{"0", 0},
                      {"3600", 3600},
                      {"1s", 1},
                      {"1S", 1},
                      {"1m", 60},
                      {"1M", 60},
                      {"1h", 3600},
                      {"1H", 3600},
                      {"1d", 86400},
                      {"1D", 86400},
                      {"1w", 604800},
                      {"1W", 604800},
                      {"1w2d3h4m5s", 788645},
                      {"1s1m1m", 121},
                      {"1h30", 3630},
                      {"2147483647", 2147483647}};
  for (const auto& r : rows) {
    INFO(r.text);
    auto v = parse_ttl(r.text);
    REQUIRE(v.has_value());
    CHECK(*v == r.want);
  }
}

TEST_CASE("ttl errors", "[parser]") {
  for (const char* bad :
       {"", "2147483648", "4294967295", "4294967295s1w", "100000000W", "1x", "h", "-1", "1h-"}) {
    INFO(bad);
    auto v = parse_ttl(bad);
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == Errc::BadTtl);
  }
}

}  // namespace zk::parser::detail
