// End to end: zones of other classes, names with every legal octet, the newer RR types and the
// CDS/CDNSKEY check, through `zonekiln compile` and against BIND, ldns and NSD.
#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <vector>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/tools.hpp"

using namespace zk::test;

namespace {

// The lines of a zone dump with runs of blanks made one space, sorted: the form in which
// zonekiln's and a peer's output of the same zone are compared.
std::vector<std::string> normalized_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ';') continue;
    std::string n;
    for (char c : line) {
      const bool blank = c == ' ' || c == '\t';
      if (blank && (n.empty() || n.back() == ' ')) continue;
      n.push_back(blank ? ' ' : c);
    }
    while (!n.empty() && n.back() == ' ') n.pop_back();
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

// zonekiln compile's output and named-checkzone -D's dump of the same file, record by record.
// The whole of the calling test: nothing is checked when BIND is missing (a visible skip).
void check_against_bind(const std::string& zone_text, const std::string& origin,
                        const std::string& bind_class) {
  if (!zk::test::need_tools({"named-checkzone"})) return;
  TempDir dir;
  const std::string in = dir.file("in.zone");
  write_file(in, zone_text);
  std::string log;
  REQUIRE(run(zonekiln() + " compile " + in + " --origin " + origin + " --output " +
                  dir.file("zk.zone"),
              &log) == 0);
  std::string bind_log;
  REQUIRE(run("named-checkzone -q -c " + bind_class + " -D -o " + dir.file("bind.zone") + " " +
                  origin + " " + in,
              &bind_log) == 0);
  // And BIND reads zonekiln's output back to the same records.
  REQUIRE(run("named-checkzone -q -c " + bind_class + " -D -o " + dir.file("bind2.zone") + " " +
                  origin + " " + dir.file("zk.zone"),
              &bind_log) == 0);
  const auto ours = normalized_lines(read_file(dir.file("zk.zone")));
  const auto bind = normalized_lines(read_file(dir.file("bind.zone")));
  INFO("zonekiln:\n" << joined(ours) << "BIND:\n" << joined(bind));
  CHECK(ours == bind);
  CHECK(normalized_lines(read_file(dir.file("bind2.zone"))) == bind);
}

}  // namespace

TEST_CASE("a CH zone compiles and agrees with named-checkzone -c CH", "[e2e][class]") {
  check_against_bind(
      "$TTL 0\n"
      "@ CH SOA @ hostmaster.version.bind. 1 28800 7200 604800 86400\n"
      "@ CH NS @\n"
      "version CH TXT \"9.9.9\"\n"
      "hostname CH TXT \"ns1\"\n"
      "host CH A host.chaos. 177\n",
      "version.bind.", "CH");
}

TEST_CASE("an HS and a CLASSnn zone compile and agree with named-checkzone", "[e2e][class]") {
  check_against_bind(
      "$TTL 300\n@ HS SOA ns hm 1 2 3 4 5\n@ HS NS ns\nns HS A 192.0.2.1\n"
      "x HS TXT \"UNIX-passwd\"\ny HS SRV \\# 9 000000010001014100\n",
      "hs.example.", "HS");
  check_against_bind(
      "$TTL 300\n@ CLASS7 SOA ns hm 1 2 3 4 5\n@ CLASS7 NS ns\n"
      "ns CLASS7 A \\# 4 C0000201\nt CLASS7 TXT x\n",
      "c7.example.", "CLASS7");
}

const std::string kOddNames =
    "$ORIGIN example.\n$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
    "a=b TXT x\nc!d TXT x\ne#f TXT x\ng@h TXT x\n@x TXT x\ni&j,k TXT x\n"
    "h\xC3\xA9llo TXT x\nt\x01u TXT x\n";

TEST_CASE("owner names with every legal octet compile", "[e2e][names]") {
  TempDir dir;
  write_file(dir.file("in.zone"), kOddNames);
  REQUIRE(run(zonekiln() + " compile " + dir.file("in.zone") + " --origin example. --output " +
              dir.file("zk.zone")) == 0);
  const std::string out = read_file(dir.file("zk.zone"));
  CHECK(out.find("a\\=b.example.\t") != std::string::npos);
  CHECK(out.find("\\@x.example.\t") != std::string::npos);
  CHECK(out.find("h\\195\\169llo.example.\t") != std::string::npos);
  CHECK(out.find("t\\001u.example.\t") != std::string::npos);
}

