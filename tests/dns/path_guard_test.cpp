#include "dns/path_guard.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/zone_builder.hpp"

using zk::NamedPath;
using zk::OutputGuard;
using zk::test::TempDir;
using zk::test::write_file;

// Issue 11: outputs are compared with inputs, keys and state by device and inode, so another
// spelling, a symlink or a hard link of a protected file is refused too.
TEST_CASE("outputs that would replace an input or a key are refused", "[dns]") {
  TempDir t;
  ::mkdir(t.file("keys").c_str(), 0700);
  write_file(t.file("z.zone"), "zone");
  write_file(t.file("keys/K.private"), "key");
  ::symlink(t.file("z.zone").c_str(), t.file("link").c_str());
  ::link(t.file("z.zone").c_str(), t.file("hard").c_str());
  OutputGuard g;
  g.protect_file(t.file("z.zone"), "the zone file");
  g.protect_dir(t.file("keys"), "the key directory");
  g.protect_names([](std::string_view n) { return n == "zonekiln-state.json"; }, "the state");

  struct Row {
    std::string path;
    bool refused;
  };
  const Row rows[] = {
      {t.file("z.zone"), true},
      {t.path() + "/./z.zone", true},
      {t.file("keys/../z.zone"), true},
      {t.file("link"), true},
      {t.file("hard"), true},
      {t.file("keys/K.private"), true},
      {t.file("keys/../keys/new-file"), true},  // not there yet: its directory is the key dir
      {t.file("elsewhere/zonekiln-state.json"), true},
      {t.file("z.zone.signed"), false},
      {t.file("dsset-example.com."), false},
      {"-", false},
  };
  for (const Row& r : rows) {
    INFO(r.path);
    auto res = g.check(NamedPath{"--output", r.path});
    CHECK(res.has_value() != r.refused);
    if (!res) {
      CHECK(res.error().code == zk::Errc::Usage);
      CHECK(res.error().detail.find(r.path) != std::string::npos);
    }
  }
  auto two = g.check_all({{"--output", t.file("out")}, {"--ds-output", t.path() + "/./out"}});
  REQUIRE_FALSE(two.has_value());
  CHECK(two.error().detail.find("--output") != std::string::npos);
}
