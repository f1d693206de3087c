// --dnskey-signers ksk|all: who signs the DNSKEY RRset. With `all` every active key does (the
// ZSK too), as ldns-signzone -A does; Ed25519 is deterministic, so with the same keys, times
// and no jitter zonekiln's zone must equal ldns-signzone's, record for record.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <string>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/tools.hpp"

namespace {

using zk::test::run;

const std::string kOrigin = "example.com.";
const std::string kNow = "20260601000000";
const std::string kNowUnix = "1780272000";  // 2026-06-01T00:00:00Z
// SOA minimum 3600: zonekiln's DNSKEY TTL (SOA minimum, at most 3600) and ldns-signzone's agree.
const char* kZone =
    "$TTL 3600\n"
    "example.com. IN SOA ns.example.com. host.example.com. 1 3600 900 604800 3600\n"
    "example.com. IN NS ns.example.com.\n"
    "ns.example.com. IN A 192.0.2.1\n"
    "www.example.com. IN A 192.0.2.2\n"
    "www.example.com. IN TXT \"hello\"\n";

// Key tags of the RRSIGs over the apex DNSKEY RRset.
std::set<std::string> dnskey_signers(const std::string& zone_text) {
  std::set<std::string> tags;
  std::istringstream in(zone_text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string owner, ttl, cls, type, covered, alg, labels, ottl, exp, inc, tag;
    ls >> owner >> ttl >> cls >> type >> covered >> alg >> labels >> ottl >> exp >> inc >> tag;
    if (owner == kOrigin && type == "RRSIG" && covered == "DNSKEY") tags.insert(tag);
  }
  return tags;
}

std::string key_tag(const std::string& key_file_base) {
  const auto plus = key_file_base.rfind('+');
  return std::to_string(std::stoi(key_file_base.substr(plus + 1)));
}

// The zone as ldns-read-zone prints it, comments dropped, one RR per line, sorted.
std::string normalized(const std::string& zone) {
  std::string out;
  REQUIRE(run("ldns-read-zone " + zone +
                  " | grep -v '^;' | sed 's/;{.*}//' | awk '{$1=$1; print}' | sort > " + zone +
                  ".norm && true",
              &out) == 0);
  return zk::test::read_file(zone + ".norm");
}

}  // namespace

TEST_CASE(
    "dnskey-signers all signs the DNSKEY RRset with every active key as ldns-signzone -A does",
    "[e2e][sign]") {
  if (!zk::test::need_tools(
          {"dnssec-keygen", "ldns-signzone", "ldns-read-zone", "ldns-verify-zone", "kzonecheck"})) {
    return;
  }
  zk::test::TempDir dir;
  const std::string d = dir.path() + "/";
  zk::test::write_file(d + "z.zone", kZone);
  REQUIRE(run("mkdir " + d + "k") == 0);
  zk::test::make_keys(d + "k", kOrigin, "ED25519");
  std::string ksk, zsk;
  REQUIRE(run("grep -l 'key-signing key' " + d + "k/*.key", &ksk) == 0);
  REQUIRE(run("grep -l 'zone-signing key' " + d + "k/*.key", &zsk) == 0);
  ksk = key_tag(ksk.substr(0, ksk.find(".key")));
  zsk = key_tag(zsk.substr(0, zsk.find(".key")));

  const std::string keys = "$(ls " + d + "k/*.private | sed 's/.private$//')";
  const std::string times = " -i 20260101000000 -e 20371231000000 ";
  std::string log;
  REQUIRE(run("ldns-signzone -A" + times + "-f " + d + "ldns-all.zone " + d + "z.zone " + keys,
              &log) == 0);
  REQUIRE(run("ldns-signzone" + times + "-f " + d + "ldns-ksk.zone " + d + "z.zone " + keys,
              &log) == 0);

  for (const std::string mode : {"all", "ksk"}) {
    INFO("--dnskey-signers " << mode);
    const std::string out = d + "zk-" + mode + ".zone";
    // --no-cds and --sig-jitter 0: the same records and expirations as ldns-signzone makes.
    const int sign =
        run(zk::test::zonekiln() + " sign " + d + "z.zone --origin " + kOrigin + " --keys " + d +
                "k --dnskey-signers " + mode + " --no-cds --sig-jitter 0 --serial keep" +
                zk::test::fixed_times() + " -o " + out,
            &log);
    INFO(log);
    REQUIRE(sign == 0);
    const std::string text = zk::test::read_file(out);
    const std::set<std::string> want =
        mode == "all" ? std::set<std::string>{ksk, zsk} : std::set<std::string>{ksk};
    CHECK(dnskey_signers(text) == want);
    CHECK(run(zk::test::zonekiln() + " verify " + out + " --origin " + kOrigin + " --now " + kNow,
              &log) == 0);
    CHECK(run("ldns-verify-zone -t " + kNow + " " + out, &log) == 0);
    CHECK(run("kzonecheck -d on -t " + kNowUnix + " -o " + kOrigin + " " + out, &log) == 0);
    // Record for record what ldns-signzone made with the same keys and times.
    CHECK(normalized(out) == normalized(d + "ldns-" + mode + ".zone"));
  }
}

TEST_CASE("dnskey-signers with a bad value or with an SKR is a usage error", "[e2e][sign][cli]") {
  zk::test::TempDir dir;
  zk::test::write_file(dir.file("z.zone"), kZone);
  std::string log;
  CHECK(run(zk::test::zonekiln() + " sign " + dir.file("z.zone") + " --origin " + kOrigin +
                " --keys " + dir.path() + " --dnskey-signers zsk",
            &log) == 2);
  CHECK(run(zk::test::zonekiln() + " sign " + dir.file("z.zone") + " --origin " + kOrigin +
                " --keys " + dir.path() + " --dnskey-signers all --skr " + dir.file("none.skr"),
            &log) == 2);
  CHECK(log.find("--dnskey-signers all cannot be used with --skr") != std::string::npos);
}
