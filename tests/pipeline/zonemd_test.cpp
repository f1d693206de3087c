// ZONEMD digests and verification (RFC 8976) against the RFC's examples and peer suites.
#include "pipeline/zonemd.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "dns/diagnostics.hpp"
#include "pipeline/verify.hpp"
#include "tests/support/zone_builder.hpp"

namespace {

using namespace zk;

std::string data_dir() { return std::string(ZK_TESTDATA_DIR) + "/"; }

Name origin_name(std::string text) {
  if (text.empty() || text.back() != '.') text += '.';
  Name n;
  REQUIRE(name_from_text(text, NameView{}, n).has_value());
  n.to_lower();
  return n;
}

struct Outcome {
  bool parsed = false;
  pipeline::ZonemdReport report;
};

Outcome check(const std::string& path, const std::string& origin) {
  Diagnostics diag;
  Outcome o;
  auto r = pipeline::check_zonemd_file(path, origin_name(origin), diag);
  if (!r) return o;
  o.parsed = true;
  o.report = std::move(*r);
  return o;
}

bool verifies(const Outcome& o) { return o.parsed && o.report.verified && o.report.ok(); }

std::string describe(const Outcome& o) {
  std::string s = o.parsed ? "" : "did not parse\n";
  for (const auto& p : o.report.problems) s += p.detail + "\n";
  return s;
}

std::map<std::string, std::string> read_config(const std::string& path) {
  std::map<std::string, std::string> kv;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

// Case 22 omits TTLs and has no $TTL. Its digest was made reading those as 3600 (the default
// of ldns and Knot), while RFC 1035 s5.1 and our parser use the last TTL stated (999 there).
// The TTL is a parser dialect question, not a digest one: write 3600 into those lines and
// check the digest of that reading.
std::string with_default_ttls(const std::string& text) {
  static const std::regex kNoTtl(R"(^(\S*)(\s+)([A-Z][A-Z0-9]*)(\s.*)$)");
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.rfind(';', 0) != 0 && std::regex_match(line, m, kNoTtl) && m[3] != "IN") {
      line = m[1].str() + m[2].str() + "3600 " + m[3].str() + m[4].str();
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("RFC 8976 Appendix A examples verify, unknown scheme and hash are ignored", "[zonemd]") {
  struct Row {
    const char* file;
    unsigned digests;  // supported ZONEMD RRs actually compared
  };
  const Row row = GENERATE(Row{"A.1.Simple-EXAMPLE-Zone", 1}, Row{"A.2.Complex-EXAMPLE-Zone", 1},
                           Row{"A.3.EXAMPLE-Zone-with-multiple-digests", 2});
  const Outcome o = check(data_dir() + "rfc-vectors/rfc8976/" + row.file, "example.");
  INFO(row.file << "\n" << describe(o));
  CHECK(o.parsed);
  CHECK(o.report.present);
  CHECK(o.report.verified);
  CHECK(o.report.ok());
  CHECK(o.report.digests_checked == row.digests);
}

TEST_CASE("Verisign zonemd-test-cases: every case has its expected result", "[zonemd]") {
  const std::string root = data_dir() + "peer-suites/zonemd-test-cases/zones/";
  std::vector<std::string> cases;
  for (const auto& e : std::filesystem::directory_iterator(root)) {
    if (std::filesystem::exists(e.path() / "config")) cases.push_back(e.path().filename());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 10);
  for (const std::string& c : cases) {
    auto cfg = read_config(root + c + "/config");
    REQUIRE(cfg.count("zonefile"));
    std::string file = root + c + "/" + cfg["zonefile"];
    zk::test::TempDir tmp;
    if (c == "22-lots-rr-types") {
      const std::string rewritten = tmp.file("zone");
      zk::test::write_file(rewritten, with_default_ttls(zk::test::read_file(file)));
      file = rewritten;
    }
    const Outcome o = check(file, cfg["origin"]);
    INFO(c << " expected " << cfg["expected_result"] << "\n" << describe(o));
    CHECK(verifies(o) == (cfg["expected_result"] == "success"));
  }
}

TEST_CASE("pdns ZONEMD cases agree with ZONEMD-CASES.tsv", "[zonemd]") {
  const std::string dir = data_dir() + "peer-suites/pdns/";
  std::ifstream in(dir + "ZONEMD-CASES.tsv");
  std::string line;
  std::getline(in, line);  // header
  unsigned rows = 0;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string file, origin, parse_error, performed, valid;
    if (!(f >> file >> origin >> parse_error >> performed >> valid)) continue;
    ++rows;
    const Outcome o = check(dir + "zones/" + file, origin);
    INFO(file << "\n" << describe(o));
    CHECK(o.parsed == (parse_error == "false"));
    if (!o.parsed) continue;
    CHECK((o.report.digests_checked > 0) == (performed == "true"));
    CHECK(verifies(o) == (valid == "true"));
  }
  CHECK(rows >= 5);
}

TEST_CASE("the RRSIG-stripped root zone copy is reported as a digest mismatch", "[zonemd]") {
  const Outcome o = check(data_dir() + "real-zones/root/root-2026082201.rrsig-stripped.zone", ".");
  INFO(describe(o));
  REQUIRE(o.parsed);
  CHECK(o.report.present);
  CHECK_FALSE(o.report.verified);
  REQUIRE_FALSE(o.report.problems.empty());
  CHECK(o.report.problems.front().kind == pipeline::ZonemdProblem::Mismatch);
}

TEST_CASE("verify_file --zonemd-only reports ZONEMD problems with stable check names", "[zonemd]") {
  Diagnostics diag;
  pipeline::VerifyOptions vo;
  vo.zonemd_only = true;
  auto good = pipeline::verify_file(data_dir() + "rfc-vectors/rfc8976/A.2.Complex-EXAMPLE-Zone",
                                    origin_name("example."), vo, diag);
  REQUIRE(good.has_value());
  CHECK(good->valid());
  CHECK(good->problems.empty());

  auto bad =
      pipeline::verify_file(data_dir() + "real-zones/root/root-2026082201.rrsig-stripped.zone",
                            origin_name("."), vo, diag);
  REQUIRE(bad.has_value());
  CHECK_FALSE(bad->valid());
  REQUIRE(bad->problems.size() == 1);
  CHECK(pipeline::verify_check_name(bad->problems[0].check) == "zonemd-mismatch");

  auto none = pipeline::verify_file(data_dir() + "peer-suites/pdns/zones/zonemd-nozonemd.zone",
                                    origin_name("example."), vo, diag);
  REQUIRE(none.has_value());
  CHECK_FALSE(none->valid());
  REQUIRE(none->problems.size() == 1);
  CHECK(pipeline::verify_check_name(none->problems[0].check) == "zonemd-missing");
}
