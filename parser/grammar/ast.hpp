// The grammar's output for one logical record: token ranges into the input buffer (no copies).
#pragma once

#include <vector>

#include "parser/detail/rdata_text.hpp"

namespace zk::parser::grammar {

using detail::Token;

inline constexpr size_t kNoType = static_cast<size_t>(-1);

/// Tokens of one logical record, reused from record to record (clear(), no reallocation).
/// Layout: [owner] (ttl|class)* type rdata...; the grammar marks where the type is.
struct RecordTokens {
  std::vector<Token> tokens;
  bool has_owner = false;       // the record started in column 1 (RFC 1035 s5.1)
  size_t type_index = kNoType;  // index of the type token; kNoType when the record has none
};

}  // namespace zk::parser::grammar
