// Chunk joins: state that crosses a chunk boundary (owner, TTL) and robustness on mutated input.
#include <tbb/global_control.h>

#include <catch2/catch.hpp>

#include "tests/parser/test_util.hpp"
#include "tests/support/zone_builder.hpp"

namespace zk::parser::test {
namespace {

ParseOptions tiny_chunks() {
  ParseOptions o = options_with_origin("example.");
  o.chunk_bytes = 1;  // every record with an explicit owner starts a new chunk
  return o;
}

std::string dump(const Parsed& p) {
  std::string out;
  for (const RR& rr : p.store.rrs) {
    out += name_to_string(rr.owner->name()) + " " + std::to_string(rr.ttl) + " " +
           std::to_string(rr.type) + " " + hex(rr.rdata, rr.rdlen) + "\n";
  }
  for (const auto& d : p.diag.sorted()) {
    out += std::to_string(d.error.where.line) + ":" + std::to_string(d.error.where.column) + " " +
           std::to_string(static_cast<int>(d.error.code)) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("chunk joins keep owners shared and ttls carried", "[parser]") {
  auto p = parse_string("a 10 A 192.0.2.1\na A 192.0.2.2\nb A 192.0.2.3\n\tA 192.0.2.4\n",
                        tiny_chunks());
  REQUIRE(p->diag.error_count() == 0);
  REQUIRE(p->store.rrs.size() == 4);
  CHECK(p->store.rrs[0].owner == p->store.rrs[1].owner);
  CHECK(p->store.rrs[2].owner == p->store.rrs[3].owner);
  for (const RR& rr : p->store.rrs) CHECK(rr.ttl == 10);
}

TEST_CASE("blank owner right after a directive", "[parser]") {
  auto p = parse_string("$TTL 1\na A 192.0.2.1\n$TTL 2\n\tA 192.0.2.2\n", tiny_chunks());
  REQUIRE(p->diag.error_count() == 0);
  REQUIRE(p->store.rrs.size() == 2);
  CHECK(name_to_string(p->store.rrs[1].owner->name()) == "a.example.");
  CHECK(p->store.rrs[1].ttl == 2);
}

TEST_CASE("max_records limit: refused before any record is made", "[parser]") {
  ParseOptions o = tiny_chunks();
  o.budget.max_records = 3;
  std::string z = "$TTL 1\n";
  for (int i = 0; i < 10; ++i) z += "h" + std::to_string(i) + " A 192.0.2.1\n";
  auto p = parse_string(z, o);
  CHECK(p->store.rrs.empty());
  REQUIRE(p->diag.error_count() == 1);
  const Diagnostic d = p->diag.sorted().front();
  CHECK(d.error.code == Errc::LimitExceeded);
  CHECK(d.error.where.line == 5);  // h3, the fourth record
  CHECK(d.error.detail == "input budget exceeded: 10 records (limit --max-records 3)");
}

TEST_CASE("mutated zones: no crash, same result at 1 and 4 threads", "[parser]") {
  const std::string base =
      "$ORIGIN example.\n$TTL 300\n@ SOA ns hm ( 1 2 3\n 4 5 ) ; c\n@ NS ns\nns A 192.0.2.1\n"
      "t TXT \"a;b\" \"c\\\"d\" ( \"e\"\n \"f\" )\n\tMX 10 mail\n$GENERATE 1-5 g$ A 192.0.2.$\n"
      "w 1h IN AAAA 2001:db8::1\n$INCLUDE nothing\nx CAA 0 issue \"ca\"\n";
  const char alphabet[] = {'(', ')', '"', '\\', ';', '\n', '\0', ' ', '$', '@', 'A', '9', '.'};
  uint32_t x = 99;
  for (int round = 0; round < 300; ++round) {
    std::string z = base;
    for (int k = 0; k < 4; ++k) {
      x = x * 1103515245u + 12345u;
      const size_t pos = (x >> 8) % (z.size() + 1);
      const unsigned op = (x >> 4) % 3;
      if (op == 0) {
        z.insert(z.begin() + static_cast<long>(pos), alphabet[(x >> 20) % sizeof alphabet]);
      } else if (op == 1 && pos < z.size()) {
        z.erase(pos, 1 + (x >> 24) % 8);
      } else {
        z.insert(pos, z.substr(0, (x >> 16) % 40));
      }
    }
    ParseOptions o = options_with_origin("example.");
    o.chunk_bytes = 16;
    std::string one, four;
    {
      tbb::global_control gc(tbb::global_control::max_allowed_parallelism, 1);
      one = dump(*parse_string(z, o));
    }
    {
      tbb::global_control gc(tbb::global_control::max_allowed_parallelism, 4);
      four = dump(*parse_string(z, o));
    }
    INFO("round " << round);
    REQUIRE(one == four);
  }
}

}  // namespace zk::parser::test

namespace zk::parser::test {
namespace {

// The records (owner, TTL, type, RDATA) and diagnostics of a file read by parse_file, or by
// parse_file_waves with every wave's records appended in order.
std::string dump_file(const std::string& path, bool waves, const ParseOptions& o) {
  Diagnostics diag;
  ZoneStore all;
  std::string out;
  auto add = [&](const ZoneStore& s) {
    for (const RR& rr : s.rrs) {
      out += name_to_string(rr.owner->name()) + " " + std::to_string(rr.ttl) + " " +
             std::to_string(rr.type) + " " + hex(rr.rdata, rr.rdlen) + "\n";
    }
  };
  size_t count = 0;
  if (waves) {
    WaveOptions w;
    w.wave_bytes = 1;  // one chunk per wave
    w.copy_dir = std::filesystem::path(path).parent_path().string();
    auto r = parse_file_waves(
        path, o, w,
        [&](ZoneStore&& s) -> Result<void> {
          ++count;
          add(s);
          return ok();
        },
        diag);
    REQUIRE(r);
    CHECK(count > 1);
  } else {
    REQUIRE(parse_file(path, o, all, diag));
    add(all);
  }
  for (const auto& d : diag.sorted()) out += diag.format(d) + "\n";
  return out;
}

}  // namespace

TEST_CASE("a parse in waves hands over the records and diagnostics of one parse",
          "[parser][spill]") {
  zk::test::TempDir dir;
  // No $TTL: the SOA takes its minimum and the records before it fail, later ones take the
  // last TTL seen;
  // a blank owner continues across chunks; an error and a warning on the way; an $INCLUDE.
  std::ofstream(dir.file("inc.zone")) << "inc A 192.0.2.9\n\tTXT \"in\"\n";
  std::ofstream(dir.file("z.zone"))
      << "a A 192.0.2.1\n\tA 192.0.2.2\n@ SOA ns hostmaster 1 7200 3600 1209600 300\n"
         "b 60 A 192.0.2.3\n\tAAAA ::1\nc A 999.0.2.1\nd TXT \"x\"\n$INCLUDE inc.zone\n"
         "e CNAME a\n\tTXT \"t\"\n$TTL 90\nf A 192.0.2.4\n";
  ParseOptions o = options_with_origin("example.");
  o.chunk_bytes = 1;
  const std::string one = dump_file(dir.file("z.zone"), false, o);
  const std::string waves = dump_file(dir.file("z.zone"), true, o);
  CHECK(waves == one);
  CHECK_THAT(one, Catch::Contains("example. 300 6"));                // the SOA takes its minimum
  CHECK_THAT(one, Catch::Contains("no ttl specified and no $TTL"));  // the records before it
  CHECK_THAT(one, Catch::Contains("inc.example. 60 16"));
  // The zone file's copy has no name: only the two files are in the directory.
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  CHECK(files == 2);
}

TEST_CASE("records without a ttl are dropped by position: a TYPE0 record stays", "[parser]") {
  ParseOptions o = options_with_origin("example.");
  auto p = parse_string(
      "a A 192.0.2.1\n@ SOA ns hostmaster 1 7200 3600 1209600 300\nb TYPE0 \\# 0\n", o);
  CHECK(p->diag.error_count() == 1);  // "a": no TTL before the SOA
  REQUIRE(p->store.rrs.size() == 2);
  CHECK(p->store.rrs[0].type == rrtype::SOA);
  CHECK(p->store.rrs[1].type == 0);
  CHECK(p->store.rrs[1].ttl == 300);
  CHECK(name_to_string(p->store.rrs[1].owner->name()) == "b.example.");
}

}  // namespace zk::parser::test
