// Directive handling of the Planner: $ORIGIN, $TTL, $INCLUDE (path checks) and $GENERATE
// (deferred to its own segment). Dialect decisions are in parser/FORMAT.md.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include "parser/detail/chunking.hpp"
#include "parser/detail/ttl.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser::detail {

namespace fs = std::filesystem;

void Planner::directive(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs) {
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
      error(Errc::BadDirective, "$ORIGIN expects one domain name", span, line,
            arg_pos(t.size() < 2 ? 1 : 2));
      return;
    }
    Name o;
    if (!detail::is_absolute_or_at(t[1].text)) {
      error(Errc::BadDirective, "$ORIGIN must be an absolute name (ending in a dot)", span, line,
            t[1].text.data());
      return;
    }
    if (auto r = name_from_text(t[1].text, st_.origin_view(), o, ctx_.opt.name_syntax); !r) {
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
      error(Errc::BadDirective, "$TTL expects one ttl value", span, line,
            arg_pos(t.size() < 2 ? 1 : 2));
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

void Planner::include(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs) {
  const auto& t = toks_.tokens;
  if (!ctx_.opt.allow_include) {
    error(Errc::IncludeError, "$INCLUDE is not allowed", span, line, t[0].text.data());
    return;
  }
  if (t.size() < 2 || t.size() > 3) {
    error(Errc::BadDirective, "$INCLUDE expects a file name and an optional origin", span, line,
          t.size() < 2 ? span.end : t[3].text.data());
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
      error(Errc::BadDirective, "$INCLUDE origin must be an absolute name (ending in a dot)", span,
            line, t[2].text.data());
      return;
    }
    if (auto r = name_from_text(t[2].text, st_.origin_view(), inc.origin, ctx_.opt.name_syntax);
        !r) {
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
      error(Errc::IncludeError, "relative $INCLUDE path but no base directory is known", span, line,
            t[1].text.data());
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
  const bool allowed =
      std::any_of(ctx_.allowed_dirs.begin(), ctx_.allowed_dirs.end(),
                  [&](const std::string& d) { return canon.compare(0, d.size(), d) == 0; });
  if (!allowed) {
    error(Errc::IncludeError,
          "$INCLUDE file is outside the zone's directory and the allowed include directories", span,
          line, t[1].text.data());
    return;
  }
  if (std::find(stack_.begin(), stack_.end(), canon) != stack_.end()) {
    error(Errc::IncludeError, "$INCLUDE loop: file is already being read", span, line,
          t[1].text.data());
    return;
  }
  if (stack_.size() > ctx_.opt.limits.max_include_depth) {
    error(Errc::IncludeError,
          "$INCLUDE nested deeper than the limit of " +
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

}  // namespace zk::parser::detail