TEST_CASE("owner names with every legal octet agree with named-checkzone", "[e2e][names]") {
  // BIND prints "a=b" where zonekiln prints "a\=b" (both RFC 1035 s5.1; ours also reads back in
  // Knot): compared after BIND has read both files, which normalizes the escapes.
  if (!zk::test::need_tools({"named-checkzone"})) return;
  TempDir dir;
  write_file(dir.file("in.zone"), kOddNames);
  REQUIRE(run(zonekiln() + " compile " + dir.file("in.zone") + " --origin example. --output " +
              dir.file("zk.zone")) == 0);
  REQUIRE(run("named-checkzone -q -D -o " + dir.file("a") + " example. " + dir.file("in.zone")) ==
          0);
  REQUIRE(run("named-checkzone -q -D -o " + dir.file("b") + " example. " + dir.file("zk.zone")) ==
          0);
  CHECK(normalized_lines(read_file(dir.file("a"))) == normalized_lines(read_file(dir.file("b"))));
}

TEST_CASE("a UTF-8 byte order mark fails compile with its own message", "[e2e][names]") {
  TempDir dir;
  write_file(dir.file("in.zone"),
             "\xEF\xBB\xBF$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n");
  std::string log;
  CHECK(run(zonekiln() + " compile " + dir.file("in.zone") + " --origin example. --output " +
                dir.file("out"),
            &log) == 1);
  INFO(log);
  CHECK(log.find("in.zone:1:1: error: file starts with a UTF-8 byte order mark") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("out")));
}

TEST_CASE("SINK, HHIT, BRID and the newer types print as BIND prints them", "[e2e][types]") {
  check_against_bind(
      "$ORIGIN example.\n$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
      "s1 SINK 8 0 2 l4ik\ns2 SINK 1 0 0\n"
      "d HHIT AAECAwQFBgcICQoLDA0ODw==\nd BRID AAECAwQFBgcICQoLDA0ODw==\n"
      "_dsync DSYNC CDS NOTIFY 5359 cds-scanner.example.net.\n"
      "r RESINFO qnamemin exterr=15,16,17\nw WALLET \"BTC\" \"bc1q\"\n"
      "g TYPE65534 \\# 2 ABCD\nn NULL \\# 3 010203\n",
      "example.", "IN");
}

TEST_CASE("IPN and CLA print as NSD's rr-test expects", "[e2e][types]") {
  TempDir dir;
  write_file(dir.file("in.zone"),
             "$ORIGIN blaat.nl.\n$TTL 3600\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
             "@ IPN 100\n@ IPN 100.100\n@ IPN 10000000000000000000\n"
             "cla CLA CP-V4-V6 TCP-V6-V7\n");
  REQUIRE(run(zonekiln() + " compile " + dir.file("in.zone") + " --origin blaat.nl. --output " +
              dir.file("zk.zone")) == 0);
  const std::string out = read_file(dir.file("zk.zone"));
  // rr-test.cmp_zone lines 50-52 and 67 (testdata/peer-suites/nsd-tpkg/rr-test).
  for (const char* line :
       {"blaat.nl.\t3600\tIN\tIPN\t100\n", "blaat.nl.\t3600\tIN\tIPN\t429496729700\n",
        "blaat.nl.\t3600\tIN\tIPN\t10000000000000000000\n",
        "cla.blaat.nl.\t3600\tIN\tCLA\t\"CP-V4-V6\" \"TCP-V6-V7\"\n"}) {
    INFO(line << out);
    CHECK(out.find(line) != std::string::npos);
  }
  const std::string cmp =
      read_file(std::string(ZK_TESTDATA_DIR) + "/peer-suites/nsd-tpkg/rr-test/rr-test.cmp_zone");
  for (const char* want :
       {"IPN\t429496729700", "IPN\t10000000000000000000", "CLA\t\"CP-V4-V6\" \"TCP-V6-V7\""}) {
    CHECK(cmp.find(want) != std::string::npos);
  }
}

