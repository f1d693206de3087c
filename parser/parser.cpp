#include "parser/parser.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "dns/rrtype.hpp"
#include "parser/detail/context.hpp"
#include "parser/detail/generate.hpp"
#include "parser/detail/records.hpp"
#include "parser/detail/scanner.hpp"
#include "parser/detail/ttl.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser {
namespace {

namespace fs = std::filesystem;
using detail::RecordBuilder;
using detail::RecordSpan;
using detail::SegmentOut;
using detail::SegmentState;
using detail::SourceFile;

/// Read-only context of one parse_file/parse_text call, shared by all tasks.
struct ParseCtx {
  const ParseOptions& opt;
  Diagnostics& diag;
  std::vector<std::string> allowed_dirs;  // canonical, each ending in '/'
};

enum class SegKind : uint8_t { Chunk, Include, Generate };

struct Segment {
  SegKind kind = SegKind::Chunk;
  const char* begin = nullptr;  // chunk text, or the directive record
  const char* end = nullptr;
  uint32_t line = 1;
  SegmentState state;
  std::string include_path;  // canonical path of an $INCLUDE
};

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(static_cast<uint8_t>(a[i])) != ascii_lower(static_cast<uint8_t>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool starts_owner(char c) noexcept {
  return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ';' && c != '(' && c != '$';
}

uint32_t soa_minimum(const RR& rr) noexcept {
  if (rr.rdlen < 4) return 0;
  const uint8_t* p = rr.rdata + rr.rdlen - 4;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

Result<void> load_file(const std::string& path, SourceFile& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail(Errc::Io, "cannot open " + path);
  std::string err;
  long size = -1;
  if (std::fseek(f, 0, SEEK_END) == 0) size = std::ftell(f);
  if (size < 0 || std::fseek(f, 0, SEEK_SET) != 0) {
    std::fclose(f);
    return fail(Errc::Io, "cannot read " + path);
  }
  // Only the padding needs zeroing; zero-filling the whole buffer costs a pass over it.
  out.buffer.reset(new char[static_cast<size_t>(size) + detail::kPadding]);
  std::memset(out.buffer.get() + size, 0, detail::kPadding);
  const size_t got = std::fread(out.buffer.get(), 1, static_cast<size_t>(size), f);
  std::fclose(f);
  if (got != static_cast<size_t>(size)) return fail(Errc::Io, "cannot read " + path);
  out.text = std::string_view(out.buffer.get(), got);
  out.dir = fs::path(path).parent_path().string();
  if (out.dir.empty()) out.dir = ".";
  return ok();
}

std::string dir_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  std::string s = c.string();
  if (s.empty() || s.back() != '/') s.push_back('/');
  return s;
}

void parse_source(const ParseCtx& ctx, const SourceFile& file, SegmentState init,
                  const std::vector<std::string>& stack, SegmentOut& out);

/// Serial pass over one file: cuts it into chunks at records with an explicit owner, applies
/// $ORIGIN/$TTL, and turns $INCLUDE/$GENERATE into their own segments.
class Planner {
 public:
  Planner(const ParseCtx& ctx, const SourceFile& file, const std::vector<std::string>& stack)
      : ctx_(ctx), file_(file), stack_(stack) {}

  uint32_t errors() const noexcept { return errors_; }

  void plan(SegmentState st, std::vector<Segment>& segs) {
    st_ = std::move(st);
    const char* b = file_.text.data();
    const char* e = b + file_.text.size();
    const char* seg_start = b;
    uint32_t seg_line = 1;
    SegmentState seg_state = st_;
    uint32_t line = 1;
    RecordSpan span;
    const size_t chunk = std::max<size_t>(ctx_.opt.chunk_bytes, 1);
    auto flush = [&](const char* upto) {
      if (upto <= seg_start) return;
      Segment s;
      s.begin = seg_start;
      s.end = upto;
      s.line = seg_line;
      s.state = seg_state;
      segs.push_back(std::move(s));
    };
    for (const char* p = b; p < e;) {
      detail::scan_record(p, e, span);
      const uint32_t rec_line = line;
      line += span.newlines;
      const char c = *p;
      if (c == '$') {
        flush(p);
        resolve_prev_owner();
        directive(span, rec_line, segs);
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
      }
      p = span.next;
    }
    flush(e);
  }

 private:
  // The owner a blank-owner record after a directive inherits: the last explicit owner,
  // read with the origin that was in effect for it.
  void resolve_prev_owner() {
    if (!owner_dirty_) return;
    owner_dirty_ = false;
    RecordSpan span;
    const char* e = file_.text.data() + file_.text.size();
    detail::scan_record(last_owner_rec_, e, span);
    st_.has_prev_owner = false;
    if (span.issue != detail::ScanIssue::None) return;
    if (grammar::tokenize_record(span.begin, span.end, toks_) || toks_.tokens.empty()) return;
    if (toks_.tokens[0].quoted) return;
    if (name_from_text(toks_.tokens[0].text, st_.origin_view(), st_.prev_owner)) {
      st_.has_prev_owner = true;
    }
  }

  void error(Errc code, std::string detail, const RecordSpan& span, uint32_t line,
             const char* pos) {
    ++errors_;
    detail::report(ctx_.diag, Severity::Error, code, std::move(detail), file_, span.begin, line,
                   pos);
  }

  void directive(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs) {
    if (span.issue != detail::ScanIssue::None) {
      error(Errc::Syntax, std::string(detail::scan_issue_text(span.issue)), span, line,
            span.issue_pos);
      return;
    }
    if (const char* bad = grammar::tokenize_record(span.begin, span.end, toks_)) {
      error(Errc::Syntax, "unexpected character in directive", span, line, bad);
      return;
    }
    const auto& t = toks_.tokens;
    const std::string_view name = t[0].text;
    const char* after = span.end;
    auto arg_pos = [&](size_t i) { return i < t.size() ? t[i].text.data() : after; };
    if (iequal(name, "$ORIGIN")) {
      if (t.size() != 2) {
        error(Errc::BadDirective, "$ORIGIN expects one domain name", span, line, arg_pos(t.size() < 2 ? 1 : 2));
        return;
      }
      Name o;
      if (!detail::is_absolute_or_at(t[1].text)) {
        error(Errc::BadDirective, "$ORIGIN must be an absolute name (ending in a dot)", span,
              line, t[1].text.data());
        return;
      }
      if (!detail::name_chars_ok(t[1].text)) {
        error(Errc::BadName, "unescaped special character in $ORIGIN", span, line,
              t[1].text.data());
        return;
      }
      if (auto r = name_from_text(t[1].text, st_.origin_view(), o); !r) {
        error(r.error().code, "bad $ORIGIN: " + r.error().detail, span, line, t[1].text.data());
        return;
      }
      st_.origin = o;
      st_.has_origin = true;
      origin_changed_ = true;
      return;
    }
    if (iequal(name, "$TTL")) {
      if (t.size() != 2) {
        error(Errc::BadDirective, "$TTL expects one ttl value", span, line, arg_pos(t.size() < 2 ? 1 : 2));
        return;
      }
      auto r = detail::parse_ttl(t[1].text);
      if (!r) {
        error(r.error().code, "bad $TTL: " + r.error().detail, span, line, t[1].text.data());
        return;
      }
      st_.has_dollar_ttl = true;
      st_.dollar_ttl = *r;
      return;
    }
    if (iequal(name, "$INCLUDE")) {
      include(span, line, segs);
      return;
    }
    if (iequal(name, "$GENERATE")) {
      Segment s;
      s.kind = SegKind::Generate;
      s.begin = span.begin;
      s.end = span.end;
      s.line = line;
      s.state = st_;
      segs.push_back(std::move(s));
      return;
    }
    error(Errc::BadDirective, "unknown directive (expected $ORIGIN, $TTL, $INCLUDE or $GENERATE)",
          span, line, t[0].text.data());
  }

  void include(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs) {
    const auto& t = toks_.tokens;
    if (!ctx_.opt.allow_include) {
      error(Errc::IncludeError, "$INCLUDE is not allowed", span, line, t[0].text.data());
      return;
    }
    if (t.size() < 2 || t.size() > 3) {
      error(Errc::BadDirective, "$INCLUDE expects a file name and an optional origin", span,
            line, t.size() < 2 ? span.end : t[3].text.data());
      return;
    }
    std::string rel;
    if (!detail::unescape_text(t[1].text, rel) || rel.empty()) {
      error(Errc::BadDirective, "bad $INCLUDE file name", span, line, t[1].text.data());
      return;
    }
    SegmentState inc;
    inc.origin = st_.origin;
    inc.has_origin = st_.has_origin;
    inc.has_dollar_ttl = st_.has_dollar_ttl;
    inc.dollar_ttl = st_.dollar_ttl;
    // BIND: an included file continues the including file's owner; warn when its origin
    // differs from the one that owner was read with.
    inc.prev_owner = st_.prev_owner;
    inc.has_prev_owner = st_.has_prev_owner;
    inc.warn_inherited = origin_changed_ || t.size() == 3;
    if (t.size() == 3) {
      if (!detail::is_absolute_or_at(t[2].text)) {
        error(Errc::BadDirective, "$INCLUDE origin must be an absolute name (ending in a dot)",
              span, line, t[2].text.data());
        return;
      }
      if (auto r = name_from_text(t[2].text, st_.origin_view(), inc.origin); !r) {
        error(r.error().code, "bad $INCLUDE origin: " + r.error().detail, span, line,
              t[2].text.data());
        return;
      }
      inc.has_origin = true;
    }
    fs::path p(rel);
    if (p.is_relative()) {
      const std::string& base =
          ctx_.opt.include_base_dir.empty() ? file_.dir : ctx_.opt.include_base_dir;
      if (base.empty()) {
        error(Errc::IncludeError, "relative $INCLUDE path but no base directory is known", span,
              line, t[1].text.data());
        return;
      }
      p = fs::path(base) / p;
    }
    std::error_code ec;
    const std::string canon = fs::weakly_canonical(fs::absolute(p, ec), ec).string();
    if (ec || canon.empty()) {
      error(Errc::IncludeError, "cannot resolve $INCLUDE path", span, line, t[1].text.data());
      return;
    }
    const bool allowed = std::any_of(
        ctx_.allowed_dirs.begin(), ctx_.allowed_dirs.end(),
        [&](const std::string& d) { return canon.compare(0, d.size(), d) == 0; });
    if (!allowed) {
      error(Errc::IncludeError,
            "$INCLUDE file is outside the zone's directory and the allowed include directories",
            span, line, t[1].text.data());
      return;
    }
    if (std::find(stack_.begin(), stack_.end(), canon) != stack_.end()) {
      error(Errc::IncludeError, "$INCLUDE loop: file is already being read", span, line,
            t[1].text.data());
      return;
    }
    if (stack_.size() > ctx_.opt.limits.max_include_depth) {
      error(Errc::IncludeError, "$INCLUDE nested deeper than the limit of " +
                                    std::to_string(ctx_.opt.limits.max_include_depth),
            span, line, t[1].text.data());
      return;
    }
    Segment s;
    s.kind = SegKind::Include;
    s.begin = span.begin;
    s.end = span.end;
    s.line = line;
    s.state = std::move(inc);
    s.include_path = canon;
    segs.push_back(std::move(s));
  }

  const ParseCtx& ctx_;
  const SourceFile& file_;
  const std::vector<std::string>& stack_;
  SegmentState st_;
  grammar::RecordTokens toks_;
  const char* last_owner_rec_ = nullptr;
  bool owner_dirty_ = false;
  bool origin_changed_ = false;
  uint32_t errors_ = 0;
};

void run_include(const ParseCtx& ctx, const SourceFile& file, const Segment& seg,
                 const std::vector<std::string>& stack, SegmentOut& out) {
  SourceFile inc;
  if (auto r = load_file(seg.include_path, inc); !r) {
    detail::report(ctx.diag, Severity::Error, Errc::IncludeError,
                   "cannot read $INCLUDE file " + seg.include_path, file, seg.begin, seg.line,
                   seg.begin);
    ++out.errors;
    return;
  }
  inc.index = ctx.diag.add_file(seg.include_path);
  std::vector<std::string> st2 = stack;
  st2.push_back(seg.include_path);
  parse_source(ctx, inc, seg.state, st2, out);
  if (out.errors > 0) {
    // Also flag the directive, so the including file shows where the failure came from.
    detail::report(ctx.diag, Severity::Error, Errc::IncludeError,
                   "$INCLUDE file has " + std::to_string(out.errors) + " error(s)", file,
                   seg.begin, seg.line, seg.begin);
    ++out.errors;
  }
}

bool is_ttl_or_class(std::string_view t) noexcept {
  if (detail::looks_like_ttl(t)) return true;
  return class_from_text(t).has_value() || iequal(t, "CS") || iequal(t, "NONE") ||
         iequal(t, "ANY");
}

void run_generate(const ParseCtx& ctx, const SourceFile& file, const Segment& seg,
                  SegmentOut& out) {
  SegmentState state = seg.state;
  RecordBuilder rb(ctx.opt, ctx.diag, file, state, out);
  grammar::RecordTokens src;
  auto err = [&](Errc code, std::string d, const char* pos) {
    ++out.errors;
    detail::report(ctx.diag, Severity::Error, code, std::move(d), file, seg.begin, seg.line, pos);
  };
  if (const char* bad = grammar::tokenize_record(seg.begin, seg.end, src)) {
    err(Errc::Syntax, "unexpected character in $GENERATE", bad);
    return;
  }
  const auto& t = src.tokens;
  if (t.size() < 5) {
    err(Errc::BadDirective, "$GENERATE expects range lhs [ttl] [class] type rhs", seg.end);
    return;
  }
  auto range = detail::parse_generate_range(t[1].text);
  if (!range) {
    err(range.error().code, std::move(range.error().detail), t[1].text.data());
    return;
  }
  if (range->count() > ctx.opt.limits.max_generate_records) {
    err(Errc::LimitExceeded, "$GENERATE range expands to more than " +
                                 std::to_string(ctx.opt.limits.max_generate_records) +
                                 " records",
        t[1].text.data());
    return;
  }
  size_t ti = 3;
  while (ti < t.size() && !t[ti].quoted && is_ttl_or_class(t[ti].text)) ++ti;
  if (ti + 1 >= t.size()) {
    err(Errc::BadDirective, "$GENERATE expects range lhs [ttl] [class] type rhs", seg.end);
    return;
  }
  for (size_t k = 2; k < t.size(); ++k) {
    if (k > 2 && k <= ti) continue;
    if (auto r = detail::check_generate_template(t[k].text, *range); !r) {
      err(r.error().code, std::move(r.error().detail), t[k].text.data());
      return;
    }
  }
  std::string text;
  std::vector<size_t> ends;
  grammar::RecordTokens rec;
  rec.has_owner = true;
  for (int64_t v = range->start; v <= range->stop && !rb.stopped(); v += range->step) {
    text.clear();
    ends.clear();
    detail::expand_generate_template(t[2].text, v, text);
    ends.push_back(text.size());
    for (size_t k = ti + 1; k < t.size(); ++k) {
      detail::expand_generate_template(t[k].text, v, text);
      ends.push_back(text.size());
    }
    rec.tokens.clear();
    rec.tokens.push_back({std::string_view(text.data(), ends[0]), false});
    for (size_t k = 3; k <= ti; ++k) rec.tokens.push_back(t[k]);
    for (size_t k = ti + 1, j = 1; k < t.size(); ++k, ++j) {
      rec.tokens.push_back({std::string_view(text.data() + ends[j - 1], ends[j] - ends[j - 1]),
                            t[k].quoted});
    }
    rb.tokens_record(rec, seg.begin, seg.line, t[2].text.data());
  }
}

void parse_source(const ParseCtx& ctx, const SourceFile& file, SegmentState init,
                  const std::vector<std::string>& stack, SegmentOut& out) {
  std::vector<Segment> segs;
  uint32_t planner_errors = 0;
  {
    Planner planner(ctx, file, stack);
    planner.plan(std::move(init), segs);
    planner_errors = planner.errors();
  }
  std::vector<SegmentOut> outs(segs.size());
  auto run = [&](size_t i) {
    const Segment& s = segs[i];
    if (ctx.diag.full()) return;
    switch (s.kind) {
      case SegKind::Chunk:
        detail::parse_chunk(ctx.opt, ctx.diag, file, s.begin, s.end, s.line, s.state, outs[i]);
        break;
      case SegKind::Include:
        run_include(ctx, file, s, stack, outs[i]);
        break;
      case SegKind::Generate:
        run_generate(ctx, file, s, outs[i]);
        break;
    }
  };
  if (segs.size() == 1) {
    run(0);
  } else {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, segs.size(), 1),
                      [&](const tbb::blocked_range<size_t>& r) {
                        for (size_t i = r.begin(); i != r.end(); ++i) run(i);
                      });
  }
  for (auto& o : outs) detail::append_segment(out, std::move(o));
  out.errors += planner_errors;
}

