#include "parser/detail/generate.hpp"

#include <catch2/catch.hpp>

namespace zk::parser::detail {
namespace {
std::string expand(std::string_view t, int64_t v) {
  REQUIRE(check_generate_template(t).has_value());
  std::string s;
  expand_generate_template(t, v, s);
  return s;
}
}  // namespace

TEST_CASE("$GENERATE modifiers", "[parser]") {
  CHECK(expand("host-$", 7) == "host-7");
  CHECK(expand("$$-$", 7) == "$-7");
  CHECK(expand("\\$-$", 7) == "\\$-7");
  CHECK(expand("${0,3,d}", 7) == "007");
  CHECK(expand("${1,2,o}", 7) == "10");
  CHECK(expand("${0,4,x}", 255) == "00ff");
  CHECK(expand("${0,4,X}", 255) == "00FF");
  CHECK(expand("${-5}", 7) == "2");
  CHECK(expand("${0,0,n}", 0x1a) == "a.1");
  CHECK(expand("${0,0,N}", 0x1a) == "A.1");
  CHECK(expand("${0,8,n}", 0x1a) == "a.1.0.0.");
  CHECK(expand("${0,7,n}", 0x1a) == "a.1.0.0");
}

TEST_CASE("$GENERATE bad modifiers and ranges", "[parser]") {
  for (const char* bad : {"${0,3,q}", "${0,3", "${x}", "${0,3,d"}) {
    INFO(bad);
    auto r = check_generate_template(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::BadDirective);
  }
  auto r = parse_generate_range("1-10/3");
  REQUIRE(r.has_value());
  CHECK(r->count() == 4);
  CHECK_FALSE(parse_generate_range("10-1").has_value());
  CHECK_FALSE(parse_generate_range("1-10/0").has_value());
  CHECK_FALSE(parse_generate_range("a-b").has_value());
  CHECK_FALSE(parse_generate_range("1-").has_value());
}

}  // namespace zk::parser::detail
