#include "parser/detail/records.hpp"

#include <cstring>
#include <optional>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "parser/detail/chunking.hpp"
#include "parser/detail/ttl.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser::detail {

RecordBuilder::RecordBuilder(const ParseOptions& options, Diagnostics& diag, const SourceFile& file,
                             SegmentState& state, SegmentOut& out)
    : opt_(options),
      diag_(diag),
      file_(file),
      st_(state),
      out_(out),
      rdata_(new uint8_t[kRdataBufSize]),
      arena_(&out.store.arena()),
      first_pending_(out.pending.size()) {
  rdata_opt_.names = options.name_syntax;
  rdata_opt_.rclass = options.default_class;
  toks_.tokens.reserve(64);
}

void RecordBuilder::fail_at(Errc code, std::string detail, const char* rec_begin, uint32_t rec_line,
                            const char* pos) {
  const char* b = file_.text.data();
  if (anchor_ && (pos < b || pos > b + file_.text.size())) pos = anchor_;
  report(diag_, Severity::Error, code, std::move(detail), file_, rec_begin, rec_line, pos);
  ++out_.errors;
  if (diag_.full()) stopped_ = true;
}

void RecordBuilder::text_record(const RecordSpan& span, uint32_t rec_line) {
  const size_t len = static_cast<size_t>(span.end - span.begin);
  if (len > opt_.budget.max_record_length) {
    fail_at(Errc::LimitExceeded, record_length_text(len, opt_.budget), span.begin, rec_line,
            span.begin);
    return;
  }
  if (span.issue != ScanIssue::None) {
    if (record_is_blank(span.begin, span.end) && span.issue != ScanIssue::NulByte &&
        span.issue != ScanIssue::UnbalancedClose && span.issue != ScanIssue::UnclosedParen) {
      return;
    }
    fail_at(span.issue == ScanIssue::UnclosedQuote ? Errc::BadText : Errc::Syntax,
            std::string(scan_issue_text(span.issue)), span.begin, rec_line, span.issue_pos);
    if (span.issue == ScanIssue::UnclosedParen || span.issue == ScanIssue::NestedParen) {
      // Knot stops at these; we go on but the owner of what follows is unknown.
      st_.has_prev_owner = false;
    }
    return;
  }
  if (const char* bad = grammar::tokenize_record(span.begin, span.end, toks_)) {
    fail_at(Errc::Syntax, "unexpected character in record", span.begin, rec_line, bad);
    return;
  }
  if (toks_.tokens.empty()) return;
  tokens_record(toks_, span.begin, rec_line, nullptr);
}

bool RecordBuilder::tokens_record(const grammar::RecordTokens& toks, const char* rec_begin,
                                  uint32_t rec_line, const char* anchor) {
  anchor_ = anchor;
  const auto& t = toks.tokens;
  const size_t n = t.size();
  const bool warn_inherited = st_.warn_inherited;
  st_.warn_inherited = false;
  if (!take_owner(toks, rec_begin, rec_line, warn_inherited)) return false;
  // The grammar placed the type; the tokens before it are TTL and class fields.
  const size_t first = toks.has_owner ? 1 : 0;
  const size_t type_at = toks.type_index;
  const size_t fields_end = type_at == grammar::kNoType ? n : type_at;
  std::optional<uint32_t> ttl;
  if (!ttl_and_class({t.data() + first, fields_end - first}, rec_begin, rec_line, ttl)) {
    return false;
  }
  if (type_at == grammar::kNoType) {
    const char* pos = n ? t[n - 1].text.data() + t[n - 1].text.size() : rec_begin;
    fail_at(Errc::Syntax, "record type expected", rec_begin, rec_line, pos);
    return false;
  }
  const Token& tt = t[type_at];
  const std::optional<uint16_t> type = tt.quoted ? std::nullopt : lookup_type(tt.text);
  if (!type) {
    fail_at(Errc::UnknownType, "unknown record type", rec_begin, rec_line, tt.text.data());
    return false;
  }
  if (type_is_meta(*type)) {
    fail_at(Errc::UnknownType, "meta or query type cannot appear in a zone", rec_begin, rec_line,
            tt.text.data());
    return false;
  }
  const std::span<const Token> rd(t.data() + type_at + 1, n - type_at - 1);
  auto r = rdata_from_text(*type, rd, st_.origin_view(), rdata_.get(), rdata_opt_);
  if (!r) {
    const uint64_t k = r.error().where.offset;
    const char* pos = k < rd.size() ? rd[k].text.data()
                                    : (n ? t[n - 1].text.data() + t[n - 1].text.size() : rec_begin);
    fail_at(r.error().code, std::move(r.error().detail), rec_begin, rec_line, pos);
    return false;
  }
  if (*r > kMaxRdataLen) {
    fail_at(Errc::RdataTooLong, "rdata exceeds 65535 octets", rec_begin, rec_line,
            rd.empty() ? tt.text.data() : rd[0].text.data());
    return false;
  }
  append_rr(*type, *r, ttl, rec_begin, rec_line, tt.text.data());
  return true;
}

