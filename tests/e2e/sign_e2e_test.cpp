// End to end: build/zonekiln signs zones; ldns-verify-zone, dnssec-verify and kzonecheck must
// all accept the result.
#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/tools.hpp"

using namespace zk::test;

namespace {

void sign_and_validate(const std::string& zone, const std::string& origin, const std::string& alg,
                       const std::string& mode) {
  TempDir dir;
  make_keys(dir.keys(), origin, alg);
  const std::string out = dir.file("out.signed");
  std::string log;
  const int rc = run(zonekiln() + " sign " + zone_path(zone) + " --origin " + origin + " --keys " +
                         dir.keys() + " --output " + out + " " + mode + fixed_times(),
                     &log);
  INFO(zone << " " << alg << " " << mode << "\n" << log);
  REQUIRE(rc == 0);
  CHECK(std::filesystem::exists(dir.file("dsset-" + origin)));
  const Validation v = validate(out, origin);
  INFO(v.log);
  CHECK(v.ldns == 0);
  CHECK(v.bind == 0);
  CHECK(v.knot == 0);
}

}  // namespace

TEST_CASE("example.com signs and validates for every algorithm and denial mode", "[e2e][sign]") {
  ZK_NEED_TOOLS("dnssec-keygen", "ldns-verify-zone", "dnssec-verify", "kzonecheck");
  const std::string alg = GENERATE(as<std::string>{}, "RSASHA256", "ECDSAP256SHA256",
                                   "ECDSAP384SHA384", "ED25519", "ED448");
  const std::string mode = GENERATE(as<std::string>{}, "", "--nsec3", "--nsec3-opt-out");
  sign_and_validate("example.com.zone", "example.com.", alg, mode);
}

TEST_CASE("focused zones sign and validate (wildcard, ENT, delegations, DNAME, big TTL)",
          "[e2e][sign]") {
  ZK_NEED_TOOLS("dnssec-keygen", "ldns-verify-zone", "dnssec-verify", "kzonecheck");
  const std::string zone =
      GENERATE(as<std::string>{}, "wildcard", "ent", "delegations", "dname", "bigttl");
  const std::string mode = GENERATE(as<std::string>{}, "", "--nsec3", "--nsec3-opt-out",
                                    "--nsec3 --nsec3-iterations 5 --nsec3-salt cafe");
  const std::string alg = GENERATE(as<std::string>{}, "ECDSAP256SHA256", "ED25519");
  sign_and_validate(zone + ".example.zone", zone + ".example.", alg, mode);
}

TEST_CASE("signing twice with 1 and 4 threads gives the same bytes (Ed25519)", "[e2e][threads]") {
  ZK_NEED_TOOLS("dnssec-keygen");
  TempDir dir;
  make_keys(dir.keys(), "example.com.", "ED25519");
  const std::string common = zonekiln() + " sign " + zone_path("example.com.zone") +
                             " --origin example.com. --keys " + dir.keys() + fixed_times();
  for (const char* mode : {"", " --nsec3"}) {
    REQUIRE(run(common + mode + " --threads 1 --output " + dir.file("one")) == 0);
    REQUIRE(run(common + mode + " --threads 4 --output " + dir.file("four")) == 0);
    CHECK(read_file(dir.file("one")) == read_file(dir.file("four")));
  }
}

TEST_CASE("TTLs above --max-ttl are clamped, and no clamp with a 2^31-1 TTL is refused (exit 2)",
          "[e2e][ttl]") {
  ZK_NEED_TOOLS("dnssec-keygen");
  TempDir dir;
  make_keys(dir.keys(), "bigttl.example.", "ED25519");
  const std::string common = zonekiln() + " sign " + zone_path("bigttl.example.zone") +
                             " --origin bigttl.example. --keys " + dir.keys() + fixed_times();
  REQUIRE(run(common + " --output " + dir.file("a") + " --stats-json " + dir.file("a.json")) == 0);
  const std::string a = read_file(dir.file("a"));
  CHECK(a.find("\t2592000\t") == std::string::npos);
  CHECK(a.find("month.bigttl.example.\t604800\tIN\tTXT") != std::string::npos);
  CHECK(read_file(dir.file("a.json")).find("\"clamped_rrsets\": 2") != std::string::npos);
  // Without the clamp the zone's 2^31-1 TTL would outlive every signature: the timing check
  // refuses the run (lifecycle check_timing), and nothing is written.
  std::string log;
  CHECK(run(common + " --max-ttl 0 --output " + dir.file("b"), &log) == 2);
  CHECK(log.find("refresh window") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("b")));
}

