// `zonekiln sign --dry-run` and `--changes`: the plan without writing anything, checked against
// what the real run then does, and the JSON list of changed RRsets.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_support.hpp"

using namespace zk::test;
namespace fs = std::filesystem;

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

// Every file under dir with its size, modification time and content: what "nothing written"
// must leave exactly as it was (a lock file or temp file created and removed changes the dir's
// entries or mtime too, so the directories are listed with their mtimes as well).
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto t = fs::last_write_time(e.path()).time_since_epoch().count();
    std::string v = std::to_string(t);
    if (e.is_regular_file()) v += " " + std::to_string(e.file_size()) + " " + read_file(e.path());
    out[e.path().string()] = v;
  }
  const auto t = fs::last_write_time(dir).time_since_epoch().count();
  out[dir] = std::to_string(t);
  return out;
}

struct Site {
  TempDir tmp;
  std::string keys = tmp.file("keys"), zone = tmp.file("zone"), out = tmp.file("zone.signed");
  std::string tag;
  Site() {
    write_file(zone, read_file(zone_path("example.com.zone")));
    std::string log;
    REQUIRE(run(zk("ksk add") + " --generate --now 20270101000000", &log) == 0);
    const auto p = log.find("KSK ");
    tag = log.substr(p + 4, log.find(' ', p + 4) - p - 4);
    REQUIRE(run(zk("ksk activate") + " --tag " + tag + " --now 20270101000000") == 0);
  }
  std::string zk(const std::string& sub) const {
    return zonekiln() + " " + sub + " --origin example.com. --keys " + q(keys);
  }
  // sign with the given extra arguments; stdout+stderr in log.
  int sign(const std::string& now, const std::string& extra, std::string* log = nullptr) const {
    return run(zonekiln() + " sign " + q(zone) + " --origin example.com. --keys " + q(keys) +
                   " --output " + q(out) + " --zsk-lifetime 30d --metrics-file " +
                   q(tmp.file("m.prom")) + " --now " + now + " " + extra,
               log);
  }
};

nlohmann::json stats_of(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

// Runs the dry run, checks that nothing changed on disk, then the real run, and checks that
// the dry run said what the real run did.
void dry_then_real(const Site& s, const std::string& now, int want_exit) {
  INFO("night " << now);
  const auto before = snapshot(s.tmp.path());
  TempDir elsewhere;
  std::string plan;
  const int dry = s.sign(now, "--dry-run --changes " + q(elsewhere.file("changes.json")), &plan);
  INFO(plan);
  CHECK(dry == want_exit);
  CHECK(snapshot(s.tmp.path()) == before);
  CHECK(plan.find("nothing was written") != std::string::npos);

  std::string log;
  const int real = s.sign(now, "--stats-json " + q(elsewhere.file("stats.json")), &log);
  INFO(log);
  CHECK(real == want_exit);
  if (real != 0) return;
  const auto st = stats_of(elsewhere.file("stats.json"));
  if (st["unchanged"].get<bool>()) {
    CHECK(plan.find("the output would be left untouched") != std::string::npos);
    return;
  }
  CHECK(plan.find("would sign " + std::to_string(st["rrsets_signed"].get<uint64_t>()) + " anew") !=
        std::string::npos);
  CHECK(plan.find("keep the RRSIGs of " + std::to_string(st["rrsets_reused"].get<uint64_t>())) !=
        std::string::npos);
  CHECK(plan.find("serial: " + std::to_string(st["serial_old"].get<uint32_t>()) + " -> " +
                  std::to_string(st["serial_new"].get<uint32_t>())) != std::string::npos);
}

}  // namespace