// The record's owner: its first token, or the previous record's owner (RFC 1035 s5.1).
bool RecordBuilder::take_owner(const grammar::RecordTokens& toks, const char* rec_begin,
                               uint32_t rec_line, bool warn_inherited) {
  const auto& t = toks.tokens;
  if (!toks.has_owner) {
    if (!st_.has_prev_owner) {
      fail_at(Errc::BadName, "record has no owner name and there is no previous owner", rec_begin,
              rec_line, t[0].text.data());
      return false;
    }
    if (warn_inherited) {
      report(diag_, Severity::Warning, Errc::Syntax,
             "record with inherited owner after an $ORIGIN change", file_, rec_begin, rec_line,
             t[0].text.data());
    }
    if (!owner_) owner_ = make_owner(*arena_, st_.prev_owner.view());
    return true;
  }
  const Token& ot = t[0];
  if (ot.quoted) {
    st_.has_prev_owner = false;
    fail_at(Errc::BadName, "owner name expected, not a quoted string", rec_begin, rec_line,
            ot.text.data() - 1);
    return false;
  }
  if (auto r = name_from_text(ot.text, st_.origin_view(), name_, opt_.name_syntax); !r) {
    st_.has_prev_owner = false;
    fail_at(r.error().code, "bad owner name: " + r.error().detail, rec_begin, rec_line,
            ot.text.data());
    return false;
  }
  if (!(owner_ && st_.has_prev_owner && owner_->wire_len == name_.size() &&
        name_equal(owner_->name(), name_.view()))) {
    owner_ = make_owner(*arena_, name_.view());
  }
  st_.prev_owner.assign(name_.view());
  st_.has_prev_owner = true;
  return true;
}

// The TTL and class fields between owner and type, in either order, each at most once; the
// class must be the zone's (RFC 1035 s5.2).
bool RecordBuilder::ttl_and_class(std::span<const Token> fields, const char* rec_begin,
                                  uint32_t rec_line, std::optional<uint32_t>& ttl) {
  bool have_class = false;
  for (const Token& tk : fields) {
    if (looks_like_ttl(tk.text)) {
      if (ttl) {
        fail_at(Errc::BadTtl, "second ttl in record", rec_begin, rec_line, tk.text.data());
        return false;
      }
      auto r = parse_ttl(tk.text);
      if (!r) {
        fail_at(r.error().code, std::move(r.error().detail), rec_begin, rec_line, tk.text.data());
        return false;
      }
      ttl = *r;
      continue;
    }
    if (have_class) {
      fail_at(Errc::BadClass, "second class in record", rec_begin, rec_line, tk.text.data());
      return false;
    }
    const auto c = class_from_text(tk.text);
    if (!c || !class_is_data(*c)) {
      fail_at(Errc::BadClass,
              c ? "class " + class_to_string(*c) + " is a query or meta class (RFC 6895 s3.2)"
                : "unknown class",
              rec_begin, rec_line, tk.text.data());
      return false;
    }
    if (*c != opt_.default_class) {
      // BIND: "class 'CH' != zone class 'IN'".
      fail_at(Errc::BadClass,
              "class " + class_to_string(*c) + " differs from the zone's class " +
                  class_to_string(opt_.default_class) +
                  " (set by the zone file's first record, or --class)",
              rec_begin, rec_line, tk.text.data());
      return false;
    }
    have_class = true;
  }
  return true;
}

