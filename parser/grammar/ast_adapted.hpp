// Fusion adaptation of the AST. Tokens are appended by semantic actions (no attribute
// synthesis per record), so there is nothing to adapt; the file stays so the layout matches
// STYLE s4 and a future attribute-producing rule has its place.
#pragma once

#include <boost/fusion/include/adapt_struct.hpp>

#include "parser/grammar/ast.hpp"
