// Turns the tokens of one record into an RR in a segment's store: owner, TTL/class in either
// order, type, RDATA (via rdata_from_text). Internal to parser/.
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "parser/detail/context.hpp"
#include "parser/detail/rdata_text.hpp"
#include "parser/detail/scanner.hpp"
#include "parser/grammar/ast.hpp"

namespace zk::parser::detail {

/// Per-segment record builder. Owns its scratch (token vector, RDATA buffer) and reuses it for
/// every record; not thread-safe (one per task). Several builders may append, one after the
/// other, to the same output (consecutive small segments are parsed as one batch).
class RecordBuilder {
 public:
  RecordBuilder(const ParseOptions& options, Diagnostics& diag, const SourceFile& file,
                SegmentState& state, SegmentOut& out);

  /// Parses the logical record span (from scan_record) that starts on line rec_line.
  void text_record(const RecordSpan& span, uint32_t rec_line);

  /// Applies a $ORIGIN or $TTL directive that the planner left inside the chunk (it has
  /// reported any problem with it; a bad one is skipped here).
  void state_directive(const RecordSpan& span);

  /// Builds a record from ready tokens. Tokens pointing outside file.text (expanded
  /// $GENERATE text) are reported at anchor. Returns false when the record was rejected.
  bool tokens_record(const grammar::RecordTokens& toks, const char* rec_begin, uint32_t rec_line,
                     const char* anchor);

  /// True once this builder has reported an error and the sink is full.
  bool stopped() const noexcept { return stopped_; }

 private:
  void fail_at(Errc code, std::string detail, const char* rec_begin, uint32_t rec_line,
               const char* pos);
  bool take_owner(const grammar::RecordTokens& toks, const char* rec_begin, uint32_t rec_line,
                  bool warn_inherited);
  bool ttl_and_class(std::span<const Token> fields, const char* rec_begin, uint32_t rec_line,
                     std::optional<uint32_t>& ttl);
  std::optional<uint16_t> lookup_type(std::string_view text);
  void append_rr(uint16_t type, size_t len, std::optional<uint32_t> ttl, const char* rec_begin,
                 uint32_t rec_line, const char* type_pos);

  const ParseOptions& opt_;
  Diagnostics& diag_;
  const SourceFile& file_;
  SegmentState& st_;
  SegmentOut& out_;
  grammar::RecordTokens toks_;
  std::unique_ptr<uint8_t[]> rdata_;
  RdataTextOptions rdata_opt_;
  Name name_;
  const Owner* owner_ = nullptr;  // Owner of st_.prev_owner in out_.store, if made
  Arena* arena_;
  size_t first_pending_;  // out_.pending entries before this builder's
  const char* anchor_ = nullptr;
  struct TypeMemo {
    char text[11];
    uint8_t len = 0;
    uint16_t type = 0;
  };
  static constexpr unsigned kTypeMemo = 8;
  TypeMemo type_memo_[kTypeMemo];
  unsigned memo_next_ = 0;
  bool stopped_ = false;
};

/// The class written on the first record of a zone file's text (skipping a leading byte order
/// mark, blank lines, comments and directives), or nullopt when that record states none or
/// does not tokenize.
std::optional<uint16_t> first_record_class(std::string_view text);

/// Parses every record in [begin, end) (a chunk without directives) into out.
void parse_chunk(const ParseOptions& options, Diagnostics& diag, const SourceFile& file,
                 const char* begin, const char* end, uint32_t first_line, SegmentState state,
                 SegmentOut& out);

}  // namespace zk::parser::detail
