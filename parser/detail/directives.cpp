// Directive handling of the Planner: $ORIGIN and $TTL (also applied again inside chunks, see
// parse_chunk), $INCLUDE (path checks) and $GENERATE (deferred to its own segment). Dialect
// decisions are in parser/FORMAT.md.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "parser/detail/chunking.hpp"
#include "parser/detail/generate.hpp"
#include "parser/detail/ttl.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser::detail {

namespace fs = std::filesystem;

std::optional<DirectiveProblem> apply_state_directive(const grammar::RecordTokens& toks,
                                                      const char* after, NameSyntax syntax,
                                                      SegmentState& st) {
  const auto& t = toks.tokens;
  auto arg_pos = [&](size_t i) { return i < t.size() ? t[i].text.data() : after; };
  if (iequal(t[0].text, "$ORIGIN")) {
    if (t.size() != 2) {
      return DirectiveProblem{Errc::BadDirective, "$ORIGIN expects one domain name",
                              arg_pos(t.size() < 2 ? 1 : 2)};
    }
    if (!detail::is_absolute_or_at(t[1].text)) {
      return DirectiveProblem{Errc::BadDirective,
                              "$ORIGIN must be an absolute name (ending in a dot)",
                              t[1].text.data()};
    }
    Name o;
    if (auto r = name_from_text(t[1].text, st.origin_view(), o, syntax); !r) {
      return DirectiveProblem{r.error().code, "bad $ORIGIN: " + r.error().detail, t[1].text.data()};
    }
    st.origin = o;
    st.has_origin = true;
    return std::nullopt;
  }
  if (t.size() != 2) {
    return DirectiveProblem{Errc::BadDirective, "$TTL expects one ttl value",
                            arg_pos(t.size() < 2 ? 1 : 2)};
  }
  auto r = detail::parse_ttl(t[1].text);
  if (!r) {
    return DirectiveProblem{r.error().code, "bad $TTL: " + r.error().detail, t[1].text.data()};
  }
  st.has_dollar_ttl = true;
  st.dollar_ttl = *r;
  return std::nullopt;
}

bool is_state_directive(const grammar::RecordTokens& toks) noexcept {
  return !toks.tokens.empty() &&
         (iequal(toks.tokens[0].text, "$ORIGIN") || iequal(toks.tokens[0].text, "$TTL"));
}

bool Planner::read_directive(const RecordSpan& span, uint32_t line) {
  if (span.issue != detail::ScanIssue::None) {
    error(Errc::Syntax, std::string(detail::scan_issue_text(span.issue)), span, line,
          span.issue_pos);
    return false;
  }
  const auto len = static_cast<uint64_t>(span.end - span.begin);
  if (len > ctx_.opt.budget.max_record_length) {
    error(Errc::LimitExceeded, record_length_text(len, ctx_.opt.budget), span, line, span.begin);
    return false;
  }
  if (const char* bad = grammar::tokenize_record(span.begin, span.end, toks_)) {
    error(Errc::Syntax, "unexpected character in directive", span, line, bad);
    return false;
  }
  return true;
}

void Planner::state_directive(const RecordSpan& span, uint32_t line) {
  if (auto bad = apply_state_directive(toks_, span.end, ctx_.opt.name_syntax, st_)) {
    error(bad->code, std::move(bad->detail), span, line, bad->pos);
  } else if (iequal(toks_.tokens[0].text, "$ORIGIN")) {
    origin_changed_ = true;
  }
}

void Planner::directive(const RecordSpan& span, uint32_t line, std::vector<Segment>& segs) {
  const auto& t = toks_.tokens;
  const std::string_view name = t[0].text;
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
    const GenerateEstimate est = estimate_generate(toks_, st_.has_origin ? st_.origin.size() : 0);
    s.records = est.records;
    s.bytes = est.bytes;
    segs.push_back(std::move(s));
    return;
  }
  error(Errc::BadDirective, "unknown directive (expected $ORIGIN, $TTL, $INCLUDE or $GENERATE)",
        span, line, t[0].text.data());
}

// The file an $INCLUDE names (relative to the including file's directory or the base the
// options give), resolved and checked: inside the zone's directory or an allowed one, not
// already being read, and not nested deeper than the budget allows. Reported and nullopt
// otherwise.
std::optional<std::string> Planner::include_path(const std::string& rel, const RecordSpan& span,
                                                 uint32_t line) {
  const char* at = toks_.tokens[1].text.data();
  fs::path p(rel);
  if (p.is_relative()) {
    const std::string& base =
        ctx_.opt.include_base_dir.empty() ? file_.dir : ctx_.opt.include_base_dir;
    if (base.empty()) {
      error(Errc::IncludeError, "relative $INCLUDE path but no base directory is known", span, line,
            at);
      return std::nullopt;
    }
    p = fs::path(base) / p;
  }
  std::error_code ec;
  std::string canon = fs::weakly_canonical(fs::absolute(p, ec), ec).string();
  if (ec || canon.empty()) {
    error(Errc::IncludeError, "cannot resolve $INCLUDE path", span, line, at);
    return std::nullopt;
  }
  const bool allowed =
      std::any_of(ctx_.allowed_dirs.begin(), ctx_.allowed_dirs.end(),
                  [&](const std::string& d) { return canon.compare(0, d.size(), d) == 0; });
  if (!allowed) {
    error(Errc::IncludeError,
          "$INCLUDE file is outside the zone's directory and the allowed include directories", span,
          line, at);
    return std::nullopt;
  }
  if (std::find(stack_.begin(), stack_.end(), canon) != stack_.end()) {
    error(Errc::IncludeError, "$INCLUDE loop: file is already being read", span, line, at);
    return std::nullopt;
  }
  if (stack_.size() > ctx_.opt.budget.max_include_depth) {
    error(Errc::LimitExceeded,
          "input budget exceeded: $INCLUDE nested " + std::to_string(stack_.size()) +
              " deep (limit --max-include-depth " +
              std::to_string(ctx_.opt.budget.max_include_depth) + ")",
          span, line, at);
    return std::nullopt;
  }
  return canon;
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
  const std::optional<std::string> canon = include_path(rel, span, line);
  if (!canon) return;
  Segment s;
  s.kind = SegKind::Include;
  s.begin = span.begin;
  s.end = span.end;
  s.line = line;
  s.state = std::move(inc);
  s.include_path = *canon;
  segs.push_back(std::move(s));
}

}  // namespace zk::parser::detail
