// Record grammar interface: splits one logical record into tokens (owner, TTL, class, type
// and RDATA fields are recognised afterwards, by position, in parser.cpp).
#pragma once

#include <string_view>

#include "parser/grammar/ast.hpp"

namespace zk::parser::grammar {

/// Tokenizes [first, last) (one logical record from detail::scan_record) into out: runs of
/// non-blank characters ("\X" escapes kept) and quoted strings (quotes removed); blanks,
/// newlines, parentheses and comments separate tokens. Returns nullptr on success, else the
/// position where no token could be read. Never throws.
const char* tokenize_record(const char* first, const char* last, RecordTokens& out) noexcept;

}  // namespace zk::parser::grammar
