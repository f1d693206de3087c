// RSASHA1 (5) and RSASHA1-NSEC3-SHA1 (7): RFC 8624 s3.1 says NOT RECOMMENDED for signing (not
// MUST NOT). zonekiln makes and uses such keys only with --allow-deprecated-algorithm (keygen,
// ksk add, sign); without it the refusal names the flag (exit 2) and nothing is written. What
// it signs under the flag validates with ldns-verify-zone, dnssec-verify and kzonecheck. RFC
// 5155 s2: NSEC3 with RSA/SHA-1 is algorithm 7; algorithm 5 signs NSEC zones only.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/tools.hpp"

namespace {

using zk::test::run;

const std::string kOrigin = "example.com.";
const std::string kFlag = "--allow-deprecated-algorithm";
const char* kZone =
    "$TTL 3600\n"
    "example.com. IN SOA ns.example.com. host.example.com. 1 3600 900 604800 300\n"
    "example.com. IN NS ns.example.com.\n"
    "ns.example.com. IN A 192.0.2.1\n"
    "www.example.com. IN A 192.0.2.2\n"
    "sub.example.com. IN NS ns.other.net.\n";

}  // namespace

TEST_CASE("RSASHA1 with NSEC and RSASHA1-NSEC3-SHA1 with NSEC3 sign only when allowed and validate",
          "[e2e][sign][keys]") {
  if (!zk::test::need_tools({"ldns-verify-zone", "dnssec-verify", "kzonecheck"})) return;
  struct Case {
    const char* algorithm;
    const char* number;
    const char* chain;  // sign options for the denial mode
  };
  for (const Case c : {Case{"RSASHA1", "5", ""}, Case{"RSASHA1-NSEC3-SHA1", "7", " --nsec3"}}) {
    INFO(c.algorithm);
    zk::test::TempDir dir;
    zk::test::write_file(dir.file("z.zone"), kZone);
    const std::string keys = dir.file("keys");
    const std::string keygen = zk::test::zonekiln() + " keygen --origin " + kOrigin + " --keys " +
                               keys + " --ksk --algorithm " + c.algorithm;
    std::string log;
    CHECK(run(keygen, &log) == 2);
    CHECK(log.find(kFlag) != std::string::npos);
    CHECK(log.find("RFC 8624") != std::string::npos);
    REQUIRE(run(keygen + " " + kFlag, &log) == 0);

    // The key pair is there; signing with it (zonekiln makes the ZSK of the same algorithm)
    // still needs the flag. Signed at the clock: dnssec-verify has no time option.
    const std::string out = dir.file("signed.zone");
    const std::string sign = zk::test::zonekiln() + " sign " + dir.file("z.zone") + " --origin " +
                             kOrigin + " --keys " + keys + c.chain + " -o " + out;
    CHECK(run(sign, &log) == 2);
    CHECK(log.find(kFlag) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
    REQUIRE(run(sign + " " + kFlag, &log) == 0);
    INFO(log);
    const std::string text = zk::test::read_file(out);
    CHECK(text.find("DNSKEY\t257 3 " + std::string(c.number) + " ") != std::string::npos);
    CHECK(text.find("DNSKEY\t256 3 " + std::string(c.number) + " ") != std::string::npos);
    CHECK(text.find(std::string(c.chain).empty() ? "\tNSEC\t" : "\tNSEC3\t") != std::string::npos);
    CHECK(run(zk::test::zonekiln() + " verify " + out + " --origin " + kOrigin, &log) == 0);
    CHECK(run("ldns-verify-zone " + out, &log) == 0);
    CHECK(run("dnssec-verify -o " + kOrigin + " " + out, &log) == 0);
    CHECK(run("kzonecheck -d on -o " + kOrigin + " " + out, &log) == 0);

    // The next run without the flag is refused while the key is in the zone's key set.
    CHECK(run(sign, &log) == 2);
    CHECK(log.find(kFlag) != std::string::npos);
  }
}

TEST_CASE("RSASHA1 keys do not sign NSEC3 zones (RFC 5155 s2)", "[e2e][sign][keys]") {
  zk::test::TempDir dir;
  zk::test::write_file(dir.file("z.zone"), kZone);
  const std::string keys = dir.file("keys");
  std::string log;
  REQUIRE(run(zk::test::zonekiln() + " keygen --origin " + kOrigin + " --keys " + keys +
                  " --ksk --algorithm RSASHA1 " + kFlag,
              &log) == 0);
  CHECK(run(zk::test::zonekiln() + " sign " + dir.file("z.zone") + " --origin " + kOrigin +
                " --keys " + keys + " --nsec3 " + kFlag + " -o " + dir.file("signed.zone"),
            &log) == 2);
  CHECK(log.find("RFC 5155") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("signed.zone")));
}

TEST_CASE("ksk add generating an algorithm 7 KSK needs the deprecated-algorithm flag",
          "[e2e][keys]") {
  zk::test::TempDir dir;
  const std::string add = zk::test::zonekiln() + " ksk add --origin " + kOrigin + " --keys " +
                          dir.path() + " --generate --algorithm RSASHA1-NSEC3-SHA1";
  std::string log;
  CHECK(run(add, &log) == 2);
  CHECK(log.find(kFlag) != std::string::npos);
  CHECK(run(add + " " + kFlag, &log) == 0);
  INFO(log);
  CHECK(log.find("added KSK") != std::string::npos);
}
