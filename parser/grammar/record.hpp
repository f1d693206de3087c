// Record grammar interface: splits one logical record into tokens (owner, TTL, class, type
// and RDATA fields are recognised afterwards, by position, in parser.cpp).
#pragma once

#include <string_view>

#include "parser/grammar/ast.hpp"

namespace zk::parser::grammar {

/// Parses [first, last) (one logical record from detail::scan_record) as
/// `owner? (ttl | class)* type rdata*` into out. Tokens are runs of non-blank characters
/// ("\X" escapes kept) or quoted strings (quotes removed); blanks, newlines, parentheses and
/// comments separate them. The owner is present when the record starts in column 1. A TTL is
/// a token starting with a digit, a class one of IN CH HS CS NONE ANY CLASSnnn (any case);
/// the first other token is the type (out.type_index). Values are not converted here.
/// Returns nullptr on success, else the position where no token could be read. Never throws.
///
/// A one-pass byte-class split finds the tokens of every record the character grammar accepts
/// (the same tokens, tested against it), and X3 places the type by the record grammar over
/// those tokens; the character grammar runs only on what the split cannot read, for its error
/// position.
const char* tokenize_record(const char* first, const char* last, RecordTokens& out) noexcept;

/// The X3 grammar alone, for every record: the reference the fast split is tested against.
const char* tokenize_record_grammar(const char* first, const char* last,
                                    RecordTokens& out) noexcept;

}  // namespace zk::parser::grammar
