// The grammar's output for one logical record: token ranges into the input buffer (no copies).
#pragma once

#include <vector>

#include "parser/detail/rdata_text.hpp"

namespace zk::parser::grammar {

using detail::Token;

/// Tokens of one logical record, reused from record to record (clear(), no reallocation).
struct RecordTokens {
  std::vector<Token> tokens;
  bool has_owner = false;  // the record started in column 1 (RFC 1035 s5.1)
};

}  // namespace zk::parser::grammar
