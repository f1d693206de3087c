// The input budget (parser.hpp, InputBudget): counted over the whole $INCLUDE tree, checked
// before anything is expanded, and the same whatever the thread count or chunk size.
#include <tbb/global_control.h>

#include <catch2/catch.hpp>

#include "dns/rrtype.hpp"
#include "tests/parser/test_util.hpp"

namespace zk::parser::test {
namespace {

std::string owner_text(const RR& rr) { return name_to_string(rr.owner->name()); }

const std::string kHead = "$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";

// The error diagnostics, as "file:line: detail" (file name only).
std::vector<std::string> errors_of(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& x : d.sorted()) {
    if (x.severity != Severity::Error) continue;
    out.push_back(fs::path(d.file_name(x.error.where.file)).filename().string() + ":" +
                  std::to_string(x.error.where.line) + ": " + x.error.detail);
  }
  return out;
}

// levels files below top.zone, each including the next level `fan` times; the last level holds
// three records.
void write_fanout(const fs::path& dir, int levels, int fan) {
  std::string top = kHead;
  for (int i = 0; i < fan; ++i) top += "$INCLUDE l1.zone\n";
  write_all(dir / "top.zone", top);
  for (int l = 1; l < levels; ++l) {
    std::string f;
    for (int i = 0; i < fan; ++i) f += "$INCLUDE l" + std::to_string(l + 1) + ".zone\n";
    write_all(dir / ("l" + std::to_string(l) + ".zone"), f);
  }
  write_all(dir / ("l" + std::to_string(levels) + ".zone"),
            "www A 192.0.2.2\nmail A 192.0.2.3\nx TXT \"hello\"\n");
}

}  // namespace

TEST_CASE("budget defaults follow the distinct input size", "[parser][budget]") {
  const InputBudget def;
  CHECK(records_limit(def, 0) == 1'000'000);
  CHECK(records_limit(def, 4'000'000) == 1'000'000);
  CHECK(records_limit(def, 10'000'000) == 2'500'000);
  CHECK(input_bytes_limit(def, 1000) == 256u << 20);
  CHECK(input_bytes_limit(def, 100'000'000) == 400'000'000);
  InputBudget set;
  set.max_records = 7;
  set.max_input_bytes = 9;
  CHECK(records_limit(set, 10'000'000) == 7);
  CHECK(input_bytes_limit(set, 10'000'000) == 9);
}

TEST_CASE("$INCLUDE fan-out is counted over the whole tree, not the include stack",
          "[parser][budget]") {
  TempDir tmp;
  write_fanout(tmp.path(), 3, 10);  // 10 + 100 + 1000 $INCLUDEs
  ParseOptions o = options_with_origin("example.");
  o.budget.max_includes = 1110;
  {
    ZoneStore s;
    Diagnostics d(100);
    REQUIRE(parse_file((tmp.path() / "top.zone").string(), o, s, d).has_value());
    CHECK(d.error_count() == 0);
    CHECK(s.rrs.size() == 3 + 3000);
  }
  o.budget.max_includes = 1109;
  ZoneStore s;
  Diagnostics d(100);
  REQUIRE(parse_file((tmp.path() / "top.zone").string(), o, s, d).has_value());
  // The 1110th is the last line of the last l2.zone read; nothing was parsed.
  CHECK(errors_of(d) ==
        std::vector<std::string>{"l2.zone:10: input budget exceeded: 1110 $INCLUDE directives "
                                 "(limit --max-includes 1109)"});
  CHECK(s.rrs.empty());
}

