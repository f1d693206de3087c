// The record grammar (X3). Included only by record.cpp.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "parser/grammar/ast_adapted.hpp"
#include "parser/grammar/config.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser::grammar {

namespace rules {

// Blanks inside a logical record: the scanner has already checked parentheses, so here they
// only separate tokens; a newline inside a record is always inside parentheses.
const auto blank = x3::char_(" \t\r\n()");
const auto comment = x3::lit(';') >> *(x3::char_ - '\n');
const auto skipper = blank | comment;

const auto escaped = x3::lit('\\') >> x3::char_;
// A range, not x3::digit: the classifiers take the (signed) char to std::isdigit, which an
// 8-bit name octet (a negative char) must not reach (RFC 2181 s11 octets are plain text here).
const auto digit = x3::char_('0', '9');
const auto word_char = escaped | ~x3::char_(" \t\r\n();\"\\");
const auto quoted_char = escaped | ~x3::char_("\"\\\n");

inline constexpr auto push = [](bool quoted) {
  return [quoted](auto& ctx) {
    const auto& r = x3::_attr(ctx);
    auto& out = x3::get<tokens_tag>(ctx).get();
    const char* b = r.begin();
    out.tokens.push_back(Token{std::string_view(b, static_cast<size_t>(r.end() - b)), quoted});
  };
};
inline constexpr auto mark_type = [](auto& ctx) {
  auto& out = x3::get<tokens_tag>(ctx).get();
  out.type_index = out.tokens.size();
};

struct word_class;
struct quoted_class;
struct ttl_class;
struct rrclass_class;
struct fields_class;
struct owned_record_class;
struct blank_record_class;

const x3::rule<word_class> word = "word";
const x3::rule<quoted_class> quoted = "quoted string";
const x3::rule<ttl_class> ttl = "ttl";
const x3::rule<rrclass_class> rrclass = "class";
const x3::rule<fields_class> fields = "record fields";
const x3::rule<owned_record_class> owned_record = "record";
const x3::rule<blank_record_class> blank_record = "record";

const auto token = quoted | word;
const auto end_of_token = !word_char;

const auto word_def = x3::raw[x3::lexeme[+word_char]][push(false)];
const auto quoted_def = x3::lexeme['"' >> x3::raw[*quoted_char][push(true)] >> '"'];
// Recognised, not converted: "1h30x" is still a TTL token and fails in parse_ttl.
const auto ttl_def = x3::raw[x3::lexeme[digit >> *word_char]][push(false)];
// Case-insensitive letters as character sets: x3::no_case goes through the locale
// (toupper per character), which showed up in profiles on every record.
template <size_t N>
auto ci(const char (&both)[N]) {
  return x3::char_(both);
}
const auto rrclass_def =
    x3::raw[x3::lexeme[((ci("Ii") >> ci("Nn")) | (ci("Cc") >> ci("Hh")) | (ci("Hh") >> ci("Ss")) |
                        (ci("Cc") >> ci("Ss")) | (ci("Nn") >> ci("Oo") >> ci("Nn") >> ci("Ee")) |
                        (ci("Aa") >> ci("Nn") >> ci("Yy")) |
                        (ci("Cc") >> ci("Ll") >> ci("Aa") >> ci("Ss") >> ci("Ss") >> +digit)) >>
                       end_of_token]][push(false)];
const auto fields_def = *(ttl | rrclass) >> -(x3::eps[mark_type] >> token >> *token);
const auto owned_record_def = token >> fields;
const auto blank_record_def = fields;

BOOST_SPIRIT_DEFINE(word, quoted, ttl, rrclass, fields, owned_record, blank_record)

}  // namespace rules

}  // namespace zk::parser::grammar
