// What the operator sees from build/zonekiln: typo messages, next-step hints that run as
// printed, DS output, exit codes and metrics of runs that cannot finish, serial continuity
// across `unsign`. Only zonekiln itself is run (keys from `ksk add --generate`), at fixed times.
#include <catch2/catch.hpp>
#include <regex>

#include "tests/e2e/e2e_support.hpp"
#include "tests/support/tools.hpp"

using namespace zk::test;

namespace {

const std::string kOrigin = "example.com.";

std::string q(const std::string& s) { return "'" + s + "'"; }

std::string bin_dir() {
  const std::string b = zonekiln();
  return b.substr(0, b.rfind('/'));
}

// A zone and a key directory whose path has a space (hints must quote it).
struct Site {
  TempDir tmp;
  std::string keys = tmp.file("key dir");
  std::string zone = tmp.file("zone");
  std::string out = tmp.file("zone.signed");
  std::string metrics = tmp.file("m.prom");
  Site() {
    write_file(zone, read_file(zone_path("example.com.zone")));
    std::string log;
    REQUIRE(run(zk_cmd("ksk add", "--generate --now 20270101000000"), &log) == 0);
    INFO(log);
    const auto m = match(log, "KSK ([0-9]+) ");
    ksk_tag = m[1];
    REQUIRE(run(zk_cmd("ksk activate", "--tag " + ksk_tag + " --now 20270101000000")) == 0);
  }
  std::string zk_cmd(const std::string& sub, const std::string& args) const {
    return zonekiln() + " " + sub + " --origin " + kOrigin + " --keys " + q(keys) + " " + args;
  }
  int sign(const std::string& now, std::string* log = nullptr) const {
    return run(zonekiln() + " sign " + q(zone) + " --origin " + kOrigin + " --keys " + q(keys) +
                   " --output " + q(out) + " --metrics-file " + q(metrics) + " --now " + now,
               log);
  }
  // The groups of the first match of re in text (REQUIREd to match).
  static std::vector<std::string> match(const std::string& text, const std::string& re) {
    std::smatch m;
    REQUIRE(std::regex_search(text, m, std::regex(re)));
    return std::vector<std::string>(m.begin(), m.end());
  }
  std::string ksk_tag;
};

std::string metric(const std::string& prom, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(prom, m, std::regex(name + "\\{[^}]*\\} ([0-9]+)"))) return "";
  return m[1];
}

uint32_t soa_serial(const std::string& zone_text) {
  std::smatch m;
  REQUIRE(std::regex_search(zone_text, m, std::regex("SOA\\s+\\S+\\s+\\S+\\s+\\(?\\s*([0-9]+)")));
  return static_cast<uint32_t>(std::stoul(m[1]));
}

}  // namespace

TEST_CASE("a typo is named with the closest valid word", "[e2e][cli]") {
  struct Case {
    std::string args;
    std::vector<std::string> said;
  };
  const Case cases[] = {
      {"sing z --origin example.com --keys k", {"unknown subcommand 'sing'", "'sign'"}},
      {"sign z --origin example.com --key k", {"has no option '--key'", "'--keys'"}},
      {"ksk ds-sen --origin example.com --keys k --tag 1", {"'ds-sen'", "'ds-seen'"}},
      {"status --origin example.com --keys k --sigend f", {"'--sigend'", "'--signed'"}},
      {"sign z --origin ripe.net.. --keys k",
       {"bad --origin 'ripe.net..'", "two dots in a row after 'ripe.net.'"}},
      {"ksk list --origin a..b --keys k", {"two dots in a row after 'a.'"}},
      {"ds --origin .example --keys k", {"starts with a dot"}},
  };
  for (const auto& c : cases) {
    std::string log;
    const int rc = run(zonekiln() + " " + c.args, &log);
    INFO(c.args << "\n" << log);
    CHECK(rc == 2);
    for (const auto& s : c.said) CHECK(log.find(s) != std::string::npos);
  }
  std::string log;
  CHECK(run(zonekiln() + " frobnicate", &log) == 2);
  CHECK(log.find("unknown subcommand 'frobnicate'") != std::string::npos);
  CHECK(log.find("did you mean") == std::string::npos);  // nothing is near
}

