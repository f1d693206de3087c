// parser::for_each_text_record: the parser's scanner and tokenizer for readers that keep zone
// text as it is (unsign, status, the parent's DS set).
#include "parser/text_records.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using zk::parser::for_each_text_record;
using zk::parser::TextRecord;

namespace {

struct Seen {
  std::string text;
  size_t line;
  bool has_owner;
  std::vector<std::string> tokens;
  std::string type;
  bool complete;
};

std::vector<Seen> records(std::string_view text) {
  std::vector<Seen> out;
  for_each_text_record(text, [&](const TextRecord& r) {
    Seen s{std::string(r.text), r.line, r.has_owner, {}, {}, r.complete};
    for (const auto& t : r.tokens) s.tokens.emplace_back(t.text);
    if (r.type_index < r.tokens.size()) s.type = std::string(r.tokens[r.type_index].text);
    out.push_back(std::move(s));
  });
  return out;
}

}  // namespace

TEST_CASE("text records cover the text, join parentheses and find the type", "[parser]") {
  const std::string text =
      "$ORIGIN example.com.\n"
      "; a comment line\n"
      "@ 3600 IN SOA ns1 h ( 1 2\n"
      "   3 4 5 ) ; trailing\n"
      "  IN 300 RRSIG SOA 13 2 3600 20261210000000 20261126000000 1 example.com. ab==\n"
      "txt TXT \"a;b(c\\\"\" x\n"
      "last 1h A 192.0.2.1";
  const auto r = records(text);
  REQUIRE(r.size() == 6);
  std::string joined;
  for (const auto& s : r) joined += s.text;
  CHECK(joined == text);  // the spans cover every byte, in order

  CHECK(r[0].has_owner);
  CHECK(r[0].tokens == std::vector<std::string>{"$ORIGIN", "example.com."});
  CHECK(r[1].tokens.empty());
  CHECK(r[1].line == 2);
  CHECK(r[2].line == 3);
  CHECK(r[2].text == "@ 3600 IN SOA ns1 h ( 1 2\n   3 4 5 ) ; trailing\n");
  CHECK(r[2].type == "SOA");
  CHECK(r[2].tokens.size() == 11);
  CHECK(r[3].line == 5);
  CHECK_FALSE(r[3].has_owner);
  CHECK(r[3].type == "RRSIG");  // class and TTL in either order
  CHECK(r[4].tokens == std::vector<std::string>{"txt", "TXT", "\"a;b(c\\\"\"", "x"});
  CHECK(r[4].type == "TXT");
  CHECK(r[5].type == "A");
  CHECK(r[5].text == "last 1h A 192.0.2.1");
  for (const auto& s : r) CHECK(s.complete);
}

TEST_CASE("a text record with an unclosed quote is passed, marked incomplete", "[parser]") {
  const auto r = records("a TXT \"open\nb A 192.0.2.1\n");
  REQUIRE(r.size() == 2);
  CHECK_FALSE(r[0].complete);
  CHECK(r[0].text == "a TXT \"open\n");
  CHECK(r[1].complete);
  CHECK(r[1].line == 2);
  CHECK(r[1].type == "A");
}

TEST_CASE("token_is compares unquoted tokens without case", "[parser]") {
  CHECK(zk::parser::token_is({"rrsig", false}, "RRSIG"));
  CHECK_FALSE(zk::parser::token_is({"\"RRSIG\"", true}, "RRSIG"));
  CHECK_FALSE(zk::parser::token_is({"RRSIGX", false}, "RRSIG"));
}