TEST_CASE("key handling: KSK only creates a ZSK, --csk does not, no KSK exits 3", "[e2e][keys]") {
  ZK_NEED_TOOLS("dnssec-keygen", "ldns-verify-zone", "dnssec-verify", "kzonecheck");
  auto count_private = [](const std::string& d) {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(d)) {
      n += e.path().extension() == ".private";
    }
    return n;
  };
  SECTION("KSK only: a ZSK of the same algorithm is created and saved") {
    TempDir dir;
    make_keys(dir.keys(), "example.com.", "ECDSAP256SHA256", true);
    std::string log;
    REQUIRE(run(zonekiln() + " sign " + zone_path("example.com.zone") +
                    " --origin example.com. --keys " + dir.keys() + " --output " + dir.file("out") +
                    fixed_times(),
                &log) == 0);
    CHECK(log.find("created ZSK") != std::string::npos);
    CHECK(count_private(dir.keys()) == 2);
    const Validation v = validate(dir.file("out"), "example.com.");
    INFO(v.log);
    CHECK(v.ldns == 0);
    CHECK(v.bind == 0);
    CHECK(v.knot == 0);
  }
  SECTION("--csk signs everything with the KSK") {
    TempDir dir;
    make_keys(dir.keys(), "example.com.", "ED25519", true);
    REQUIRE(run(zonekiln() + " sign " + zone_path("example.com.zone") +
                " --origin example.com. --csk --keys " + dir.keys() + " --output " +
                dir.file("out") + fixed_times()) == 0);
    CHECK(count_private(dir.keys()) == 1);
    const Validation v = validate(dir.file("out"), "example.com.", true);
    INFO(v.log);
    CHECK(v.ldns == 0);
    CHECK(v.bind == 0);
    CHECK(v.knot == 0);
  }
  SECTION("no KSK: exit 3 and the message says how to make one") {
    TempDir dir;
    std::string log;
    CHECK(run(zonekiln() + " sign " + zone_path("example.com.zone") +
                  " --origin example.com. --keys " + dir.keys() + " --output " + dir.file("out"),
              &log) == 3);
    CHECK(log.find("zonekiln ksk add") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("out")));
  }
}

TEST_CASE("exit codes: bad zone data 1, bad usage 2, and the old output survives", "[e2e][cli]") {
  TempDir dir;
  write_file(dir.file("bad.zone"),
             "$ORIGIN bad.example.\n$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
             "www CNAME ns\nwww A 192.0.2.2\n");
  write_file(dir.file("out"), "previous\n");
  CHECK(run(zonekiln() + " compile " + dir.file("bad.zone") + " --origin bad.example. --output " +
            dir.file("out")) == 1);
  CHECK(read_file(dir.file("out")) == "previous\n");
  CHECK(run(zonekiln() + " compile") == 2);
  CHECK(run(zonekiln() + " sign " + dir.file("bad.zone") + " --origin bad.example. --keys " +
            dir.keys() + " --serial sometimes") == 2);
  CHECK(run(zonekiln() + " frobnicate") == 2);
}

TEST_CASE("strict mode (--strict) turns warnings into errors", "[e2e][cli]") {
  TempDir dir;
  // bigttl has an RRset whose TTLs differ: a warning, fatal under --strict.
  const std::string cmd = zonekiln() + " compile " + zone_path("bigttl.example.zone") +
                          " --origin bigttl.example. --output " + dir.file("out");
  CHECK(run(cmd) == 0);
  CHECK(run(cmd + " --strict") == 1);
}

TEST_CASE("re-signing a signed zone replaces the old DNSSEC records", "[e2e][sign]") {
  ZK_NEED_TOOLS("dnssec-keygen", "ldns-verify-zone", "dnssec-verify", "kzonecheck");
  TempDir dir;
  make_keys(dir.keys(), "example.com.", "ECDSAP256SHA256");
  const std::string first = dir.file("first");
  REQUIRE(run(zonekiln() + " sign " + zone_path("example.com.zone") +
              " --origin example.com. --keys " + dir.keys() + " --output " + first +
              fixed_times()) == 0);
  // Sign the signed zone again, now with NSEC3: old RRSIG/NSEC/DNSKEY/CDS must not survive.
  const std::string second = dir.file("second");
  std::string log;
  REQUIRE(run(zonekiln() + " sign " + first + " --nsec3 --origin example.com. --keys " +
                  dir.keys() + " --output " + second + fixed_times() + " --stats-json " +
                  dir.file("s.json"),
              &log) == 0);
  const std::string out = read_file(second);
  CHECK(out.find("\tNSEC\t") == std::string::npos);
  CHECK(read_file(dir.file("s.json")).find("\"dnssec_removed\": 0") == std::string::npos);
  const Validation v = validate(second, "example.com.");
  INFO(log << v.log);
  CHECK(v.ldns == 0);
  CHECK(v.bind == 0);
  CHECK(v.knot == 0);
}

TEST_CASE("two algorithms in the key dir: every RRset signed with both", "[e2e][sign]") {
  ZK_NEED_TOOLS("dnssec-keygen", "ldns-verify-zone", "dnssec-verify", "kzonecheck");
  TempDir dir;
  make_keys(dir.keys(), "example.com.", "ECDSAP256SHA256");
  make_keys(dir.keys(), "example.com.", "ED25519");
  const std::string out = dir.file("out");
  std::string log;
  REQUIRE(run(zonekiln() + " sign " + zone_path("example.com.zone") +
                  " --origin example.com. --keys " + dir.keys() + " --output " + out +
                  fixed_times(),
              &log) == 0);
  const Validation v = validate(out, "example.com.");
  INFO(log << v.log);
  CHECK(v.ldns == 0);
  CHECK(v.bind == 0);
  CHECK(v.knot == 0);
}