const std::string kChZone =
    "$TTL 300\n@ CH SOA @ hostmaster 1 28800 7200 604800 86400\n@ CH NS @\n"
    "version CH TXT \"9.9\"\n";

TEST_CASE("signing stays IN-only, and so do verify's DNSSEC checks", "[e2e][class]") {
  TempDir dir;
  write_file(dir.file("ch.zone"), kChZone);
  std::string log;
  CHECK(run(zonekiln() + " sign " + dir.file("ch.zone") + " --origin version.bind. --keys " +
                dir.path() + fixed_times(),
            &log) == 2);
  INFO(log);
  CHECK(log.find("signs class IN zones only; this zone is class CH") != std::string::npos);
  CHECK(run(zonekiln() + " verify " + dir.file("ch.zone") + " --origin version.bind.", &log) == 2);
}

// RFC 8976 s3.3.1: the digest is over the zone's records as they are, class CH included.
TEST_CASE("verify --zonemd-only checks a CH zone's ZONEMD made by ldns-signzone", "[e2e][class]") {
  if (!zk::test::need_tools({"ldns-signzone"})) return;
  TempDir dir;
  write_file(dir.file("ch.zone"), kChZone);
  std::string log;
  for (const char* hash : {"1", "2"}) {
    INFO("ZONEMD hash " << hash);
    REQUIRE(run("cd " + dir.path() + " && ldns-signzone -Z -z 1:" + hash + " -o version.bind. " +
                    dir.file("ch.zone"),
                &log) == 0);
    const std::string signed_zone = read_file(dir.file("ch.zone.signed"));
    REQUIRE(signed_zone.find("CH\tZONEMD") != std::string::npos);
    CHECK(run(zonekiln() + " verify --zonemd-only " + dir.file("ch.zone.signed") +
                  " --origin version.bind.",
              &log) == 0);
    INFO(log);
    // The same records in class IN have another digest: a CH zone read as IN would not verify.
    std::string as_in = signed_zone;
    for (size_t p; (p = as_in.find("\tCH\t")) != std::string::npos;) as_in.replace(p, 4, "\tIN\t");
    write_file(dir.file("as-in.zone"), as_in);
    CHECK(run(zonekiln() + " verify --zonemd-only " + dir.file("as-in.zone") +
                  " --origin version.bind.",
              &log) == 1);
  }
}

TEST_CASE("compile fails on named-checkzone's bad CDNSKEY case", "[e2e][cds]") {
  const std::string dir = std::string(ZK_TESTDATA_DIR) + "/peer-suites/bind9-checkzone/zones/";
  TempDir tmp;
  std::string log;
  CHECK(run(zonekiln() + " compile " + dir + "bad-cdnskey.db --origin example. --output " +
                tmp.file("out"),
            &log) == 1);
  INFO(log);
  CHECK(log.find("CDS/CDNSKEY consistency check failed") != std::string::npos);
  CHECK(run(zonekiln() + " compile " + dir + "good-cds.db --origin example. --output " +
            tmp.file("out")) == 0);
  CHECK(run(zonekiln() + " compile " + dir + "good-cdnskey.db --origin example. --output " +
            tmp.file("out")) == 0);
}

TEST_CASE("compile --class", "[e2e][class]") {
  TempDir dir;
  write_file(dir.file("z"), "$TTL 0\n@ SOA @ hm 1 2 3 4 5\n@ NS @\nx CH TXT a\n");
  std::string log;
  CHECK(run(zonekiln() + " compile " + dir.file("z") + " --origin version.bind. --output " +
                dir.file("o1"),
            &log) == 1);
  CHECK(log.find("class CH differs from the zone's class IN") != std::string::npos);
  CHECK(run(zonekiln() + " compile " + dir.file("z") + " --origin version.bind. --class CH " +
                "--output " + dir.file("o2"),
            &log) == 0);
  CHECK(read_file(dir.file("o2")).find("\tCH\tTXT\t\"a\"") != std::string::npos);
  CHECK(run(zonekiln() + " compile " + dir.file("z") + " --origin version.bind. --class ANY",
            &log) == 2);
}