TEST_CASE("sign --dry-run writes nothing and says what the real run does", "[e2e][dryrun]") {
  Site s;
  // First run: everything is new, the ZSK would be created (in memory only).
  {
    const auto before = snapshot(s.tmp.path());
    std::string plan;
    REQUIRE(s.sign("20270101000000", "--dry-run", &plan) == 0);
    INFO(plan);
    CHECK(snapshot(s.tmp.path()) == before);
    CHECK(plan.find("would create a ZSK for algorithm 13") != std::string::npos);
    CHECK(plan.find("with no previous output to keep from") != std::string::npos);
    CHECK(plan.find("TTLs clamped: 1 RRset(s) above 604800 s") != std::string::npos);
  }
  dry_then_real(s, "20270101000000", 0);
  // Unchanged the next night.
  dry_then_real(s, "20270102000000", 0);
  // A changed record.
  write_file(s.zone, read_file(s.zone) + "extra IN A 192.0.2.99\n");
  {
    std::string plan;
    REQUIRE(s.sign("20270103000000", "--dry-run", &plan) == 0);
    CHECK(plan.find("added") != std::string::npos);
    CHECK(plan.find("changed") != std::string::npos);
  }
  dry_then_real(s, "20270103000000", 0);
  // Later: signatures in the refresh window, and a ZSK successor due (30-day lifetime).
  {
    std::string plan;
    REQUIRE(s.sign("20270112000000", "--dry-run", &plan) == 0);
    INFO(plan);
    CHECK(plan.find("expiring") != std::string::npos);
  }
  dry_then_real(s, "20270112000000", 0);
  dry_then_real(s, "20270115000000", 0);
  // The ZSK successor is due (30-day lifetime): the dry run would make it, and does not.
  {
    const size_t files = std::distance(fs::directory_iterator(s.keys), fs::directory_iterator());
    std::string plan;
    REQUIRE(s.sign("20270130000000", "--dry-run", &plan) == 0);
    INFO(plan);
    CHECK(plan.find("would create a ZSK for algorithm 13") != std::string::npos);
    CHECK(std::distance(fs::directory_iterator(s.keys), fs::directory_iterator()) ==
          static_cast<std::ptrdiff_t>(files));
  }
  dry_then_real(s, "20270130000000", 0);
  dry_then_real(s, "20270201000000", 0);
  // The owner's KSK disappears: both runs exit 3.
  for (const auto& e : fs::directory_iterator(s.keys)) {
    const std::string name = e.path().filename().string();
    if (name.find("+" + std::string(5 - s.tag.size(), '0') + s.tag + ".private") !=
        std::string::npos) {
      fs::rename(e.path(), s.tmp.file("lost"));
    }
  }
  dry_then_real(s, "20270202000000", 3);
}

TEST_CASE("sign --changes lists RRsets added, removed and changed with their RDATA",
          "[e2e][dryrun]") {
  Site s;
  REQUIRE(s.sign("20270101000000", "") == 0);
  std::string zone = read_file(s.zone);
  zone += "extra IN A 192.0.2.99\n";
  zone.replace(zone.find("mail    IN A    192.0.2.25"), 26, "mail    IN A    192.0.2.26");
  zone.erase(zone.find("sip     IN A    192.0.2.60"), 26);
  write_file(s.zone, zone);
  std::string log;
  REQUIRE(s.sign("20270102000000", "--changes " + q(s.tmp.file("changes.json")), &log) == 0);
  INFO(log);
  const auto j = nlohmann::json::parse(read_file(s.tmp.file("changes.json")));
  INFO(j.dump(2));
  CHECK(j["zone"] == "example.com.");
  CHECK(j["counts"]["added"] == 1);
  CHECK(j["counts"]["removed"] == 1);
  CHECK(j["counts"]["changed"] == 2);  // mail A and the SOA (serial)
  CHECK(j["added"][0]["owner"] == "extra.example.com.");
  CHECK(j["added"][0]["type"] == "A");
  CHECK(j["added"][0]["rdata"][0] == "192.0.2.99");
  CHECK(j["removed"][0]["owner"] == "sip.example.com.");
  CHECK(j["removed"][0]["rdata"][0] == "192.0.2.60");
  bool mail = false;
  for (const auto& c : j["changed"]) {
    if (c["owner"] != "mail.example.com.") continue;
    mail = true;
    CHECK(c["type"] == "A");
    CHECK(c["old"]["rdata"][0] == "192.0.2.25");
    CHECK(c["new"]["rdata"][0] == "192.0.2.26");
  }
  CHECK(mail);
  // No change: empty lists (and --changes - prints the same object).
  std::string out;
  REQUIRE(run("(" + zonekiln() + " sign " + q(s.zone) + " --origin example.com. --keys " +
                  q(s.keys) + " --output " + q(s.out) +
                  " --zsk-lifetime 30d --now 20270102010000 --changes - 2>/dev/null)",
              &out) == 0);
  const auto none = nlohmann::json::parse(out);
  CHECK(none["counts"]["added"] == 0);
  CHECK(none["counts"]["removed"] == 0);
  CHECK(none["counts"]["changed"] == 0);
}