// Records whose TTL nothing in the file determined: the default TTL if the caller set one,
// else the SOA MINIMUM (BIND's rule, with a warning), else an error.
void resolve_pending(const ParseOptions& opt, Diagnostics& diag, SegmentOut& out) {
  if (out.pending.empty()) return;
  bool have_fallback = false;
  uint32_t fallback = 0;
  bool removed = false;
  for (auto& p : out.pending) {
    uint32_t failed = 0;
    for (uint32_t i = p.first; i < p.first + p.count; ++i) {
      RR& rr = out.store.rrs[i];
      if (opt.default_ttl_set) {
        rr.ttl = opt.default_ttl;
      } else if (have_fallback) {
        rr.ttl = fallback;
      } else if (rr.type == rrtype::SOA) {
        fallback = std::min(soa_minimum(rr), detail::kMaxTtl);
        have_fallback = true;
        rr.ttl = fallback;
        diag.warning(Error{Errc::BadTtl, p.pos, "no ttl specified; using the soa minimum"},
                     p.line);
      } else {
        rr.type = 0;
        ++failed;
      }
    }
    if (failed > 0) {
      // One report per run (at its first record) rather than one per record.
      diag.error(Error{Errc::BadTtl, p.pos,
                       "no ttl specified and no $TTL, earlier ttl or soa (" +
                           std::to_string(failed) + " record(s))"},
                 p.line);
      removed = true;
    }
  }
  out.pending.clear();
  if (removed) {
    std::erase_if(out.store.rrs, [](const RR& rr) { return rr.type == 0; });
  }
}

