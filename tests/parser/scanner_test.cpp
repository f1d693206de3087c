#include "parser/detail/scanner.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "parser/grammar/record.hpp"

namespace zk::parser::detail {
namespace {

std::vector<std::string> records(const std::string& text) {
  std::vector<std::string> v;
  RecordSpan s;
  const char* e = text.data() + text.size();
  for (const char* p = text.data(); p < e; p = s.next) {
    scan_record(p, e, s);
    v.emplace_back(s.begin, s.end);
  }
  return v;
}

std::vector<std::string> tokens(const std::string& text) {
  grammar::RecordTokens t;
  REQUIRE(grammar::tokenize_record(text.data(), text.data() + text.size(), t) == nullptr);
  std::vector<std::string> v;
  for (auto& k : t.tokens) v.push_back((k.quoted ? "Q:" : "") + std::string(k.text));
  return v;
}

}  // namespace

TEST_CASE("scanner: record boundaries", "[parser]") {
  CHECK(records("a A 1.2.3.4\nb A 1.2.3.5\n") ==
        std::vector<std::string>{"a A 1.2.3.4", "b A 1.2.3.5"});
  CHECK(records("a A 1.2.3.4") == std::vector<std::string>{"a A 1.2.3.4"});
  CHECK(records("\n\n") == std::vector<std::string>{"", ""});
}

TEST_CASE("scanner: parentheses join lines, comments inside them", "[parser]") {
  const std::string z = "@ SOA ns h ( 1 ; serial\n 2 3\n 4 5 )\nx A 1.1.1.1\n";
  auto r = records(z);
  REQUIRE(r.size() == 2);
  CHECK(r[0] == "@ SOA ns h ( 1 ; serial\n 2 3\n 4 5 )");
  CHECK(tokens(r[0]) == std::vector<std::string>{"@", "SOA", "ns", "h", "1", "2", "3", "4", "5"});
}

TEST_CASE("scanner: quotes hide semicolons and parentheses, escapes hide quotes", "[parser]") {
  auto r = records("a TXT \"x;(y\" \"q\\\"z\"\nb A 1.1.1.1\n");
  REQUIRE(r.size() == 2);
  CHECK(tokens(r[0]) == std::vector<std::string>{"a", "TXT", "Q:x;(y", "Q:q\\\"z"});
  CHECK(tokens("a\\ b TXT \"\"") == std::vector<std::string>{"a\\ b", "TXT", "Q:"});
  CHECK(tokens("a\\;b TXT c ; comment") == std::vector<std::string>{"a\\;b", "TXT", "c"});
}

TEST_CASE("scanner: structural problems", "[parser]") {
  RecordSpan s;
  auto scan = [&](const std::string& t) {
    scan_record(t.data(), t.data() + t.size(), s);
    return s.issue;
  };
  CHECK(scan("a NS ((b))\n") == ScanIssue::NestedParen);
  CHECK(scan("a NS b )\n") == ScanIssue::UnbalancedClose);
  CHECK(scan("a NS ( b\n c\n") == ScanIssue::UnclosedParen);
  CHECK(scan("a TXT \"abc\nb A 1.1.1.1\n") == ScanIssue::UnclosedQuote);
  CHECK(scan(std::string("a A 1.2\0.3.4\n", 13)) == ScanIssue::NulByte);
  CHECK(scan("a ( NS\n b ) ; c\n") == ScanIssue::None);
  CHECK(s.newlines == 2);
}

TEST_CASE("scanner: blank records", "[parser]") {
  const std::string b = "   ( ; x\n ) \t";
  CHECK(record_is_blank(b.data(), b.data() + b.size()));
  const std::string nb = "  a";
  CHECK_FALSE(record_is_blank(nb.data(), nb.data() + nb.size()));
}

}  // namespace zk::parser::detail

