// Chunking: the serial pass over one file that finds record boundaries, applies $ORIGIN and
// $TTL, resolves $INCLUDE paths and cuts the file into segments that are parsed in parallel.
// Internal to parser/.
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <optional>
#include <string>
#include <vector>

#include "parser/detail/context.hpp"
#include "parser/detail/scanner.hpp"
#include "parser/grammar/ast.hpp"

namespace zk::parser::detail {

/// True when a record span from scan_record is a record (not a directive, blank line or
/// comment). The planner counts these for the input budget; each gives at most one record.
bool holds_record(const RecordSpan& span) noexcept;

/// A problem with a directive: what, and where (a pointer into the directive's text).
struct DirectiveProblem {
  Errc code;
  std::string detail;
  const char* pos;
};

/// True for $ORIGIN and $TTL (tokens of a directive). They only change the state records are
/// read with, so they stay inside a chunk and are applied again by parse_chunk; a file with a
/// directive every other line then costs no more segments than any other.
bool is_state_directive(const grammar::RecordTokens& toks) noexcept;

/// Applies a $ORIGIN or $TTL directive (toks; after = the end of its text) to st. Returns what
/// is wrong with it instead, leaving st as it was.
std::optional<DirectiveProblem> apply_state_directive(const grammar::RecordTokens& toks,
                                                      const char* after, NameSyntax syntax,
                                                      SegmentState& st);

/// Plans one file. Chunks end before a record with an explicit owner once they reach
/// ParseOptions::chunk_bytes, so blank-owner inheritance stays inside a chunk; $INCLUDE and
/// $GENERATE end a chunk and become segments of their own ($ORIGIN and $TTL stay inside). Each
/// segment carries what it may cost (Segment::records, Segment::bytes). Errors in directives are
/// reported to ctx.diag here. Not thread-safe; one Planner per file.
class Planner {
 public:
  Planner(const ParseCtx& ctx, const SourceFile& file, const std::vector<std::string>& stack)
      : ctx_(ctx), file_(file), stack_(stack) {}

  void plan(SegmentState st, std::vector<Segment>& segs);
  uint32_t errors() const noexcept { return errors_; }

 private:
  void resolve_prev_owner();
  void error(Errc code, std::string detail, const RecordSpan& span, uint32_t line, const char* pos);
  // directives.cpp. read_directive checks and tokenizes a directive into toks_ (false: it was
  // reported and is skipped); then state_directive applies $ORIGIN/$TTL, directive the rest.
  bool read_directive(const RecordSpan& span, uint32_t line);
  void state_directive(const RecordSpan& span, uint32_t line);
  void directive(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs);
  void include(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs);
  std::optional<std::string> include_path(const std::string& rel, const RecordSpan& span,
                                          uint32_t line);

  const ParseCtx& ctx_;
  const SourceFile& file_;
  const std::vector<std::string>& stack_;  // canonical paths of the files being read
  SegmentState st_;
  grammar::RecordTokens toks_;
  const char* last_owner_rec_ = nullptr;
  bool owner_dirty_ = false;
  bool origin_changed_ = false;
  uint32_t errors_ = 0;
};

}  // namespace zk::parser::detail
