// Diagnostics: errors stop at max_errors; warnings are all counted but only the first
// max_warnings by position are kept, whatever order threads report them in.
#include "dns/diagnostics.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace zk;

TEST_CASE("a flood of warnings keeps the first ones by position and counts the rest", "[dns]") {
  Diagnostics d(100, 10);
  const uint32_t file = d.add_file("z.zone");
  // Two threads, lines in opposite orders, 5000 warnings: far past the prune threshold.
  auto report = [&](bool up) {
    for (uint32_t i = 0; i < 2500; ++i) {
      const uint32_t line = up ? 2 * i + 1 : 5000 - 2 * i;
      d.warning(Error{Errc::OutOfZone, SourcePos{file, 0, line, 1}, "w" + std::to_string(line)});
    }
  };
  std::thread a(report, true), b(report, false);
  a.join();
  b.join();
  d.error(Error{Errc::Syntax, SourcePos{file, 0, 4000, 1}, "e"});
  CHECK(d.warning_count() == 5000);
  CHECK(d.error_count() == 1);
  CHECK(d.warnings_not_listed() == 4990);
  const auto v = d.sorted();
  REQUIRE(v.size() == 11);
  for (uint32_t i = 0; i < 10; ++i) {
    CHECK(v[i].severity == Severity::Warning);
    CHECK(v[i].error.where.line == i + 1);
  }
  CHECK(v[10].severity == Severity::Error);

  Diagnostics few;
  few.warning(Error{Errc::OutOfZone, SourcePos{}, "one"});
  CHECK(few.warnings_not_listed() == 0);
  CHECK(few.sorted().size() == 1);
}