// Most records reuse a handful of type mnemonics; the last lookups are remembered.
std::optional<uint16_t> RecordBuilder::lookup_type(std::string_view text) {
  for (const auto& m : type_memo_) {
    if (m.len != 0 && m.len == text.size() && std::memcmp(m.text, text.data(), m.len) == 0) {
      return m.type;
    }
  }
  const std::optional<uint16_t> type = type_from_text(text);
  if (type && text.size() <= sizeof(TypeMemo::text)) {
    TypeMemo& m = type_memo_[memo_next_++ % kTypeMemo];
    std::memcpy(m.text, text.data(), text.size());
    m.len = static_cast<uint8_t>(text.size());
    m.type = *type;
  }
  return type;
}

// The record into the store, its RDATA (in rdata_) copied into the arena. Without a TTL field,
// $TTL or the last TTL given applies (RFC 2308 s4); with neither, the record waits for the
// SOA's (a pending run, reported once).
void RecordBuilder::append_rr(uint16_t type, size_t len, std::optional<uint32_t> ttl,
                              const char* rec_begin, uint32_t rec_line, const char* type_pos) {
  RR rr;
  rr.owner = owner_;
  rr.type = type;
  rr.rdlen = static_cast<uint16_t>(len);
  rr.rdata = arena_->copy(rdata_.get(), len);
  if (ttl) {
    rr.ttl = *ttl;
    out_.has_last_ttl = true;
    out_.last_ttl = *ttl;
  } else if (st_.has_dollar_ttl) {
    rr.ttl = st_.dollar_ttl;
  } else if (out_.has_last_ttl) {
    rr.ttl = out_.last_ttl;
  } else {
    rr.ttl = 0;
    const auto index = static_cast<uint32_t>(out_.store.rrs.size());
    // Runs of earlier segments parsed into the same output stay separate (one report each).
    if (out_.pending.size() > first_pending_ &&
        out_.pending.back().first + out_.pending.back().count == index) {
      ++out_.pending.back().count;
    } else {
      PendingTtl p;
      p.first = index;
      p.count = 1;
      const char* pos = type_pos;
      if (anchor_ && (pos < file_.text.data() || pos > file_.text.data() + file_.text.size())) {
        pos = anchor_;
      }
      p.pos = position_of(file_, rec_begin, rec_line, pos, &p.line);
      out_.pending.push_back(std::move(p));
    }
  }
  out_.store.rrs.push_back(rr);
}

std::optional<uint16_t> first_record_class(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  const char* p = text.data();
  const char* e = p + text.size();
  if (text.starts_with(kBom)) p += kBom.size();
  RecordSpan span;
  grammar::RecordTokens toks;
  for (; p < e; p = span.next) {
    scan_record(p, e, span);
    if (*p == '$' || record_is_blank(span.begin, span.end)) continue;
    if (span.issue != ScanIssue::None || grammar::tokenize_record(span.begin, span.end, toks) ||
        toks.tokens.empty()) {
      return std::nullopt;
    }
    const size_t end = toks.type_index == grammar::kNoType ? toks.tokens.size() : toks.type_index;
    for (size_t i = toks.has_owner ? 1 : 0; i < end; ++i) {
      if (!looks_like_ttl(toks.tokens[i].text)) return class_from_text(toks.tokens[i].text);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

void RecordBuilder::state_directive(const RecordSpan& span) {
  // The planner reported whatever is wrong with it; a bad one changes nothing here either.
  if (span.issue != ScanIssue::None || grammar::tokenize_record(span.begin, span.end, toks_) ||
      !is_state_directive(toks_)) {
    return;
  }
  if (!apply_state_directive(toks_, span.end, opt_.name_syntax, st_) &&
      iequal(toks_.tokens[0].text, "$ORIGIN")) {
    st_.warn_inherited = true;
  }
}

void parse_chunk(const ParseOptions& options, Diagnostics& diag, const SourceFile& file,
                 const char* begin, const char* end, uint32_t first_line, SegmentState state,
                 SegmentOut& out) {
  RecordBuilder rb(options, diag, file, state, out);
  RecordSpan span;
  uint32_t line = first_line;
  const char* p = begin;
  while (p < end && !rb.stopped()) {
    const bool directive = *p == '$';
    scan_record(p, end, span);
    const uint32_t rec_line = line;
    line += span.newlines;
    p = span.next;
    if (directive) {
      rb.state_directive(span);
    } else {
      rb.text_record(span, rec_line);
    }
  }
}

}  // namespace zk::parser::detail
