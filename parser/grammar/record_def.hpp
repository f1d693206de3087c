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

struct word_class;
struct quoted_class;
struct record_class;

const x3::rule<word_class> word = "word";
const x3::rule<quoted_class> quoted = "quoted string";
const x3::rule<record_class> record = "record";

const auto word_def = x3::raw[x3::lexeme[+word_char]][push(false)];
const auto quoted_def = x3::lexeme['"' >> x3::raw[*quoted_char][push(true)] >> '"'];
const auto record_def = *(quoted | word);

BOOST_SPIRIT_DEFINE(word, quoted, record)

}  // namespace rules

}  // namespace zk::parser::grammar