TEST_CASE("the default budget refuses issue 11's include tree and $GENERATE lines",
          "[parser][budget]") {
  TempDir tmp;
  write_fanout(tmp.path(), 6, 10);  // 10^6 reads of l6.zone
  ZoneStore s;
  Diagnostics d(100);
  REQUIRE(parse_file((tmp.path() / "top.zone").string(), options_with_origin("example."), s, d)
              .has_value());
  CHECK(errors_of(d) ==
        std::vector<std::string>{"l5.zone:10: input budget exceeded: 10001 $INCLUDE directives "
                                 "(limit --max-includes 10000)"});
  CHECK(s.rrs.empty());

  // Item 7: twenty $GENERATEs of a million each. Refused before the first one is expanded, at
  // the one that passes the limit; the default follows the input's size.
  std::string z = kHead;
  for (int i = 1; i <= 20; ++i)
    z += "$GENERATE 0-999999 h$.g" + std::to_string(i) + " A 10.0.0.1\n";
  auto p = parse_string(z, options_with_origin("example."));
  CHECK(errors_of(p->diag) ==
        std::vector<std::string>{"test.zone:5: input budget exceeded: 20000003 records (limit "
                                 "--max-records 1000000, the default for " +
                                 std::to_string(z.size()) + " bytes of input)"});
  CHECK(p->store.rrs.empty());

  // $GENERATE and text count together: 3 + 997 is within 1000, one more record is not.
  ParseOptions o = options_with_origin("example.");
  o.budget.max_records = 1000;
  auto q = parse_string(kHead + "$GENERATE 1-997 h$ A 10.0.0.1\n", o);
  CHECK(q->diag.error_count() == 0);
  CHECK(q->store.rrs.size() == 1000);
  auto r = parse_string(kHead + "$GENERATE 1-997 h$ A 10.0.0.1\nlast A 10.0.0.2\n", o);
  CHECK(errors_of(r->diag) == std::vector<std::string>{"test.zone:6: input budget exceeded: 1001 "
                                                       "records (limit --max-records 1000)"});
  CHECK(r->store.rrs.empty());
}

TEST_CASE("bytes read count every inclusion and the input size counts each file once",
          "[parser][budget]") {
  TempDir tmp;
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "h" + std::to_string(i) + " A 192.0.2.1\n";
  write_all(tmp.path() / "big.zone", big);
  // A hard link is the same input: it must not make the input look bigger.
  fs::create_hard_link(tmp.path() / "big.zone", tmp.path() / "link.zone");
  std::string top = kHead + "$INCLUDE big.zone a.example.\n$INCLUDE link.zone b.example.\n";
  for (int i = 0; i < 10; ++i) top += "$INCLUDE big.zone c" + std::to_string(i) + ".example.\n";
  write_all(tmp.path() / "top.zone", top);

  ParseOptions o = options_with_origin("example.");
  ZoneStore ok_store;
  Diagnostics ok_diag(100);
  REQUIRE(parse_file((tmp.path() / "top.zone").string(), o, ok_store, ok_diag).has_value());
  CHECK(ok_diag.error_count() == 0);
  REQUIRE(ok_store.rrs.size() == 3 + 12 * 2000);
  // Read once, included twelve times under three names: every copy is there, with its origin.
  CHECK(owner_text(ok_store.rrs[3]) == "h0.a.example.");
  CHECK(owner_text(ok_store.rrs[3 + 2000]) == "h0.b.example.");
  CHECK(owner_text(ok_store.rrs[3 + 11 * 2000 + 1999]) == "h1999.c9.example.");

  // The limit is passed by the fourth inclusion (top + 4 x big > top + 3.5 x big).
  o.budget.max_input_bytes = top.size() + big.size() * 7 / 2;
  ZoneStore s;
  Diagnostics d(100);
  REQUIRE(parse_file((tmp.path() / "top.zone").string(), o, s, d).has_value());
  CHECK(errors_of(d) ==
        std::vector<std::string>{
            "top.zone:8: input budget exceeded: " + std::to_string(top.size() + 4 * big.size()) +
            " bytes of zone text read and expanded (limit --max-input-bytes " +
            std::to_string(o.budget.max_input_bytes) + ")"});
  CHECK(s.rrs.empty());

  // The records default follows the input read once: twelve inclusions of 2000 records each are
  // far below it, but with the limit set to what the text holds once, they are refused.
  o.budget.max_input_bytes = 0;
  o.budget.max_records = 3 + 2000;
  ZoneStore s2;
  Diagnostics d2(100);
  REQUIRE(parse_file((tmp.path() / "top.zone").string(), o, s2, d2).has_value());
  REQUIRE(errors_of(d2).size() == 1);
  CHECK(errors_of(d2)[0] ==
        "link.zone:1: input budget exceeded: 24003 records (limit --max-records "
        "2003)");
  CHECK(s2.rrs.empty());
}

