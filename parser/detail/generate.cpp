#include "parser/detail/generate.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "parser/detail/records.hpp"
#include "parser/grammar/record.hpp"

namespace zk::parser::detail {
namespace {

struct Modifier {
  int64_t offset = 0;
  unsigned width = 0;
  char base = 'd';
  size_t consumed = 0;  // characters after "${" including the closing brace
};

bool read_int(std::string_view s, size_t& i, int64_t& v, bool allow_sign) {
  bool neg = false;
  if (allow_sign && i < s.size() && (s[i] == '-' || s[i] == '+')) {
    neg = s[i] == '-';
    ++i;
  }
  const size_t b = i;
  int64_t x = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    x = x * 10 + (s[i] - '0');
    if (x > (int64_t{1} << 31)) return false;
    ++i;
  }
  if (i == b) return false;
  v = neg ? -x : x;
  return true;
}

// Parses what follows "${" in s starting at i.
bool parse_modifier(std::string_view s, size_t i, Modifier& m) {
  const size_t b = i;
  if (!read_int(s, i, m.offset, true)) return false;
  if (i < s.size() && s[i] == ',') {
    ++i;
    int64_t w = 0;
    if (!read_int(s, i, w, false) || w > 255) return false;
    m.width = static_cast<unsigned>(w);
    if (i < s.size() && s[i] == ',') {
      ++i;
      if (i >= s.size()) return false;
      const char c = s[i];
      if (c != 'd' && c != 'o' && c != 'x' && c != 'X' && c != 'n' && c != 'N') return false;
      m.base = c;
      ++i;
    }
  }
  if (i >= s.size() || s[i] != '}') return false;
  m.consumed = i + 1 - b;
  return true;
}

void append_number(int64_t v, unsigned width, char base, std::string& out) {
  if (base == 'n' || base == 'N') {
    // BIND's nibble mode: low nibble first, one label per nibble; width counts the
    // characters written (digits and dots), so extra width adds "0." labels.
    const char* digits = base == 'n' ? "0123456789abcdef" : "0123456789ABCDEF";
    auto u = static_cast<uint64_t>(v);
    unsigned w = width;
    do {
      out.push_back(digits[u & 0xf]);
      u >>= 4;
      if (w > 0) --w;
      if (w > 0 || u != 0) {
        out.push_back('.');
        if (w > 0) --w;
      }
    } while (u != 0 || w > 0);
    return;
  }
  char buf[72];
  const int radix = base == 'o' ? 8 : (base == 'd' ? 10 : 16);
  auto r = std::to_chars(buf, buf + sizeof buf, v, radix);
  size_t n = static_cast<size_t>(r.ptr - buf);
  if (base == 'X') {
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] >= 'a' && buf[i] <= 'f') buf[i] = static_cast<char>(buf[i] - 32);
    }
  }
  for (size_t i = n; i < width; ++i) out.push_back('0');
  out.append(buf, n);
}

}  // namespace

Result<GenerateRange> parse_generate_range(std::string_view text) {
  GenerateRange r;
  size_t i = 0;
  if (!read_int(text, i, r.start, false) || i >= text.size() || text[i] != '-') {
    return fail(Errc::BadDirective, "$GENERATE range expected as start-stop[/step]");
  }
  ++i;
  if (!read_int(text, i, r.stop, false)) {
    return fail(Errc::BadDirective, "$GENERATE range expected as start-stop[/step]");
  }
  if (i < text.size()) {
    if (text[i] != '/')
      return fail(Errc::BadDirective, "$GENERATE range expected as start-stop[/step]");
    ++i;
    if (!read_int(text, i, r.step, false) || i != text.size() || r.step < 1) {
      return fail(Errc::BadDirective, "$GENERATE step must be a positive number");
    }
  }
  if (r.start > r.stop) return fail(Errc::BadDirective, "$GENERATE range start exceeds its stop");
  if (r.stop > 0x7fffffff) return fail(Errc::BadDirective, "$GENERATE range exceeds 2^31-1");
  return r;
}

