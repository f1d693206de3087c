// Chunking: the serial pass over one file that finds record boundaries, applies $ORIGIN and
// $TTL, resolves $INCLUDE paths and cuts the file into segments that are parsed in parallel.
// Internal to parser/.
#pragma once

#include <string>
#include <vector>

#include "parser/detail/context.hpp"
#include "parser/detail/scanner.hpp"
#include "parser/grammar/ast.hpp"

namespace zk::parser::detail {

/// Plans one file. Chunks end before a record with an explicit owner once they reach
/// ParseOptions::chunk_bytes, so blank-owner inheritance stays inside a chunk; each directive
/// ends a chunk, and $INCLUDE/$GENERATE become segments of their own. Errors in directives are
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
  // directives.cpp
  void directive(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs);
  void include(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs);

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
