#include "dns/timeparse.hpp"

#include <catch2/catch.hpp>

TEST_CASE("time parsing for --now", "[lifecycle]") {
  const int64_t now = 1'800'000'000;
  struct Row {
    const char* text;
    int64_t want;
  };
  const Row rows[] = {
      {"now", now},
      {"+30d", now + 30 * 86400},
      {"-12h", now - 12 * 3600},
      {"+1w2d", now + 9 * 86400},
      {"1700000000", 1700000000},
      {"20261128045500", 1795841700},
      {"19700101000000", 0},
  };
  for (const auto& r : rows) {
    auto t = zk::parse_time(r.text, now);
    INFO(r.text);
    REQUIRE(t.has_value());
    CHECK(*t == r.want);
  }
  for (const char* bad : {"", "+", "+3x", "2026112804550", "20261328000000", "yesterday"}) {
    INFO(bad);
    auto t = zk::parse_time(bad, now);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == zk::Errc::Usage);
  }
  CHECK(zk::time_to_compact(1795841700) == "20261128045500");
  CHECK(zk::time_to_iso(0) == "1970-01-01T00:00:00Z");
  CHECK(*zk::parse_duration("90d") == 90 * 86400);
}
