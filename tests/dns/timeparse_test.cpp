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

// Issue 13: one strict parser; a date that does not exist is refused, never normalised into
// another one (20260001000000 used to become 2025-12-01 in the CLI's own parser).
TEST_CASE("times that are no date are refused", "[dns]") {
  for (const char* bad :
       {"20260001000000", "20260100000000", "20260431000000", "20270229000000", "20260101240000",
        "20260101006000", "20260101000060", "1234567890123", "now+1d", "+-3d", "+1d-2h"}) {
    INFO(bad);
    auto t = zk::parse_time(bad, 1'800'000'000);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().code == zk::Errc::Usage);
  }
  CHECK(*zk::parse_time("20280229000000", 0) == *zk::parse_time("20280228000000", 0) + 86400);
  CHECK(*zk::parse_compact_time("21060207062815") == zk::kMaxFieldTime);
  CHECK_FALSE(zk::parse_compact_time("1700000000").has_value());
}

TEST_CASE("durations: one reader for every subcommand", "[dns]") {
  struct Row {
    const char* text;
    int64_t want;
  };
  for (const Row& r : {Row{"3600", 3600}, Row{"1w2d", 9 * 86400}, Row{"12h", 43200},
                       Row{"1d1h1m1s", 90061}, Row{"90D", 90 * 86400}}) {
    INFO(r.text);
    auto d = zk::parse_duration(r.text);
    REQUIRE(d.has_value());
    CHECK(*d == r.want);
  }
  for (const char* bad : {"", "+1d", "-1d", "1x", "d", "1d2", "99999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(zk::parse_duration(bad).has_value());
  }
}

// RFC 4034 s3.1.5: a time more than 2^31-1 s from the reference, before 1970 or after 2106
// cannot be placed unambiguously by a validator.
TEST_CASE("times RRSIG serial-number fields cannot hold", "[dns]") {
  const int64_t clock = 1'780'000'000;  // 2026-05-28
  CHECK(zk::check_serial_time("t", clock, clock, "the clock").has_value());
  CHECK(zk::check_serial_time("t", clock + zk::kMaxSerialDistance, clock, "c").has_value());
  CHECK_FALSE(zk::check_serial_time("t", clock + zk::kMaxSerialDistance + 1, clock, "c"));
  CHECK(zk::check_serial_time("t", 0, 100, "c").has_value());
  auto before = zk::check_serial_time("the inception", -3600, clock, "the clock");
  REQUIRE_FALSE(before.has_value());
  CHECK(before.error().code == zk::Errc::Usage);
  CHECK(before.error().detail.find("before 1970") != std::string::npos);
  auto after = zk::check_serial_time("--now +36500d", clock + 36500LL * 86400, clock, "the clock");
  REQUIRE_FALSE(after.has_value());
  CHECK(after.error().detail.find("after 2106") != std::string::npos);
  auto far = zk::check_serial_time(
      "--now x",
      clock + 70LL * 365 * 86400 - 10LL * 365 * 86400 + zk::kMaxSerialDistance - 60LL * 365 * 86400,
      clock - 10LL * 365 * 86400, "the clock");
  REQUIRE_FALSE(far.has_value());
  CHECK(far.error().detail.find("68 years") != std::string::npos);
}