TEST_CASE("sign --config --dry-run plans every zone and --changes lists each zone's changes",
          "[e2e][dryrun]") {
  TempDir tmp;
  fs::create_directories(tmp.file("zones"));
  fs::create_directories(tmp.file("signed"));
  fs::create_directories(tmp.file("keys"));
  std::string toml = "[policy.default]\nsig-validity = \"14d\"\n";
  for (const std::string label : {"a", "b"}) {
    write_file(tmp.file("zones/" + label + ".zone"),
               "$TTL 3600\n@ IN SOA ns1 host 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A "
               "192.0.2.1\nwww IN A 192.0.2.2\n");
    toml += "\n[[zone]]\norigin = \"" + label + ".example.\"\nfile = \"zones/" + label +
            ".zone\"\nkeys = \"keys/" + label + "\"\noutput = \"signed/" + label + ".zone\"\n";
  }
  write_file(tmp.file("zonekiln.toml"), toml);
  const std::string cfg = " --config " + q(tmp.file("zonekiln.toml"));
  REQUIRE(run(zonekiln() + " keygen --ksk" + cfg) == 0);
  const std::string sign = zonekiln() + " sign" + cfg + " --now 20270101000000";

  // The first night as a dry run: a plan per zone, nothing on disk changes.
  const auto before = snapshot(tmp.path());
  TempDir elsewhere;
  std::string plan;
  REQUIRE(run(sign + " --dry-run --metrics-file " + q(elsewhere.file("m.prom")) + " --stats-json " +
                  q(elsewhere.file("s.json")),
              &plan) == 0);
  INFO(plan);
  CHECK(snapshot(tmp.path()) == before);
  CHECK(plan.find("dry run for a.example.: nothing was written") != std::string::npos);
  CHECK(plan.find("dry run for b.example.: nothing was written") != std::string::npos);
  CHECK(plan.find("would create a ZSK for algorithm 13") != std::string::npos);
  CHECK_FALSE(fs::exists(elsewhere.file("m.prom")));
  CHECK_FALSE(fs::exists(elsewhere.file("s.json")));

  REQUIRE(run(sign) == 0);
  write_file(tmp.file("zones/a.zone"),
             read_file(tmp.file("zones/a.zone")) + "new IN A 192.0.2.9\n");
  const std::string changes = elsewhere.file("changes.json");
  REQUIRE(run(zonekiln() + " sign" + cfg + " --now 20270102000000 --changes " + q(changes)) == 0);
  const auto j = nlohmann::json::parse(read_file(changes));
  REQUIRE(j["zones"].size() == 2);
  std::map<std::string, nlohmann::json> by_zone;
  for (const auto& z : j["zones"]) by_zone[z["zone"].get<std::string>()] = z;
  REQUIRE(by_zone.count("a.example.") == 1);
  REQUIRE(by_zone.count("b.example.") == 1);
  CHECK(by_zone["a.example."]["counts"]["added"] == 1);
  CHECK(by_zone["a.example."]["added"][0]["owner"] == "new.a.example.");
  INFO(j.dump(2));
  CHECK(by_zone["b.example."]["counts"]["added"] == 0);
  CHECK(by_zone["b.example."]["counts"]["removed"] == 0);
  // b's data did not change: at most its SOA, when the run re-signs some RRsets early (the
  // renewal schedule spreads them over the nights) and so publishes a new serial.
  for (const auto& c : by_zone["b.example."]["changed"]) CHECK(c["type"] == "SOA");
}
