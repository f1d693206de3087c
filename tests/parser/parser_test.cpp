#include "parser/parser.hpp"

#include <tbb/global_control.h>

#include <catch2/catch.hpp>

#include "dns/rrtype.hpp"
#include "tests/parser/test_util.hpp"

namespace zk::parser::test {
namespace {

std::string owner_text(const RR& rr) { return name_to_string(rr.owner->name()); }

const Diagnostic* first_error(const Diagnostics& d) {
  static std::vector<Diagnostic> keep;
  keep = d.sorted();
  for (const auto& x : keep) {
    if (x.severity == Severity::Error) return &x;
  }
  return nullptr;
}

struct ErrRow {
  const char* text;
  Errc code;
  uint32_t line, column;
};

}  // namespace

TEST_CASE("records: owners, @, relative names, blank owner, ttl/class order", "[parser]") {
  auto p = parse_string(
      "$TTL 300\n"
      "@ IN SOA ns hm 1 2 3 4 5\n"
      "www 60 IN A 192.0.2.1\n"
      "    IN 70 A 192.0.2.2\n"
      "WWW A 192.0.2.3\n"
      "mail.other. CLASS1 A 192.0.2.4\n",
      options_with_origin("example."));
  REQUIRE(p->diag.error_count() == 0);
  REQUIRE(p->store.rrs.size() == 5);
  const auto& r = p->store.rrs;
  CHECK(owner_text(r[0]) == "example.");
  CHECK(r[0].ttl == 300);
  CHECK(owner_text(r[1]) == "www.example.");
  CHECK(r[1].ttl == 60);
  CHECK(r[2].ttl == 70);
  CHECK(r[3].ttl == 300);
  CHECK(r[1].owner == r[2].owner);  // blank owner shares the entry
  CHECK(r[2].owner == r[3].owner);  // same name (case-insensitively) too
  CHECK(owner_text(r[4]) == "mail.other.");
  CHECK(r[4].type == rrtype::A);
}

// RFC 2181 s11: any octet may be in a label. Unescaped, only the master-file delimiters are
// not name octets; a name that is exactly "@" is the origin, an "@" inside a name is an octet.
TEST_CASE("owner names hold every legal octet unescaped", "[parser]") {
  auto p = parse_string(
      "$TTL 300\n"
      "a=b TXT x\n"
      "c!d TXT x\n"
      "e#f TXT x\n"
      "g@h TXT x\n"
      "@x TXT x\n"
      "x@ TXT x\n"
      "@ TXT x\n"
      "i&j,k TXT x\n"
      "h\xC3\xA9llo TXT x\n"
      "t\x01u\x7F TXT x\n"
      "semi;colon TXT x\n"
      "p(q TXT x\n",
      options_with_origin("example."));
  const auto& r = p->store.rrs;
  REQUIRE(r.size() == 10);
  const char* want[] = {
      "a\\=b.example.",          "c\\!d.example.",       "e\\#f.example.", "g\\@h.example.",
      "\\@x.example.",           "x\\@.example.",        "example.",       "i\\&j\\,k.example.",
      "h\\195\\169llo.example.", "t\\001u\\127.example."};
  for (size_t i = 0; i < 10; ++i) CHECK(owner_text(r[i]) == want[i]);
  // ';' still starts a comment ("semi" has no type) and '(' still groups ("q" is the type).
  REQUIRE(p->diag.error_count() == 2);
  for (const auto& d : p->diag.sorted()) {
    if (d.severity != Severity::Error) continue;
    CHECK((d.error.code == Errc::Syntax || d.error.code == Errc::UnknownType));
  }

  // Knot's rule stays available as an option.
  ParseOptions strict = options_with_origin("example.");
  strict.name_syntax = NameSyntax::Strict;
  auto q = parse_string("$TTL 300\na=b TXT x\nh\xC3\xA9llo TXT x\n", strict);
  CHECK(q->diag.error_count() == 2);
  CHECK(q->store.rrs.empty());
}

TEST_CASE("a UTF-8 byte order mark gets its own error, and the file is still read", "[parser]") {
  auto p = parse_string("\xEF\xBB\xBF$TTL 300\n@ SOA ns hm 1 2 3 4 5\nwww A 192.0.2.1\n",
                        options_with_origin("example."));
  const Diagnostic* e = first_error(p->diag);
  REQUIRE(e);
  CHECK(p->diag.error_count() == 1);
  CHECK(e->error.code == Errc::Syntax);
  CHECK(e->error.where.line == 1);
  CHECK(e->error.where.column == 1);
  CHECK(e->error.detail.find("byte order mark") != std::string::npos);
  REQUIRE(p->store.rrs.size() == 2);
  CHECK(owner_text(p->store.rrs[0]) == "example.");
  CHECK(p->store.rrs[1].ttl == 300);  // the $TTL after the mark was applied
  // Only at the very start: the same octets inside a name are ordinary 8-bit octets.
  auto q = parse_string("$TTL 300\n\xEF\xBB\xBFx A 192.0.2.1\n", options_with_origin("example."));
  CHECK(q->diag.error_count() == 0);
  REQUIRE(q->store.rrs.size() == 1);
  CHECK(owner_text(q->store.rrs[0]) == "\\239\\187\\191x.example.");
}

TEST_CASE("ttl without $TTL: last explicit ttl, soa minimum, default", "[parser]") {
  auto p = parse_string("@ SOA ns hm 1 2 3 4 55\na A 192.0.2.1\nb 10 A 192.0.2.2\nc A 192.0.2.3\n",
                        options_with_origin("example."));
  REQUIRE(p->store.rrs.size() == 4);
  CHECK(p->store.rrs[0].ttl == 55);
  CHECK(p->store.rrs[1].ttl == 55);
  CHECK(p->store.rrs[2].ttl == 10);
  CHECK(p->store.rrs[3].ttl == 10);
  CHECK(p->diag.warning_count() == 1);
  CHECK(p->diag.error_count() == 0);

  auto q = parse_string("a A 192.0.2.1\n", options_with_origin("example."));
  CHECK(q->store.rrs.empty());
  REQUIRE(first_error(q->diag));
  CHECK(first_error(q->diag)->error.code == Errc::BadTtl);

  ParseOptions o = options_with_origin("example.");
  o.default_ttl = 42;
  o.default_ttl_set = true;
  auto d = parse_string("a A 192.0.2.1\nb 7 A 192.0.2.1\nc A 192.0.2.1\n", o);
  REQUIRE(d->store.rrs.size() == 3);
  CHECK(d->store.rrs[0].ttl == 42);
  CHECK(d->store.rrs[2].ttl == 7);
}

TEST_CASE("$ORIGIN, $TTL and inherited owner", "[parser]") {
  auto p = parse_string(
      "$TTL 1h\n$ORIGIN a.\nx A 192.0.2.1\n$ORIGIN b.a.\n A 192.0.2.2\ny A 192.0.2.3\n");
  REQUIRE(p->diag.error_count() == 0);
  REQUIRE(p->store.rrs.size() == 3);
  CHECK(owner_text(p->store.rrs[1]) == "x.a.");
  CHECK(owner_text(p->store.rrs[2]) == "y.b.a.");
  CHECK(p->store.rrs[0].ttl == 3600);
  CHECK(p->diag.warning_count() == 1);
}

TEST_CASE("error positions", "[parser]") {
  const ErrRow rows[] = {
      {"$TTL 1\na A 192.0.2.1\nb CH A 192.0.2.1\n", Errc::BadClass, 3, 3},
      {"$TTL 1\nb  2147483648 A 192.0.2.1\n", Errc::BadTtl, 2, 4},
      {"$TTL 1\nb A 192.0.2.1\n\tFOO 1\n", Errc::UnknownType, 3, 2},
      {"$TTL 1\n A 192.0.2.1\n", Errc::BadName, 2, 2},
      {"$TTL 1\nb IN\n", Errc::Syntax, 2, 5},
      {"$TTL 1\n$FOO x\n", Errc::BadDirective, 2, 1},
      {"$TTL 1\nb TXT \"abc\n", Errc::BadText, 2, 7},
      {"$TTL 1\nb NS ( x\n", Errc::Syntax, 2, 6},
      {"$TTL 1\nb NS ((x))\n", Errc::Syntax, 2, 7},
      {"$TTL 1\nb NS x )\n", Errc::Syntax, 2, 8},
      {"$TTL 1x\n", Errc::BadTtl, 1, 6},
      {"$TTL 1\na..b A 192.0.2.1\n", Errc::BadName, 2, 1},
      {"$TTL 1\nb AXFR x\n", Errc::UnknownType, 2, 3},
      {"$TTL 1\n$ORIGIN\n", Errc::BadDirective, 2, 8},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    auto p = parse_string(r.text, options_with_origin("example."));
    const Diagnostic* e = first_error(p->diag);
    REQUIRE(e);
    CHECK(e->error.code == r.code);
    CHECK(e->error.where.line == r.line);
    CHECK(e->error.where.column == r.column);
    CHECK(!e->source_line.empty());
  }
}

TEST_CASE("parsing resumes after an error and stops when the sink is full", "[parser]") {
  auto p = parse_string("$TTL 1\na A 192.0.2.1\nb A bad\nc A 192.0.2.3\n",
                        options_with_origin("example."));
  CHECK(p->diag.error_count() == 1);
  CHECK(p->store.rrs.size() == 2);

  std::string many = "$TTL 1\n";
  for (int i = 0; i < 1000; ++i) many += "x A bad\n";
  ZoneStore s;
  Diagnostics d(10);
  auto r = parse_text(many, "t", "", options_with_origin("example."), s, d);
  CHECK(r.has_value());
  CHECK(d.full());
  CHECK(d.error_count() <= 12);
}

TEST_CASE("hostile input: nul bytes, long lines, unterminated quotes and parens", "[parser]") {
  ParseOptions o = options_with_origin("example.");
  o.budget.max_record_length = 1000;
  std::string nul("$TTL 1\na A 192.0.2.1\nb A 19\0.0.2.1\nc A 192.0.2.3\n", 49);
  auto p = parse_string(nul, o);
  CHECK(p->diag.error_count() == 1);
  CHECK(p->store.rrs.size() == 2);

  std::string longline = "$TTL 1\na TXT " + std::string(5000, 'x') + "\nb A 192.0.2.1\n";
  auto q = parse_string(longline, o);
  REQUIRE(first_error(q->diag));
  CHECK(first_error(q->diag)->error.code == Errc::LimitExceeded);
  CHECK(q->store.rrs.size() == 1);

  for (const char* t : {"$TTL 1\na TXT \"abc", "$TTL 1\na NS ( b", "$TTL 1\na TXT \"", "(", "\"",
                        "\\", "$", "$INCLUDE", "$GENERATE", "$GENERATE 1-2", "a \\"}) {
    INFO(t);
    auto z = parse_string(t, o);
    CHECK(z->diag.error_count() >= 1);
  }
}

TEST_CASE("$GENERATE: unit2.test from PowerDNS", "[parser]") {
  const std::string zone = read_all(testdata("peer-suites/pdns/zones/unit2.test"));
  auto p = parse_string(zone, options_with_origin("unit2.test."));
  REQUIRE(p->diag.error_count() == 0);
  std::istringstream exp(read_all(testdata("peer-suites/pdns/unit2.test.expected")));
  std::vector<std::string> want;
  for (std::string line; std::getline(exp, line);) {
    if (line.empty() || line[0] == ';') continue;
    std::string w = line.substr(0, line.find('\t'));
    for (auto& c : w) c = static_cast<char>(ascii_lower(static_cast<uint8_t>(c)));
    want.push_back(w);  // the store lowercases owners
  }
  REQUIRE(p->store.rrs.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK(owner_text(p->store.rrs[i]) == want[i]);
    CHECK(p->store.rrs[i].ttl == 86400);
    CHECK(p->store.rrs[i].type == rrtype::A);
  }
}

TEST_CASE("$GENERATE: limits, steps, errors", "[parser]") {
  ParseOptions o = options_with_origin("example.");
  o.budget.max_records = 100;
  auto p = parse_string("$TTL 1\n$GENERATE 1-1000 h$ A 192.0.2.$\n", o);
  REQUIRE(first_error(p->diag));
  CHECK(first_error(p->diag)->error.code == Errc::LimitExceeded);
  CHECK(p->store.rrs.empty());

  auto q = parse_string("$TTL 1\n$GENERATE 1-10/3 h$ 5 IN CNAME t${0,2,d}\n", o);
  REQUIRE(q->diag.error_count() == 0);
  REQUIRE(q->store.rrs.size() == 4);
  CHECK(owner_text(q->store.rrs[3]) == "h10.example.");
  CHECK(q->store.rrs[3].ttl == 5);

  auto r = parse_string("$TTL 1\n$GENERATE 19-28/2147483645 h$ CNAME x\n", o);
  CHECK(r->diag.error_count() == 0);
  CHECK(r->store.rrs.size() == 1);

  auto c = parse_string("$TTL 1\n$GENERATE 1-2 t$ IN 7 TXT \"v=$ ${0,2,x}\" x$$\n", o);
  REQUIRE(c->diag.error_count() == 0);
  REQUIRE(c->store.rrs.size() == 2);
  CHECK(c->store.rrs[1].ttl == 7);
  const RR& txt = c->store.rrs[1];
  CHECK(std::string(reinterpret_cast<const char*>(txt.rdata), txt.rdlen) ==
        std::string("\x06v=2 02\x02x$", 10));

  auto bad_class = parse_string("$TTL 1\n$GENERATE 1-2 t$ CH TXT x\n", o);
  REQUIRE(first_error(bad_class->diag));
  CHECK(first_error(bad_class->diag)->error.code == Errc::BadClass);
  CHECK(first_error(bad_class->diag)->error.where.line == 2);

  auto s = parse_string("$TTL 1\n$GENERATE 1-3 h${0,3,q} CNAME x\n", o);
  REQUIRE(first_error(s->diag));
  CHECK(first_error(s->diag)->error.code == Errc::BadDirective);
  CHECK(first_error(s->diag)->error.where.line == 2);
}

TEST_CASE("$INCLUDE: relative path, origin restored, loops, depth, outside dirs", "[parser]") {
  TempDir tmp;
  fs::create_directories(tmp.path() / "sub");
  write_all(tmp.path() / "sub" / "inc.zone", "x A 192.0.2.9\n$ORIGIN other.\ny A 192.0.2.8\n");
  write_all(tmp.path() / "loop.zone", "$INCLUDE loop.zone\n");
  write_all(tmp.path() / "main.zone",
            "$TTL 5\n$ORIGIN example.\na A 192.0.2.1\n$INCLUDE sub/inc.zone in.example.\n"
            "b A 192.0.2.2\n");
  ZoneStore s;
  Diagnostics d(100);
  REQUIRE(parse_file((tmp.path() / "main.zone").string(), ParseOptions{}, s, d).has_value());
  CHECK(d.error_count() == 0);
  REQUIRE(s.rrs.size() == 4);
  CHECK(owner_text(s.rrs[1]) == "x.in.example.");
  CHECK(owner_text(s.rrs[2]) == "y.other.");
  CHECK(owner_text(s.rrs[3]) == "b.example.");
  CHECK(s.rrs[2].ttl == 5);

  const ErrRow rows[] = {
      {"$INCLUDE loop.zone\n", Errc::IncludeError, 1, 1},  // propagated to the directive
      {"$INCLUDE /etc/shadow\n", Errc::IncludeError, 1, 10},
      {"$INCLUDE ../../../../../../etc/passwd\n", Errc::IncludeError, 1, 10},
      {"$INCLUDE missing.zone\n", Errc::IncludeError, 1, 1},
      {"$INCLUDE sub\n", Errc::IncludeError, 1, 1},  // a directory
  };
  for (const auto& r : rows) {
    INFO(r.text);
    write_all(tmp.path() / "bad.zone", r.text);
    ZoneStore s2;
    Diagnostics d2(100);
    REQUIRE(parse_file((tmp.path() / "bad.zone").string(), ParseOptions{}, s2, d2).has_value());
    const Diagnostic* e = first_error(d2);
    REQUIRE(e);
    CHECK(e->error.code == r.code);
    CHECK(e->error.where.line == r.line);
    CHECK(e->error.where.column == r.column);
  }

  // Depth: a chain deeper than the limit.
  for (int i = 0; i < 6; ++i) {
    write_all(tmp.path() / ("d" + std::to_string(i) + ".zone"),
              "$INCLUDE d" + std::to_string(i + 1) + ".zone\n");
  }
  write_all(tmp.path() / "d6.zone", "$TTL 1\nz.example. A 192.0.2.1\n");
  ParseOptions o;
  o.budget.max_include_depth = 3;
  ZoneStore s3;
  Diagnostics d3(100);
  REQUIRE(parse_file((tmp.path() / "d0.zone").string(), o, s3, d3).has_value());
  // The limit is hit in d3.zone (d0 -> d1 -> d2 -> d3 is three deep, d4 would be the fourth);
  // every $INCLUDE above it is marked too.
  std::vector<std::string> errs;
  for (const auto& d : d3.sorted()) {
    errs.push_back(fs::path(d3.file_name(d.error.where.file)).filename().string() + ":" +
                   std::to_string(static_cast<int>(d.error.code)) + ":" + d.error.detail);
  }
  const auto limit = std::to_string(static_cast<int>(Errc::LimitExceeded));
  const auto inc = std::to_string(static_cast<int>(Errc::IncludeError));
  CHECK(errs == std::vector<std::string>{
                    "d0.zone:" + inc + ":$INCLUDE file has 3 error(s)",
                    "d1.zone:" + inc + ":$INCLUDE file has 2 error(s)",
                    "d2.zone:" + inc + ":$INCLUDE file has 1 error(s)",
                    "d3.zone:" + limit +
                        ":input budget exceeded: $INCLUDE nested 4 deep (limit "
                        "--max-include-depth 3)",
                });
  CHECK(s3.rrs.empty());

  // include_dirs opens a directory outside the zone's own.
  TempDir other;
  write_all(other.path() / "o.zone", "$TTL 1\no.example. A 192.0.2.1\n");
  write_all(tmp.path() / "out.zone", "$INCLUDE " + (other.path() / "o.zone").string() + "\n");
  ParseOptions o2;
  o2.include_dirs.push_back(other.path().string());
  ZoneStore s4;
  Diagnostics d4(100);
  REQUIRE(parse_file((tmp.path() / "out.zone").string(), o2, s4, d4).has_value());
  CHECK(d4.error_count() == 0);
  CHECK(s4.rrs.size() == 1);
}

namespace {

std::string synthetic_zone() {
  std::string z = "@ SOA ns hm 1 2 3 4 77\n";
  uint32_t x = 12345;
  for (int i = 0; i < 20000; ++i) {
    x = x * 1103515245u + 12345u;
    const unsigned k = (x >> 16) % 10;
    if (k == 0 && i % 97 == 0) z += "$ORIGIN sub" + std::to_string(i) + ".example.\n";
    if (k == 1) {
      z += "\tA 192.0.2." + std::to_string(x % 250) + "\n";
      continue;
    }
    if (k == 2) {
      z += "t" + std::to_string(i) + " TXT ( \"a;b\" ; c\n \"d\" )\n";
      continue;
    }
    if (k == 3 && i % 7 == 0) z += "$TTL " + std::to_string(i) + "\n";
    z += "n" + std::to_string(x % 5000) + " " + (k == 4 ? std::to_string(i) + " " : "") +
         "A 198.51.100." + std::to_string(x % 200) + "\n";
  }
  return z;
}

std::string dump(const ZoneStore& s) {
  std::string out;
  for (const RR& rr : s.rrs) {
    out += hex(rr.owner->wire(), rr.owner->wire_len) + " " + std::to_string(rr.ttl) + " " +
           std::to_string(rr.type) + " " + hex(rr.rdata, rr.rdlen) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("1 thread and many threads give identical stores", "[parser]") {
  const std::string z = synthetic_zone();
  ParseOptions o = options_with_origin("example.");
  o.chunk_bytes = 4096;
  std::string one, many;
  size_t errs1 = 0, errs4 = 0;
  {
    tbb::global_control gc(tbb::global_control::max_allowed_parallelism, 1);
    auto p = parse_string(z, o);
    one = dump(p->store);
    errs1 = p->diag.error_count();
  }
  {
    tbb::global_control gc(tbb::global_control::max_allowed_parallelism, 4);
    auto p = parse_string(z, o);
    many = dump(p->store);
    errs4 = p->diag.error_count();
  }
  ParseOptions big = o;
  big.chunk_bytes = size_t{1} << 30;
  auto whole = parse_string(z, big);
  CHECK(errs1 == 0);
  CHECK(errs4 == 0);
  CHECK(one.size() > 100000);
  CHECK(one == many);
  CHECK(one == dump(whole->store));
}

}  // namespace zk::parser::test
