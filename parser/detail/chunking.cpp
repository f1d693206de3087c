#include "parser/detail/chunking.hpp"

#include <algorithm>
#include <string_view>

#include "dns/big_alloc.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser::detail {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool starts_owner(char c) noexcept {
  return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ';' && c != '(' && c != '$';
}

}  // namespace

bool holds_record(const RecordSpan& span) noexcept {
  const char c = *span.begin;
  if (c == '$') return false;
  return starts_owner(c) || !record_is_blank(span.begin, span.end);
}

void Planner::plan(SegmentState st, std::vector<Segment>& segs) {
  st_ = std::move(st);
  const char* b = file_.text.data();
  const char* e = b + file_.text.size();
  const char* seg_start = b;
  uint32_t seg_line = 1;
  SegmentState seg_state = st_;
  uint32_t line = 1;
  RecordSpan span;
  const size_t chunk = std::max<size_t>(ctx_.opt.chunk_bytes, 1);
  uint64_t seg_records = 0;
  auto flush = [&](const char* upto) {
    if (upto <= seg_start) return;
    Segment s;
    s.begin = seg_start;
    s.end = upto;
    s.line = seg_line;
    s.state = seg_state;
    s.records = seg_records;
    s.bytes = static_cast<uint64_t>(upto - seg_start);
    segs.push_back(std::move(s));
    seg_records = 0;
  };
  const char* p = b;
  if (file_.text.starts_with(kUtf8Bom)) {
    // BIND, Knot and ldns all read the mark as part of the first owner (or directive) and
    // fail with a message that does not name it, or load a wrong name: say what it is, then
    // go on after it so the rest of the file is still checked.
    detail::scan_record(b, e, span);
    error(Errc::Syntax,
          "file starts with a UTF-8 byte order mark (EF BB BF); zone files have none: save the "
          "file without it",
          span, 1, b);
    p = b + kUtf8Bom.size();
    seg_start = p;
  }
  // A mapped copy's pages are given back behind the scan (SourceFile::refaultable), so that
  // planning a file larger than memory keeps only a window of it resident.
  constexpr size_t kReleaseStep = size_t{16} << 20;
  const char* released = p;
  for (; p < e;) {
    if (file_.refaultable && static_cast<size_t>(p - released) >= kReleaseStep) {
      release_pages(const_cast<char*>(released), static_cast<size_t>(p - released));
      released = p;
    }
    detail::scan_record(p, e, span);
    const uint32_t rec_line = line;
    line += span.newlines;
    const char c = *p;
    if (c == '$') {
      // The owner a blank-owner record after the directive inherits, read with the origin
      // before it.
      resolve_prev_owner();
      const bool read = read_directive(span, rec_line);
      if (read && is_state_directive(toks_)) {
        state_directive(span, rec_line);  // stays inside the chunk
        p = span.next;
        continue;
      }
      flush(p);
      if (read) directive(span, rec_line, segs);
      seg_start = span.next;
      seg_line = line;
      seg_state = st_;
      seg_state.warn_inherited = origin_changed_;
    } else if (starts_owner(c)) {
      if (static_cast<size_t>(p - seg_start) >= chunk) {
        flush(p);
        seg_start = p;
        seg_line = rec_line;
        seg_state = st_;
        seg_state.warn_inherited = false;
      }
      last_owner_rec_ = p;
      owner_dirty_ = true;
      origin_changed_ = false;
      ++seg_records;
    } else if (holds_record(span)) {
      ++seg_records;  // a record with a blank owner
    }
    p = span.next;
  }
  flush(e);
}

// The owner a blank-owner record after a directive inherits: the last explicit owner,
// read with the origin that was in effect for it.
void Planner::resolve_prev_owner() {
  if (!owner_dirty_) return;
  owner_dirty_ = false;
  RecordSpan span;
  const char* e = file_.text.data() + file_.text.size();
  detail::scan_record(last_owner_rec_, e, span);
  st_.has_prev_owner = false;
  if (span.issue != detail::ScanIssue::None) return;
  if (grammar::tokenize_record(span.begin, span.end, toks_) || toks_.tokens.empty()) return;
  if (toks_.tokens[0].quoted) return;
  if (name_from_text(toks_.tokens[0].text, st_.origin_view(), st_.prev_owner,
                     ctx_.opt.name_syntax)) {
    st_.has_prev_owner = true;
  }
}

void Planner::error(Errc code, std::string detail, const RecordSpan& span, uint32_t line,
                    const char* pos) {
  ++errors_;
  detail::report(ctx_.diag, Severity::Error, code, std::move(detail), file_, span.begin, line, pos);
}

}  // namespace zk::parser::detail
