// Zones of other classes than IN: the zone's class, class-specific RDATA, printing.
#include <catch2/catch.hpp>

#include "dns/rrtype.hpp"
#include "emit/emit.hpp"
#include "tests/parser/test_util.hpp"

namespace zk::parser::test {
namespace {

std::string printed(const ZoneStore& store) {
  std::string out;
  for (const RR& rr : store.rrs) {
    emit::append_rr(out, rr.owner->name(), rr.ttl, store.rclass, rr.type, rr.rdata_span());
  }
  return out;
}

const Diagnostic* first_error(const Diagnostics& d) {
  static std::vector<Diagnostic> keep;
  keep = d.sorted();
  for (const auto& x : keep) {
    if (x.severity == Severity::Error) return &x;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a CH zone loads: its class comes from the first record", "[parser][class]") {
  auto p = parse_string(
      "$TTL 0\n"
      "@ CH SOA @ hostmaster 0 28800 7200 604800 86400\n"
      "@ NS @\n"
      "version CH TXT \"9.9\"\n"
      "host CH A host.chaos. 0177\n",
      options_with_origin("version.bind."));
  INFO(printed(p->store));
  REQUIRE(p->diag.error_count() == 0);
  CHECK(p->store.rclass == rrclass::CH);
  REQUIRE(p->store.rrs.size() == 4);
  // BIND's CH A: the Chaosnet domain name (case kept) and a 16-bit octal address.
  const RR& a = p->store.rrs[3];
  CHECK(a.type == rrtype::A);
  CHECK(hex(a.rdata, a.rdlen) == "04686F7374056368616F7300007F");
  CHECK(printed(p->store) ==
        "version.bind.\t0\tCH\tSOA\tversion.bind. hostmaster.version.bind. 0 28800 7200 604800 "
        "86400\n"
        "version.bind.\t0\tCH\tNS\tversion.bind.\n"
        "version.version.bind.\t0\tCH\tTXT\t\"9.9\"\n"
        "host.version.bind.\t0\tCH\tA\thost.chaos. 177\n");
}

TEST_CASE("class-specific RDATA: text form in IN only, generic elsewhere", "[parser][class]") {
  SECTION("HS: A is an IPv4 address (BIND), SRV has no text form") {
    auto p = parse_string(
        "$TTL 60\n@ HS SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n_s._tcp SRV 0 0 1 ns\n",
        options_with_origin("hs.example."));
    CHECK(p->store.rclass == rrclass::HS);
    const Diagnostic* e = first_error(p->diag);
    REQUIRE(e);
    CHECK(p->diag.error_count() == 1);
    CHECK(e->error.code == Errc::UnknownType);
    CHECK(e->error.where.line == 5);
    CHECK(e->error.detail.find("class IN") != std::string::npos);
    REQUIRE(p->store.rrs.size() == 3);
    CHECK(hex(p->store.rrs[2].rdata, p->store.rrs[2].rdlen) == "C0000201");
  }
  SECTION("CLASS7: A only as \\# and printed so; names inside opaque SRV are not lowercased") {
    auto p = parse_string(
        "$TTL 60\n@ CLASS7 SOA ns hm 1 2 3 4 5\n@ NS ns\n"
        "x A \\# 4 01020304\n"
        "y SRV \\# 9 000000010001014100\n"
        "z TXT x\n",
        options_with_origin("c7.example."));
    REQUIRE(p->diag.error_count() == 0);
    CHECK(p->store.rclass == 7);
    const std::string text = printed(p->store);
    CHECK(text.find("x.c7.example.\t60\tCLASS7\tA\t\\# 4 01020304\n") != std::string::npos);
    CHECK(text.find("y.c7.example.\t60\tCLASS7\tSRV\t\\# 9 000000010001014100\n") !=
          std::string::npos);
    CHECK(text.find("z.c7.example.\t60\tCLASS7\tTXT\t\"x\"\n") != std::string::npos);
    auto q = parse_string("$TTL 60\n@ CLASS7 SOA ns hm 1 2 3 4 5\nx A 192.0.2.1\n",
                          options_with_origin("c7.example."));
    REQUIRE(first_error(q->diag));
    CHECK(first_error(q->diag)->error.code == Errc::UnknownType);
  }
  SECTION("IN is unchanged: SRV names are still lowercased") {
    auto p = parse_string("$TTL 60\n_s._tcp IN SRV 0 0 1 NS.Example.\n",
                          options_with_origin("example."));
    REQUIRE(p->diag.error_count() == 0);
    CHECK(p->store.rclass == rrclass::IN);
    const RR& r = p->store.rrs[0];
    CHECK(hex(r.rdata, r.rdlen) ==
          "00000000000102"
          "6E73076578616D706C6500");
  }
}

TEST_CASE("one class per zone file (RFC 1035 s5.2)", "[parser][class]") {
  const struct {
    const char* text;
    uint32_t line, column;
  } rows[] = {
      // The first record says IN (explicitly or by saying nothing); CH later is an error.
      {"$TTL 1\n@ IN SOA ns hm 1 2 3 4 5\nx CH TXT a\n", 3, 3},
      {"$TTL 1\n@ SOA ns hm 1 2 3 4 5\nx CH TXT a\n", 3, 3},
      {"$TTL 1\n@ CH SOA ns hm 1 2 3 4 5\nx IN TXT a\n", 3, 3},
      {"$TTL 1\n@ CH SOA ns hm 1 2 3 4 5\nx 5 CLASS1 TXT a\n", 3, 5},
      // Meta classes are never a zone's class (RFC 6895 s3.2).
      {"$TTL 1\n@ ANY SOA ns hm 1 2 3 4 5\n", 2, 3},
      {"$TTL 1\n@ CLASS255 SOA ns hm 1 2 3 4 5\n", 2, 3},
      {"$TTL 1\n@ CLASS0 SOA ns hm 1 2 3 4 5\n", 2, 3},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    auto p = parse_string(r.text, options_with_origin("example."));
    const Diagnostic* e = first_error(p->diag);
    REQUIRE(e);
    CHECK(e->error.code == Errc::BadClass);
    CHECK(e->error.where.line == r.line);
    CHECK(e->error.where.column == r.column);
  }
  // The class the caller gives (zonekiln compile --class) wins over the first record.
  ParseOptions o = options_with_origin("example.");
  o.default_class = rrclass::CH;
  o.class_set = true;
  auto p = parse_string("$TTL 1\n@ SOA ns hm 1 2 3 4 5\nx CH TXT a\n", o);
  CHECK(p->diag.error_count() == 0);
  CHECK(p->store.rclass == rrclass::CH);
  auto q = parse_string("$TTL 1\n@ IN SOA ns hm 1 2 3 4 5\n", o);
  REQUIRE(first_error(q->diag));
  CHECK(first_error(q->diag)->error.code == Errc::BadClass);
}

}  // namespace zk::parser::test