namespace zk::parser::grammar {

TEST_CASE("record grammar: owner? (ttl|class)* type rdata", "[parser]") {
  struct Row {
    const char* text;
    bool owner;
    size_t type_index;
    size_t count;
  };
  const Row rows[] = {
      {"www 300 IN A 192.0.2.1", true, 3, 5},
      {"www IN 300 A 192.0.2.1", true, 3, 5},
      {"www in A 192.0.2.1", true, 2, 4},
      {"\t1h CLASS1 TXT \"a b\" c", false, 2, 5},
      {"\tA 192.0.2.1", false, 0, 2},
      {"www INX A", true, 1, 3},         // INX is not a class: it is the type
      {"www CLASS A", true, 1, 3},       // CLASS without digits is not a class
      {"www 300 IN", true, kNoType, 3},  // no type
      {"www", true, kNoType, 1},
      {"   ; only a comment", false, kNoType, 0},
      {"a NS ( b ; c\n )", true, 1, 3},
      {"300 A 192.0.2.1", true, 1, 3},  // column 1: "300" is the owner
  };
  for (const auto& r : rows) {
    INFO(r.text);
    RecordTokens t;
    const std::string s = r.text;
    REQUIRE(tokenize_record(s.data(), s.data() + s.size(), t) == nullptr);
    CHECK(t.has_owner == r.owner);
    CHECK(t.type_index == r.type_index);
    CHECK(t.tokens.size() == r.count);
  }
}

TEST_CASE("record grammar: failure position", "[parser]") {
  RecordTokens t;
  const std::string s = "a TXT \"unterminated";
  const char* bad = tokenize_record(s.data(), s.data() + s.size(), t);
  REQUIRE(bad != nullptr);
  CHECK(bad - s.data() == 6);
}

}  // namespace zk::parser::grammar

namespace zk::parser::grammar {

// The one-pass split must give what the grammar gives, token for token, on any record: random
// records over an alphabet of the characters that matter (blanks, parentheses, comments, digits,
// class words, 8-bit bytes, quotes and escapes, abutting tokens).
TEST_CASE("record grammar: the split agrees with the X3 grammar", "[parser]") {
  const std::vector<std::string> pieces = {
      "a",     "www",   "300",   "1h",   "IN",    "in",      "iN",         "CH",      "hs",
      "Cs",    "NONE",  "any",   "ANYx", "CLASS", "class1",  "CLASS65535", "CLASS1x", "A",
      "TXT",   "0",     " ",     "  ",   "\t",    "\r",      "\n",         "(",       ")",
      ";",     "; c\n", "\"",    "\\",   "\\ ",   "\"a b\"", "\xc3\xa9",   "\x80",    "@",
      "*",     ".",     "-",     "9x",   "\\\n",  "\\\"",    "\"\\\"\"",   "\"\"",    "\"a;b\"",
      "\"(\"", "3\\6",  "IN\\x", "\\0",  "\"\n"};
  std::mt19937_64 next(0x9e3779b97f4a7c15ULL);
  size_t plain = 0, quoted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const size_t parts = next() % 12;
    for (size_t i = 0; i < parts; ++i) s += pieces[next() % pieces.size()];
    RecordTokens fast, ref;
    const char* b = s.data();
    const char* e = b + s.size();
    const char* rf = tokenize_record(b, e, fast);
    const char* rr = tokenize_record_grammar(b, e, ref);
    INFO("record: [" << s << "]");
    REQUIRE(rf == rr);
    if (rr != nullptr) continue;
    if (s.find_first_of("\"\\") == std::string::npos) ++plain;
    if (s.find('"') != std::string::npos) ++quoted;
    REQUIRE(fast.has_owner == ref.has_owner);
    REQUIRE(fast.type_index == ref.type_index);
    REQUIRE(fast.tokens.size() == ref.tokens.size());
    for (size_t i = 0; i < ref.tokens.size(); ++i) {
      CHECK(fast.tokens[i].text.data() == ref.tokens[i].text.data());
      CHECK(fast.tokens[i].text.size() == ref.tokens[i].text.size());
      CHECK(fast.tokens[i].quoted == ref.tokens[i].quoted);
    }
  }
  CHECK(plain > 3000);
  CHECK(quoted > 1000);
}

}  // namespace zk::parser::grammar