Result<void> check_generate_template(std::string_view s, const GenerateRange& range) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] != '$') continue;
    if (i + 1 < s.size() && s[i + 1] == '$') {
      ++i;
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '{') {
      Modifier m;
      if (!parse_modifier(s, i + 2, m)) {
        return fail(Errc::BadDirective,
                    "bad $GENERATE modifier (expected ${offset[,width[,base]]})");
      }
      if (range.start + m.offset < INT32_MIN || range.stop + m.offset > INT32_MAX) {
        return fail(Errc::BadDirective, "$GENERATE offset takes values out of range");
      }
      i += 1 + m.consumed;
    }
  }
  return ok();
}

void expand_generate_template(std::string_view s, int64_t value, std::string& out) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      out.push_back(c);
      if (i + 1 < s.size()) out.push_back(s[++i]);
      continue;
    }
    if (c != '$') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    Modifier m;
    if (i + 1 < s.size() && s[i + 1] == '{' && parse_modifier(s, i + 2, m)) {
      append_number(value + m.offset, m.width, m.base, out);
      i += 1 + m.consumed;
      continue;
    }
    append_number(value, 0, 'd', out);
  }
}

GenerateEstimate estimate_generate(const grammar::RecordTokens& toks, size_t origin_len) {
  const auto& t = toks.tokens;
  if (t.size() < 5) return {};
  auto range = parse_generate_range(t[1].text);
  if (!range) return {};
  const uint64_t count = range->count();
  const int64_t last = range->start + static_cast<int64_t>(count - 1) * range->step;
  // A number is longest at one end of the range (more digits, or the sign), so the longer of
  // the two expansions is every record's size, give or take a sign. Bad templates are charged
  // too: run_generate reports them, and the charge must never be less than what it makes.
  uint64_t per_record = origin_len;
  std::string a, b;
  for (size_t k = 2; k < t.size(); ++k) {
    a.clear();
    b.clear();
    expand_generate_template(t[k].text, range->start, a);
    expand_generate_template(t[k].text, last, b);
    per_record += std::max(a.size(), b.size()) + 1;
  }
  return {count, count * per_record};
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
  // From lhs on, the line is a record: lhs (ttl|class)* type rhs... -- let the record
  // grammar find the type, so $GENERATE reads TTL and class exactly as records do.
  grammar::RecordTokens body;
  const char* lhs_begin = t[2].quoted ? t[2].text.data() - 1 : t[2].text.data();
  if (const char* bad = grammar::tokenize_record(lhs_begin, seg.end, body)) {
    err(Errc::Syntax, "unexpected character in $GENERATE", bad);
    return;
  }
  const auto& b = body.tokens;
  const size_t ti = body.type_index;
  if (ti == grammar::kNoType || ti + 1 >= b.size()) {
    err(Errc::BadDirective, "$GENERATE expects range lhs [ttl] [class] type rhs", seg.end);
    return;
  }
  for (size_t k = 0; k < b.size(); ++k) {
    if (k > 0 && k <= ti) continue;
    if (auto r = detail::check_generate_template(b[k].text, *range); !r) {
      err(r.error().code, std::move(r.error().detail), b[k].text.data());
      return;
    }
  }
  std::string text;
  std::vector<size_t> ends;
  grammar::RecordTokens rec;
  rec.has_owner = true;
  rec.type_index = ti;
  for (int64_t v = range->start; v <= range->stop && !rb.stopped(); v += range->step) {
    text.clear();
    ends.clear();
    detail::expand_generate_template(b[0].text, v, text);
    ends.push_back(text.size());
    for (size_t k = ti + 1; k < b.size(); ++k) {
      detail::expand_generate_template(b[k].text, v, text);
      ends.push_back(text.size());
    }
    // Views into text are taken only after it is complete (it may reallocate while growing).
    rec.tokens.clear();
    rec.tokens.push_back({std::string_view(text.data(), ends[0]), b[0].quoted});
    for (size_t k = 1; k <= ti; ++k) rec.tokens.push_back(b[k]);
    for (size_t k = ti + 1, j = 1; k < b.size(); ++k, ++j) {
      rec.tokens.push_back(
          {std::string_view(text.data() + ends[j - 1], ends[j] - ends[j - 1]), b[k].quoted});
    }
    rb.tokens_record(rec, seg.begin, seg.line, b[0].text.data());
  }
}

}  // namespace zk::parser::detail