TEST_CASE("next-step hints are whole commands that run as printed", "[e2e][cli]") {
  Site s;
  std::string log;
  REQUIRE(s.sign("20270101000000", &log) == 0);
  REQUIRE(run(s.zk_cmd("status", "--now 20270102000000"), &log) == 0);
  INFO(log);
  // "... then run `zonekiln ksk ds-seen --origin example.com. --keys '/tmp/.../key dir' --tag N`"
  const auto m = Site::match(log, "`(zonekiln ksk ds-seen [^`]*)`");
  const std::string hint = m[1];
  CHECK(hint.find("--keys '" + s.keys + "'") != std::string::npos);
  CHECK(hint.find("--tag " + s.ksk_tag) != std::string::npos);
  // Pasted into a shell (from another directory) it does what it says.
  std::string out;
  REQUIRE(run("cd / && PATH=" + q(bin_dir()) + ":$PATH " + hint + " --now 20270102000000", &out) ==
          0);
  REQUIRE(run(s.zk_cmd("ksk list", ""), &out) == 0);
  CHECK(out.find("ds-seen:2027-01-02") != std::string::npos);
}

TEST_CASE("ksk add and ds --tag print DS records and ds agrees with the dsset- file",
          "[e2e][cli]") {
  Site s;
  REQUIRE(s.sign("20270101000000") == 0);
  const std::string dsset = read_file(s.tmp.file("dsset-example.com."));
  std::string ds;
  REQUIRE(run("(" + s.zk_cmd("ds", "") + " 2>/dev/null)", &ds) == 0);
  INFO(dsset << ds);
  CHECK(ds == dsset);  // same records, same TTL (the DNSKEY TTL: SOA minimum 300 here)
  CHECK(ds.find("\t300\tIN\tDS\t" + s.ksk_tag + " 13 2 ") != std::string::npos);

  std::string added;
  REQUIRE(run(s.zk_cmd("ksk add", "--generate --now 20270102000000"), &added) == 0);
  INFO(added);
  const auto m = Site::match(added, "\n(example\\.com\\.\t300\tIN\tDS\t([0-9]+) 13 2 [0-9A-F]+\n)");
  const std::string new_ds = m[1], new_tag = m[2];
  CHECK(new_tag != s.ksk_tag);
  std::string one;
  REQUIRE(run("(" + s.zk_cmd("ds", "--tag " + new_tag) + " 2>/dev/null)", &one) == 0);
  CHECK(one == new_ds);
  REQUIRE(run("(" + s.zk_cmd("ds", "--tag " + new_tag + " --digest 2,4") + " 2>/dev/null)", &one) ==
          0);
  CHECK(one.find(new_ds) == 0);
  CHECK(one.find(" 13 4 ") != std::string::npos);
  std::string err;
  CHECK(run(s.zk_cmd("ds", "--tag 1"), &err) == 2);
  CHECK(err.find("no KSK with tag 1") != std::string::npos);
}

TEST_CASE("exit 3 leaves the last success alone and expired signatures are exit 4",
          "[e2e][cli][metrics]") {
  Site s;
  REQUIRE(s.sign("20270101000000") == 0);
  std::string prom = read_file(s.metrics);
  const std::string first_success = metric(prom, "zonekiln_last_success_timestamp_seconds");
  CHECK(first_success == "1798761600");
  CHECK(metric(prom, "zonekiln_last_exit_code") == "0");

  // The owner's KSK file disappears: exit 3, the zone stays published as it was.
  const std::string priv = s.keys + "/Kexample.com.+013+" + std::string(5 - s.ksk_tag.size(), '0') +
                           s.ksk_tag + ".private";
  REQUIRE(std::rename(priv.c_str(), s.tmp.file("lost").c_str()) == 0);
  std::string log;
  CHECK(s.sign("20270103000000", &log) == 3);
  prom = read_file(s.metrics);
  INFO(log << prom);
  CHECK(metric(prom, "zonekiln_last_exit_code") == "3");
  CHECK(metric(prom, "zonekiln_last_success_timestamp_seconds") == first_success);
  CHECK(metric(prom, "zonekiln_internal_failure") == "0");
  std::string status;
  CHECK(run(s.zk_cmd("status", "--now 20270103000000 --signed " + q(s.out)), &status) == 3);

  // Weeks later the published signatures have expired and no run can re-sign: exit 4 from
  // both status and sign, saying why a run cannot help.
  CHECK(run(s.zk_cmd("status", "--now 20270120000000 --signed " + q(s.out)), &status) == 4);
  CHECK(status.find("signatures expired already") != std::string::npos);
  CHECK(status.find("a sign run cannot re-sign the zone until this is fixed") != std::string::npos);
  CHECK(status.find("run your scheduled sign command now") == std::string::npos);
  CHECK(s.sign("20270120000000", &log) == 4);
  CHECK(log.find("has expired signatures") != std::string::npos);
  prom = read_file(s.metrics);
  CHECK(metric(prom, "zonekiln_last_exit_code") == "4");
  CHECK(metric(prom, "zonekiln_internal_failure") == "1");
  CHECK(metric(prom, "zonekiln_last_success_timestamp_seconds") == first_success);

  // The key comes back: the run succeeds and the success moves.
  REQUIRE(std::rename(s.tmp.file("lost").c_str(), priv.c_str()) == 0);
  CHECK(s.sign("20270121000000", &log) == 0);
  prom = read_file(s.metrics);
  CHECK(metric(prom, "zonekiln_last_success_timestamp_seconds") == "1800489600");
  CHECK(metric(prom, "zonekiln_last_exit_code") == "0");
}