TEST_CASE("$GENERATE is charged for what it expands to, owner origin included",
          "[parser][budget]") {
  // A 244-octet origin: every generated owner is 251 octets, though the line is short. 900k
  // records are within the records limit, 900k x 304 bytes are not.
  const std::string l62(62, 'a');
  const std::string origin = l62 + "." + l62 + "." + l62 + "." + std::string(45, 'b') + ".example.";
  const std::string z = kHead + "$ORIGIN " + origin + "\n$GENERATE 0-899999 ${0,6,d} TXT \"" +
                        std::string(48, 't') + "\"\n";
  auto p = parse_string(z, options_with_origin("example."));
  const auto errs = errors_of(p->diag);
  REQUIRE(errs.size() == 1);
  INFO(errs[0]);
  CHECK(errs[0].rfind("test.zone:6: input budget exceeded: ", 0) == 0);
  CHECK(errs[0].find(" bytes of zone text read and expanded (limit --max-input-bytes 268435456, "
                     "the default for " +
                     std::to_string(z.size()) + " bytes of input)") != std::string::npos);
  CHECK(p->store.rrs.empty());

  // A huge TXT repeated by $GENERATE: 10,000 x 20 KB.
  const std::string txt = "\"" + std::string(200, 'x') + "\"";
  std::string rhs;
  for (int i = 0; i < 100; ++i) rhs += " " + txt;
  auto q = parse_string(kHead + "$GENERATE 1-20000 t$ TXT" + rhs + "\n",
                        options_with_origin("example."));
  REQUIRE(errors_of(q->diag).size() == 1);
  CHECK(errors_of(q->diag)[0].find("(limit --max-input-bytes 268435456") != std::string::npos);
}

TEST_CASE("record length limit names its flag and directives are held to it too",
          "[parser][budget]") {
  ParseOptions o = options_with_origin("example.");
  o.budget.max_record_length = 100;
  auto p = parse_string(kHead + "t TXT \"" + std::string(200, 'x') + "\"\n$GENERATE 1-2 h$ TXT \"" +
                            std::string(200, 'y') + "\"\n",
                        o);
  CHECK(
      errors_of(p->diag) ==
      std::vector<std::string>{
          "test.zone:5: input budget exceeded: record of 208 bytes (limit --max-record-length 100)",
          "test.zone:6: input budget exceeded: record of 223 bytes (limit --max-record-length "
          "100)"});
  CHECK(p->store.rrs.size() == 3);
}

TEST_CASE("$ORIGIN and $TTL inside chunks read as they did between chunks", "[parser][budget]") {
  std::string z = "$TTL 1h\n";
  for (int i = 0; i < 300; ++i) {
    z += "$ORIGIN o" + std::to_string(i % 7) + ".example.\n";
    z += "h" + std::to_string(i) + " A 192.0.2.1\n";
    if (i % 3 == 0) z += "$TTL " + std::to_string(60 + i) + "\n";
    if (i % 5 == 0) z += "$ORIGIN x.example.\n";
    z += "\tA 192.0.2.2\n";  // the owner before the directives, with its origin
  }
  std::vector<std::string> dumps;
  std::vector<size_t> warnings;
  for (size_t chunk : {size_t{1}, size_t{64}, size_t{1} << 20}) {
    for (int threads : {1, 4}) {
      tbb::global_control gc(tbb::global_control::max_allowed_parallelism, threads);
      ParseOptions o = options_with_origin("example.");
      o.chunk_bytes = chunk;
      auto p = parse_string(z, o);
      REQUIRE(p->diag.error_count() == 0);
      std::string out;
      for (const RR& rr : p->store.rrs) out += owner_text(rr) + " " + std::to_string(rr.ttl) + "\n";
      dumps.push_back(out);
      warnings.push_back(p->diag.warning_count());
    }
  }
  for (const auto& d : dumps) CHECK(d == dumps[0]);
  for (size_t w : warnings) CHECK(w == 60);  // the blank owner after "$ORIGIN x.example."
  CHECK(dumps[0].find("h0.o0.example. 3600\nh0.o0.example. 60\n") == 0);
}

}  // namespace zk::parser::test
