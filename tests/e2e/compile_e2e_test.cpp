// End to end: `zonekiln compile` golden files and round trip through ldns-read-zone.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.hpp"

using namespace zk::test;

TEST_CASE("compile output matches the golden files", "[e2e][compile][golden]") {
  const std::string zone =
      GENERATE(as<std::string>{}, "wildcard", "ent", "delegations", "dname", "bigttl");
  TempDir dir;
  const std::string out = dir.file("out.zone");
  std::string log;
  REQUIRE(run(zonekiln() + " compile " + zone_path(zone + ".example.zone") + " --origin " + zone +
                  ".example. --output " + out,
              &log) == 0);
  const std::string expected_path =
      std::string(ZK_SOURCE_DIR) + "/testdata/expected/" + zone + ".example.zone";
  std::string diff;
  run("diff -u " + expected_path + " " + out, &diff);
  INFO(zone << "\n" << diff);
  CHECK(read_file(out) == read_file(expected_path));
}

TEST_CASE("compile keeps every record: ldns-read-zone -z of input and output agree",
          "[e2e][compile]") {
  const std::string zone = GENERATE(as<std::string>{}, "example.com", "wildcard.example",
                                    "ent.example", "delegations.example", "dname.example");
  TempDir dir;
  const std::string origin = zone + ".";
  REQUIRE(run(zonekiln() + " compile " + zone_path(zone + ".zone") + " --origin " + origin +
              " --output " + dir.file("out")) == 0);
  REQUIRE(run("ldns-read-zone -z " + zone_path(zone + ".zone") + " > " + dir.file("a")) == 0);
  REQUIRE(run("ldns-read-zone -z " + dir.file("out") + " > " + dir.file("b")) == 0);
  std::string diff;
  run("diff -u " + dir.file("a") + " " + dir.file("b"), &diff);
  INFO(diff);
  CHECK(read_file(dir.file("a")) == read_file(dir.file("b")));
}