TEST_CASE("unsign and a later sign continue the serial last published", "[e2e][cli][serial]") {
  Site s;
  REQUIRE(s.sign("20270101000000") == 0);
  const uint32_t source = soa_serial(read_file(s.zone));
  // Changes on later nights move the published serial ahead of the source file's.
  for (const char* night : {"20270102000000", "20270103000000", "20270104000000"}) {
    write_file(s.zone, read_file(s.zone) + "n" + std::string(night) + " IN TXT \"x\"\n");
    REQUIRE(s.sign(night) == 0);
  }
  REQUIRE(run(s.zk_cmd("ksk ds-seen", "--tag " + s.ksk_tag + " --now 20270104000000")) == 0);
  CHECK(run("cd / && " + zonekiln() + " unsign " + q(s.out) + " --origin " + kOrigin + " --keys " +
            q(s.keys) + " --now 20270105000000") == 3);
  REQUIRE(s.sign("20270105010000") == 0);  // publishes the delete records
  const uint32_t published = soa_serial(read_file(s.out));
  CHECK(published == source + 5);
  CHECK(run(s.zk_cmd("unsign " + q(s.zone), "--parent-ds-removed --now 20270106000000")) == 3);
  std::string log;
  REQUIRE(run(s.zk_cmd("unsign " + q(s.zone),
                       "--output " + q(s.tmp.file("unsigned")) + " --now 20270108000000"),
              &log) == 0);
  INFO(log);
  const std::string unsigned_text = read_file(s.tmp.file("unsigned"));
  CHECK(soa_serial(unsigned_text) == published + 1);  // RFC 1982: newer than the last signed
  CHECK(unsigned_text.find("RRSIG") == std::string::npos);
  CHECK(unsigned_text.find("; serial") != std::string::npos);  // the rest byte for byte

  // Signing again later: newer than the unsigned zone, though the previous signed output and
  // the source file are both older.
  REQUIRE(run(s.zk_cmd("ksk activate", "--tag " + s.ksk_tag + " --now 20270110000000")) == 0);
  REQUIRE(s.sign("20270110010000") == 0);
  CHECK(soa_serial(read_file(s.out)) == published + 2);
}

TEST_CASE("on a terminal: names done, rate and time left, key notes when they happen",
          "[e2e][cli][progress]") {
  if (!need_tools({"script"})) return;
  Site s;
  std::string zone = read_file(s.zone);
  for (int i = 0; i < 3000; ++i) zone += "h" + std::to_string(i) + " IN A 192.0.2.7\n";
  write_file(s.zone, zone);
  // script runs the command on a pseudo-terminal, as a person at a shell would see it.
  const std::string sign = zonekiln() + " sign " + q(s.zone) + " --origin example.com. --keys " +
                           q(s.keys) + " --now 20270101000000";
  std::string log;
  REQUIRE(run("ZK_TEST_PROGRESS=1 script -qec \"" + sign + "\" /dev/null", &log) == 0);
  INFO(log);
  const size_t note = log.find("zonekiln: note: key: created ZSK");
  const size_t bar = log.find("zonekiln: sign+verify+write [");
  REQUIRE(note != std::string::npos);
  REQUIRE(bar != std::string::npos);
  CHECK(note < bar);  // the key event is printed before the signing pass, not after the run
  CHECK(std::regex_search(log, std::regex("[0-9]+/30[0-9][0-9] names [0-9]+/s ETA [0-9]")));
  CHECK(std::regex_search(log, std::regex("100% 30[0-9][0-9]/30[0-9][0-9] names")));
  CHECK(log.find("zonekiln: signed example.com.") != std::string::npos);
  // Not a terminal (cron, pipes): no progress line, the same notes.
  REQUIRE(run(sign + " --output " + q(s.tmp.file("again")), &log) == 0);
  CHECK(log.find("sign+verify+write [") == std::string::npos);
}
