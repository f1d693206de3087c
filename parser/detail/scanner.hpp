// Scanner: finds logical records (RFC 1035 s5.1: a newline outside parentheses ends a record,
// ';' starts a comment, quoted strings hide both). Works on a buffer that is followed by at
// least kPadding zero bytes. Internal to parser/.
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace zk::parser::detail {

inline constexpr size_t kPadding = 64;

enum class ScanIssue : uint8_t {
  None,
  NestedParen,      // "((" -- rejected like Knot
  UnbalancedClose,  // ")" without "("
  UnclosedParen,    // end of input inside "( ..."
  UnclosedQuote,    // newline or end of input inside a quoted string
  NulByte,          // a 0x00 byte inside a record
};

/// One logical record: [begin, end) excludes the terminating newline. newlines counts the
/// newline characters inside [begin, next) (the terminator included), so the caller can keep
/// its line counter. issue/issue_pos describe the first structural problem, if any.
struct RecordSpan {
  const char* begin = nullptr;
  const char* end = nullptr;
  const char* next = nullptr;  // where the next record starts
  uint32_t newlines = 0;
  ScanIssue issue = ScanIssue::None;
  const char* issue_pos = nullptr;
};

/// Scans the logical record starting at p (p < last). Never reads past last.
void scan_record(const char* p, const char* last, RecordSpan& out) noexcept;

/// True when the record holds no token (only blanks, parentheses and comments).
bool record_is_blank(const char* begin, const char* end) noexcept;

/// Human text for a ScanIssue (lower-case, no final period).
std::string_view scan_issue_text(ScanIssue issue) noexcept;

}  // namespace zk::parser::detail
