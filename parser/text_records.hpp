// zk::parser text records: zone text read record by record with the parser's own scanner and
// tokenizer, for readers that keep the text as it is (unsign's DNSSEC strip, status's RRSIG
// expiry scan) instead of building a zone. No value is converted or checked here.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

namespace zk::parser {

/// One token of a record: a run of non-blank characters ("\X" escapes kept) or a quoted string
/// with its quotes. Points into the text.
struct TextToken {
  std::string_view text;
  bool quoted = false;
};

/// One logical record (RFC 1035 s5.1: parentheses joined) with its exact source span.
struct TextRecord {
  /// From the record's first character to and including the newline that ends it, so the spans
  /// of all records cover the whole text.
  std::string_view text;
  /// The line the record starts on (1-based).
  size_t line = 1;
  /// The record starts in column 1 (RFC 1035 s5.1): tokens[0] is its owner, or a directive's
  /// name ("$ORIGIN").
  bool has_owner = false;
  /// Owner (if any), TTL and class fields, type, RDATA; comments and parentheses dropped. Empty
  /// for blank and comment-only lines. Up to the first token the tokenizer could not read
  /// (an unclosed quote) when complete is false.
  std::vector<TextToken> tokens;
  /// Index of the type token: the first token after the owner that is neither a TTL (starts
  /// with a digit) nor a class (IN, CH, HS, CS, NONE, ANY, CLASSnnn). tokens.size() when none.
  size_t type_index = 0;
  bool complete = true;
};

/// Calls f for each logical record of text, in order, blank and comment-only lines included.
/// Never fails: a record the tokenizer cannot read fully is passed with complete = false.
void for_each_text_record(std::string_view text, const std::function<void(const TextRecord&)>& f);

/// ASCII case-insensitive comparison of an unquoted token with a keyword ("RRSIG", "$ORIGIN").
bool token_is(const TextToken& token, std::string_view keyword) noexcept;

}  // namespace zk::parser