Result<void> parse_top(SourceFile& file, const std::string& allowed_root,
                       const std::string& self_path, const ParseOptions& options,
                       ZoneStore& store, Diagnostics& diag) {
  ParseCtx ctx{options, diag, {}};
  if (!allowed_root.empty()) ctx.allowed_dirs.push_back(dir_key(allowed_root));
  for (const auto& d : options.include_dirs) ctx.allowed_dirs.push_back(dir_key(d));
  SegmentState init;
  if (options.origin_set) {
    init.origin = options.origin;
    init.has_origin = true;
  }
  std::vector<std::string> stack;
  if (!self_path.empty()) stack.push_back(self_path);
  SegmentOut out;
  auto work = [&] { parse_source(ctx, file, init, stack, out); };
  if (options.threads > 0) {
    tbb::task_arena arena(static_cast<int>(options.threads));
    arena.execute(work);
  } else {
    work();
  }
  resolve_pending(options, diag, out);
  if (store.rrs.size() + out.store.rrs.size() > options.limits.max_records) {
    diag.error(Error{Errc::LimitExceeded, SourcePos{file.index, 0, 0, 0},
                     "zone has more records than the limit of " +
                         std::to_string(options.limits.max_records)});
    const size_t keep = options.limits.max_records > store.rrs.size()
                            ? options.limits.max_records - store.rrs.size()
                            : 0;
    if (out.store.rrs.size() > keep) out.store.rrs.resize(keep);
  }
  store.origin = options.origin;
  store.rclass = options.default_class;
  store.absorb(std::move(out.store));
  return ok();
}

}  // namespace

Result<void> parse_file(const std::string& path, const ParseOptions& options, ZoneStore& store,
                        Diagnostics& diag) {
  SourceFile file;
  if (auto r = load_file(path, file); !r) return r;
  file.index = diag.add_file(path);
  std::error_code ec;
  const std::string self = fs::weakly_canonical(fs::absolute(path, ec), ec).string();
  return parse_top(file, file.dir, self, options, store, diag);
}

Result<void> parse_text(std::string_view text, const std::string& file_name,
                        const std::string& base_dir, const ParseOptions& options,
                        ZoneStore& store, Diagnostics& diag) {
  SourceFile file;
  file.buffer.reset(new char[text.size() + detail::kPadding]);
  std::memset(file.buffer.get() + text.size(), 0, detail::kPadding);
  if (!text.empty()) std::memcpy(file.buffer.get(), text.data(), text.size());
  file.text = std::string_view(file.buffer.get(), text.size());
  file.dir = base_dir;
  file.index = diag.add_file(file_name);
  return parse_top(file, base_dir, {}, options, store, diag);
}

}  // namespace zk::parser
