// Iterator and context types of the record grammar.
#pragma once

#include <boost/spirit/home/x3.hpp>
#include <functional>

#include "parser/grammar/ast.hpp"

namespace zk::parser::grammar {

namespace x3 = boost::spirit::x3;

using iterator_type = const char*;

/// Tag under which the token vector is reachable from semantic actions.
struct tokens_tag;

}  // namespace zk::parser::grammar
