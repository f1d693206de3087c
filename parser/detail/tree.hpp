// The input tree: one serial walk, in document order, over the zone file and everything it
// $INCLUDEs, before any record is parsed. It plans each file (chunking.hpp), reads each included
// file from disk once, and keeps the input budget (parser.hpp, InputBudget): $INCLUDEs followed,
// bytes read and expanded, records to make. The walk is serial so that the counts, and so
// whether and where a limit is hit, do not depend on the thread count. Internal to parser/.
#pragma once

#if !defined(ZK_INSIDE_PARSER) && !defined(ZK_WHITE_BOX)
#error "parser/detail/ is private to parser/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dns/result.hpp"
#include "parser/detail/context.hpp"

namespace zk::parser::detail {

/// One $INCLUDE that was followed: its directive, and the segments its file became.
struct IncludeSpan {
  const SourceFile* file = nullptr;  // the including file
  const char* begin = nullptr;       // the directive
  uint32_t line = 0;
  size_t first_seg = 0, end_seg = 0;  // [first_seg, end_seg) of InputTree::segments()
  uint32_t own_errors = 0;  // found while planning the included file or loading its includes
  int32_t parent = -1;      // enclosing span; -1: the top file
};

/// Reads a file into a SourceFile (buffer, text, dir); parser.cpp's load_file.
using FileLoader = Result<void> (*)(const std::string& path, SourceFile& out);

/// Walks one input tree. Not thread-safe; one per parse. Segments point into files the tree
/// owns, so the tree must outlive the parse of its segments.
class InputTree {
 public:
  InputTree(const ParseCtx& ctx, FileLoader load) : ctx_(ctx), load_(load) {}

  /// Walks the tree below top (already loaded; stack holds its canonical path when it has one).
  /// Returns false when a budget limit stopped the walk: the error is in ctx.diag and nothing
  /// may be parsed.
  bool walk(const SourceFile& top, SegmentState init, std::vector<std::string> stack);

  /// Every chunk and $GENERATE of the tree, in document order.
  std::vector<Segment>& segments() noexcept { return segs_; }
  const std::vector<IncludeSpan>& includes() const noexcept { return spans_; }

  /// What the walk counted (for tests and statistics).
  uint64_t input_bytes() const noexcept { return input_bytes_; }
  uint64_t read_bytes() const noexcept { return read_bytes_; }
  uint64_t records() const noexcept { return records_; }
  uint64_t include_count() const noexcept { return includes_; }

 private:
  void walk_file(const SourceFile& file, SegmentState st, int32_t span);
  void include(const SourceFile& parent, Segment& seg, int32_t span);
  const SourceFile* open_include(const SourceFile& parent, const Segment& seg, int32_t span);
  bool charge_bytes(uint64_t n, const SourceFile& file, const char* rec_begin, uint32_t line);
  void check_records();
  void check_expanded_bytes();
  void stop(std::string detail, const SourceFile& file, const char* rec_begin, uint32_t line);
  void add_errors(int32_t span, uint32_t n);

  const ParseCtx& ctx_;
  FileLoader load_;
  std::vector<std::string> stack_;  // canonical paths of the files being read
  std::vector<Segment> segs_;
  std::vector<IncludeSpan> spans_;
  struct GenerateCharge {
    size_t seg;           // index in segs_
    uint64_t read_bytes;  // read_bytes_ once it was charged
  };
  std::vector<GenerateCharge> generates_;
  std::deque<SourceFile> files_;  // included files, one per path (stable addresses)
  std::unordered_map<std::string, const SourceFile*> by_path_;
  std::map<std::pair<dev_t, ino_t>, const SourceFile*> by_inode_;  // hard links share a buffer
  uint64_t includes_ = 0, input_bytes_ = 0, read_bytes_ = 0, records_ = 0;
  bool stopped_ = false;
};

}  // namespace zk::parser::detail
