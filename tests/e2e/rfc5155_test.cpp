// RFC 5155 Appendix A: an ordinary owner name that is also an NSEC3 owner. In the RFC's zone
// 2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. holds an A RRset and is the NSEC3 owner for
// ns1.example. (salt aabbccdd, 12 iterations). `zonekiln verify` must accept the RFC's zone as
// ldns-verify-zone -t and kzonecheck do, and zonekiln's own signing of that data (same NSEC3
// parameters, so the same collision; also with a secure delegation at an NSEC3 owner name)
// must pass both its in-pass check and `zonekiln verify`, and the peers.
#include <catch2/catch.hpp>
#include <string>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/tools.hpp"

namespace {

using zk::test::run;

const std::string kDir = std::string(ZK_TESTDATA_DIR) + "/rfc-vectors/rfc5155/";

// A time inside the RFC's signatures (20051021000000 .. 20150420235959).
const std::string kRfcNow = "20100101000000";
const std::string kRfcNowUnix = "1262304000";
// A time inside fixed_times().
const std::string kNow = "20260601000000";
const std::string kNowUnix = "1780272000";

int zk_verify(const std::string& zone, const std::string& now, std::string* log) {
  return run(zk::test::zonekiln() + " verify " + zone + " --origin example. --now " + now, log);
}

}  // namespace

TEST_CASE(
    "RFC 5155 appendix A zone verifies inside its validity as ldns-verify-zone and kzonecheck say",
    "[e2e][verify][nsec3]") {
  if (!zk::test::need_tools({"ldns-verify-zone", "kzonecheck"})) return;
  const std::string zone = kDir + "example.signed.zone";
  std::string log;
  CHECK(zk_verify(zone, kRfcNow, &log) == 0);
  INFO(log);
  CHECK(log.find("12 NSEC3: 0 errors, 0 warnings; zone is valid") != std::string::npos);
  CHECK(run("ldns-verify-zone -t " + kRfcNow + " " + zone, &log) == 0);
  CHECK(run("kzonecheck -d on -t " + kRfcNowUnix + " -o example. " + zone, &log) == 0);
  // After the window: expired signatures, and nothing else.
  CHECK(zk_verify(zone, "20160101000000", &log) == 1);
  CHECK(log.find("[expired]") != std::string::npos);
  CHECK(log.find("nsec3") == std::string::npos);
  CHECK(log.find("bitmap") == std::string::npos);
}

TEST_CASE(
    "zonekiln signs RFC 5155 appendix A data with its NSEC3 parameters and verify and peers agree",
    "[e2e][sign][verify][nsec3]") {
  if (!zk::test::need_tools({"dnssec-keygen", "ldns-verify-zone", "kzonecheck"})) return;
  zk::test::TempDir dir;
  const std::string keys = dir.file("keys");
  REQUIRE(run("mkdir " + keys) == 0);
  zk::test::make_keys(keys, "example.", "ED25519");
  const std::string unsigned_zone = zk::test::read_file(kDir + "example.zone");
  // The RFC's data, and the same with a secure delegation at an NSEC3 owner name:
  // kohar7mbb8dc2ce8a9qvl8hon4k53uhi = H(2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.).
  const std::string delegation =
      "kohar7mbb8dc2ce8a9qvl8hon4k53uhi.example. 3600 IN NS ns.elsewhere.example.net.\n"
      "kohar7mbb8dc2ce8a9qvl8hon4k53uhi.example. 3600 IN DS 58470 5 1 "
      "3079f1593ebad6dc121e202a8b766a6a4837206c\n";
  zk::test::write_file(dir.file("rfc.zone"), unsigned_zone);
  zk::test::write_file(dir.file("deleg.zone"), unsigned_zone + delegation);
  for (const std::string z : {"rfc", "deleg"}) {
    INFO(z);
    const std::string out = dir.file(z + ".signed");
    std::string log;
    const int sign = run(zk::test::zonekiln() + " sign " + dir.file(z + ".zone") +
                             " --origin example. --keys " + keys +
                             " --nsec3 --nsec3-salt aabbccdd --nsec3-iterations 12"
                             " --nsec3-opt-out --serial keep --full" +
                             zk::test::fixed_times() + " -o " + out,
                         &log);
    INFO(log);
    REQUIRE(sign == 0);  // the in-pass check accepted it
    const std::string text = zk::test::read_file(out);
    // The collision is there: data and the NSEC3 of ns1.example. at one owner name.
    CHECK(text.find("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.\t3600\tIN\tA\t192.0.2.127") !=
          std::string::npos);
    CHECK(text.find("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.\t3600\tIN\tNSEC3\t1 1 12 "
                    "AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG") != std::string::npos);
    CHECK(zk_verify(out, kNow, &log) == 0);
    INFO(log);
    CHECK(run("ldns-verify-zone -t " + kNow + " " + out, &log) == 0);
    CHECK(run("kzonecheck -d on -t " + kNowUnix + " -o example. " + out, &log) == 0);
  }
}
