#include "parser/detail/tree.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cassert>
#include <filesystem>

#include "parser/detail/chunking.hpp"
#include "parser/detail/scanner.hpp"

namespace zk::parser {

uint64_t records_limit(const InputBudget& budget, uint64_t input_bytes) noexcept {
  if (budget.max_records != 0) return budget.max_records;
  return std::max(kMinRecordsBudget, input_bytes / kInputBytesPerRecord);
}

uint64_t input_bytes_limit(const InputBudget& budget, uint64_t input_bytes) noexcept {
  if (budget.max_input_bytes != 0) return budget.max_input_bytes;
  return std::max(kMinInputBytesBudget, kInputBytesFactor * input_bytes);
}

namespace detail {
namespace {

// "input budget exceeded: 20000003 records (limit --max-records 1000000, the default for 806
// bytes of input)": the count, the limit, the flag that raises it, and where a default came from.
std::string over_budget(uint64_t count, const char* what, const char* flag, uint64_t limit,
                        bool is_default, uint64_t input_bytes) {
  std::string s = "input budget exceeded: " + std::to_string(count) + " " + what + " (limit " +
                  flag + " " + std::to_string(limit);
  if (is_default) s += ", the default for " + std::to_string(input_bytes) + " bytes of input";
  return s + ")";
}

}  // namespace

bool InputTree::walk(const SourceFile& top, SegmentState init, std::vector<std::string> stack) {
  stack_ = std::move(stack);
  input_bytes_ = top.text.size();
  if (!charge_bytes(top.text.size(), top, top.text.data(), 1)) return false;
  walk_file(top, std::move(init), -1);
  // Records and what $GENERATE expands cost nothing until the segments are parsed, so they are
  // checked once the whole tree is known: against the limits for its full input size.
  if (!stopped_) check_records();
  if (!stopped_) check_expanded_bytes();
  return !stopped_;
}

void InputTree::walk_file(const SourceFile& file, SegmentState st, int32_t span) {
  std::vector<Segment> segs;
  {
    Planner planner(ctx_, file, stack_);
    planner.plan(std::move(st), segs);
    add_errors(span, planner.errors());
  }
  for (Segment& s : segs) {
    if (stopped_ || ctx_.diag.full()) return;
    s.file = &file;
    switch (s.kind) {
      case SegKind::Include:
        include(file, s, span);
        break;
      case SegKind::Generate:
        read_bytes_ += s.bytes;
        records_ += s.records;
        generates_.push_back({segs_.size(), read_bytes_});
        segs_.push_back(std::move(s));
        break;
      case SegKind::Chunk:
        records_ += s.records;
        segs_.push_back(std::move(s));
        break;
    }
  }
}

void InputTree::include(const SourceFile& parent, Segment& seg, int32_t span) {
  const InputBudget& b = ctx_.opt.budget;
  if (++includes_ > b.max_includes) {
    stop(over_budget(includes_, "$INCLUDE directives", "--max-includes", b.max_includes, false, 0),
         parent, seg.begin, seg.line);
    return;
  }
  const SourceFile* file = open_include(parent, seg, span);
  if (file == nullptr) return;
  spans_.push_back(IncludeSpan{&parent, seg.begin, seg.line, segs_.size(), 0, 0, span});
  const auto me = static_cast<int32_t>(spans_.size() - 1);
  stack_.push_back(seg.include_path);
  walk_file(*file, std::move(seg.state), me);
  stack_.pop_back();
  spans_[static_cast<size_t>(me)].end_seg = segs_.size();
}

// The included file, read once per inode and charged to the budget each time it is included.
// nullptr when it cannot be read (reported) or the budget stops the walk.
const SourceFile* InputTree::open_include(const SourceFile& parent, const Segment& seg,
                                          int32_t span) {
  const std::string& path = seg.include_path;
  if (auto it = by_path_.find(path); it != by_path_.end()) {
    return charge_bytes(it->second->text.size(), parent, seg.begin, seg.line) ? it->second
                                                                              : nullptr;
  }
  auto cannot_read = [&]() -> const SourceFile* {
    report(ctx_.diag, Severity::Error, Errc::IncludeError, "cannot read $INCLUDE file " + path,
           parent, seg.begin, seg.line, seg.begin);
    add_errors(span, 1);
    return nullptr;
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return cannot_read();
  const auto inode = std::make_pair(st.st_dev, st.st_ino);
  SourceFile f;
  const auto same = by_inode_.find(inode);
  if (same != by_inode_.end()) {
    if (!charge_bytes(same->second->text.size(), parent, seg.begin, seg.line)) return nullptr;
    f.buffer = same->second->buffer;
    f.text = same->second->text;
    f.dir = std::filesystem::path(path).parent_path().string();
  } else {
    // Charged before it is read, so that a limit refuses a huge file without reading it.
    const auto size = static_cast<uint64_t>(st.st_size);
    input_bytes_ += size;
    if (!charge_bytes(size, parent, seg.begin, seg.line)) return nullptr;
    if (!load_(path, f)) return cannot_read();
    // The file may have changed since stat(); count what was read.
    input_bytes_ = input_bytes_ - size + f.text.size();
    read_bytes_ = read_bytes_ - size + f.text.size();
  }
  f.index = ctx_.diag.add_file(path);
  files_.push_back(std::move(f));
  const SourceFile* p = &files_.back();
  by_path_.emplace(path, p);
  if (same == by_inode_.end()) by_inode_.emplace(inode, p);
  return p;
}

bool InputTree::charge_bytes(uint64_t n, const SourceFile& file, const char* rec_begin,
                             uint32_t line) {
  read_bytes_ += n;
  const InputBudget& b = ctx_.opt.budget;
  const uint64_t limit = input_bytes_limit(b, input_bytes_);
  if (read_bytes_ <= limit) return true;
  stop(over_budget(read_bytes_, "bytes of zone text read and expanded", "--max-input-bytes", limit,
                   b.max_input_bytes == 0, input_bytes_),
       file, rec_begin, line);
  return false;
}

// Every segment's record count is an upper bound, so a tree within the limit cannot make more
// records when it is parsed. Over it, the error points at the record or $GENERATE that passes
// the limit, and nothing is parsed.
void InputTree::check_records() {
  const InputBudget& b = ctx_.opt.budget;
  const uint64_t limit = records_limit(b, input_bytes_);
  if (records_ <= limit) return;
  const std::string why =
      over_budget(records_, "records", "--max-records", limit, b.max_records == 0, input_bytes_);
  uint64_t seen = 0;
  for (const Segment& s : segs_) {
    if (seen + s.records <= limit) {
      seen += s.records;
      continue;
    }
    const char* at = s.begin;
    uint32_t line = s.line;
    if (s.kind == SegKind::Chunk) {
      RecordSpan r;
      uint32_t l = s.line;
      for (const char* p = s.begin; p < s.end; p = r.next) {
        scan_record(p, s.end, r);
        if (holds_record(r) && ++seen > limit) {
          at = r.begin;
          line = l;
          break;
        }
        l += r.newlines;
      }
    }
    stop(why, *s.file, at, line);
    return;
  }
  assert(false && "records_ is the sum of the segments' records");
}

// The walk kept the bytes read within the limit for the input seen so far, which the limit for
// the whole input only raises; so a total over the limit is passed at a $GENERATE.
void InputTree::check_expanded_bytes() {
  const InputBudget& b = ctx_.opt.budget;
  const uint64_t limit = input_bytes_limit(b, input_bytes_);
  if (read_bytes_ <= limit) return;
  for (const auto& [seg, total] : generates_) {
    if (total <= limit) continue;
    const Segment& s = segs_[seg];
    stop(over_budget(read_bytes_, "bytes of zone text read and expanded", "--max-input-bytes",
                     limit, b.max_input_bytes == 0, input_bytes_),
         *s.file, s.begin, s.line);
    return;
  }
  assert(false && "only $GENERATE adds bytes after the walk's own checks");
}

void InputTree::stop(std::string detail, const SourceFile& file, const char* rec_begin,
                     uint32_t line) {
  stopped_ = true;
  report(ctx_.diag, Severity::Error, Errc::LimitExceeded, std::move(detail), file, rec_begin, line,
         rec_begin);
}

void InputTree::add_errors(int32_t span, uint32_t n) {
  if (span >= 0) spans_[static_cast<size_t>(span)].own_errors += n;
}

}  // namespace detail
}  // namespace zk::parser
