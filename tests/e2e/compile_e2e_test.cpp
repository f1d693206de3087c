// End to end: `zonekiln compile` golden files and round trip through ldns-read-zone.
#include <catch2/catch.hpp>
#include <memory>

#include "emit/emit.hpp"
#include "parser/parser.hpp"
#include "pipeline/pipeline.hpp"
#include "tests/e2e/e2e_support.hpp"
#include "tests/support/tools.hpp"

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
  ZK_NEED_TOOLS("ldns-read-zone");
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

namespace {

struct Loaded {
  zk::ZoneStore store;
  zk::Diagnostics diag{100};
};

// The records of a zone file as our parser reads them, in canonical order without duplicates.
std::unique_ptr<Loaded> load_sorted(const std::string& path, const std::string& origin) {
  auto l = std::make_unique<Loaded>();
  zk::parser::ParseOptions o;
  REQUIRE(zk::name_from_text(origin, zk::NameView{}, o.origin));
  o.origin_set = true;
  REQUIRE(zk::parser::parse_file(path, o, l->store, l->diag));
  INFO(path);
  REQUIRE(l->diag.error_count() == 0);
  zk::pipeline::sort_zone(l->store);
  return l;
}

std::string rr_text(const zk::ZoneStore& z, const zk::RR& rr) {
  std::string s;
  zk::emit::append_rr(s, rr.owner->name(), rr.ttl, z.rclass, rr.type, rr.rdata_span());
  return s;
}

}  // namespace

// RFC 4034 s3: each RRSIG keeps the TTL of the RRset it covers, so the apex RRSIGs of a signed
// root zone (NS 518400, SOA 86400, DNSKEY 172800) are not one RRset for RFC 2181 s5.2.
TEST_CASE("compile leaves every record of a signed real zone unchanged", "[e2e][compile]") {
  const std::string zone = GENERATE(as<std::string>{}, "root-2017082100.signed.zone",
                                    "root-2026082201.rrsig-stripped.zone");
  const std::string in = std::string(ZK_TESTDATA_DIR) + "/real-zones/root/" + zone;
  TempDir dir;
  const std::string out = dir.file("out.zone");
  std::string log;
  REQUIRE(run(zonekiln() + " compile " + in + " --origin . --output " + out, &log) == 0);
  INFO(zone << "\n" << log);
  CHECK(log.find("TTLs differ") == std::string::npos);

  auto a = load_sorted(in, ".");
  auto b = load_sorted(out, ".");
  CHECK(a->store.rclass == b->store.rclass);
  REQUIRE(a->store.rrs.size() == b->store.rrs.size());
  size_t differ = 0;
  for (size_t i = 0; i < a->store.rrs.size(); ++i) {
    const zk::RR &x = a->store.rrs[i], &y = b->store.rrs[i];
    const bool same = zk::name_equal(x.owner->name(), y.owner->name()) && x.type == y.type &&
                      x.ttl == y.ttl && zk::rdata_compare(x, y) == 0;
    if (!same && ++differ <= 5) {
      CHECK(rr_text(a->store, x) == rr_text(b->store, y));
    }
  }
  CHECK(differ == 0);
}

// The same through ldns, which knows nothing of our parser or printer.
TEST_CASE("compile leaves a signed real zone unchanged: ldns-read-zone -z agrees",
          "[e2e][compile]") {
  if (!zk::test::need_tools({"ldns-read-zone"})) return;
  const std::string zone = GENERATE(as<std::string>{}, "root-2017082100.signed.zone",
                                    "root-2026082201.rrsig-stripped.zone");
  const std::string in = std::string(ZK_TESTDATA_DIR) + "/real-zones/root/" + zone;
  TempDir dir;
  const std::string out = dir.file("out.zone");
  REQUIRE(run(zonekiln() + " compile " + in + " --origin . --output " + out) == 0);
  REQUIRE(run("ldns-read-zone -z " + in + " | sort -u > " + dir.file("a")) == 0);
  REQUIRE(run("ldns-read-zone -z " + out + " | sort -u > " + dir.file("b")) == 0);
  std::string diff;
  run("diff " + dir.file("a") + " " + dir.file("b") + " | head -20", &diff);
  INFO(diff);
  CHECK(read_file(dir.file("a")) == read_file(dir.file("b")));
}
