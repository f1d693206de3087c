// $INCLUDE reads only below the zone file's directory unless --include-dir allows more
// (a zone file must not be a way to read /etc/shadow).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_support.hpp"

using namespace zk::test;

TEST_CASE("$INCLUDE outside the zone's directory needs --include-dir", "[e2e][parser]") {
  TempDir dir;
  std::filesystem::create_directories(dir.file("zones"));
  std::filesystem::create_directories(dir.file("shared"));
  std::ofstream(dir.file("shared/mx.inc")) << "@ 3600 IN MX 10 mail.example.org.\n";
  std::ofstream(dir.file("zones/example.org.zone"))
      << "$TTL 3600\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n"
      << "$INCLUDE " << dir.file("shared/mx.inc") << "\n";
  const std::string base = zonekiln() + " compile " + dir.file("zones/example.org.zone") +
                           " --origin example.org --output " + dir.file("out");
  std::string log;
  CHECK(run(base, &log) == 1);
  CHECK(log.find("example.org.zone:5:") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("out")));
  REQUIRE(run(base + " --include-dir " + dir.file("shared"), &log) == 0);
  std::ifstream in(dir.file("out"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("example.org.\t3600\tIN\tMX\t10 mail.example.org.") != std::string::npos);
}
