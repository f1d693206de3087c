#include "parser/detail/scanner.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace zk::parser::detail {
namespace {

// Characters the scanner must look at; everything else is skipped by one table lookup.
enum : uint8_t { kPlain = 0, kNewline, kQuote, kBackslash, kSemicolon, kOpen, kClose, kNul };

struct ClassTable {
  uint8_t c[256] = {};
  constexpr ClassTable() {
    c[static_cast<uint8_t>('\n')] = kNewline;
    c[static_cast<uint8_t>('"')] = kQuote;
    c[static_cast<uint8_t>('\\')] = kBackslash;
    c[static_cast<uint8_t>(';')] = kSemicolon;
    c[static_cast<uint8_t>('(')] = kOpen;
    c[static_cast<uint8_t>(')')] = kClose;
    c[0] = kNul;
  }
};
constexpr ClassTable kClass{};

// Skips to the first byte the scanner must look at, 16 bytes at a time (x86-64 always has
// SSE2). Only whole blocks before last are read, so no padding is needed.
inline const char* skip_plain(const char* p, const char* last) noexcept {
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n'), qt = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
                sc = _mm_set1_epi8(';'), op = _mm_set1_epi8('('), cl = _mm_set1_epi8(')'),
                nul = _mm_setzero_si128();
  while (last - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, qt));
    m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, bs), _mm_cmpeq_epi8(v, sc)));
    m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, op), _mm_cmpeq_epi8(v, cl)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, nul));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(m));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < last && kClass.c[static_cast<uint8_t>(*p)] == kPlain) ++p;
  return p;
}

inline void note(RecordSpan& out, ScanIssue issue, const char* pos) noexcept {
  if (out.issue == ScanIssue::None) {
    out.issue = issue;
    out.issue_pos = pos;
  }
}

}  // namespace

void scan_record(const char* p, const char* last, RecordSpan& out) noexcept {
  out.begin = p;
  out.newlines = 0;
  out.issue = ScanIssue::None;
  out.issue_pos = nullptr;
  bool paren = false;
  bool quote = false;
  const char* quote_start = nullptr;
  const char* paren_start = nullptr;
  while (p < last) {
    const uint8_t k = kClass.c[static_cast<uint8_t>(*p)];
    if (k == kPlain) {
      p = skip_plain(p, last);
      continue;
    }
    switch (k) {
      case kNewline:
        ++out.newlines;
        if (quote) {
          // A quoted string never spans lines (BIND's default): report it, end the string.
          note(out, ScanIssue::UnclosedQuote, quote_start);
          quote = false;
        }
        if (!paren) {
          out.end = p;
          out.next = p + 1;
          return;
        }
        ++p;
        break;
      case kQuote:
        if (!quote) quote_start = p;
        quote = !quote;
        ++p;
        break;
      case kBackslash:
        // "\X" hides X, but an escaped newline still ends the line (keeps line counts honest).
        if (p + 1 < last && p[1] != '\n') {
          p += 2;
        } else {
          ++p;
        }
        break;
      case kSemicolon:
        if (quote) {
          ++p;
          break;
        }
        {
          const void* nlp = __builtin_memchr(p, '\n', static_cast<size_t>(last - p));
          p = nlp ? static_cast<const char*>(nlp) : last;
        }
        break;
      case kOpen:
        if (!quote) {
          if (paren) note(out, ScanIssue::NestedParen, p);
          paren = true;
          paren_start = p;
        }
        ++p;
        break;
      case kClose:
        if (!quote) {
          if (!paren) note(out, ScanIssue::UnbalancedClose, p);
          paren = false;
        }
        ++p;
        break;
      case kNul:
        note(out, ScanIssue::NulByte, p);
        ++p;
        break;
    }
  }
  if (quote) note(out, ScanIssue::UnclosedQuote, quote_start);
  if (paren) note(out, ScanIssue::UnclosedParen, paren_start);
  out.end = last;
  out.next = last;
}

bool record_is_blank(const char* p, const char* end) noexcept {
  while (p < end) {
    const char c = *p;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')') {
      ++p;
    } else if (c == ';') {
      while (p < end && *p != '\n') ++p;
    } else {
      return false;
    }
  }
  return true;
}

std::string_view scan_issue_text(ScanIssue issue) noexcept {
  switch (issue) {
    case ScanIssue::None:
      return "no problem";
    case ScanIssue::NestedParen:
      return "nested parentheses are not allowed";
    case ScanIssue::UnbalancedClose:
      return "')' without a matching '('";
    case ScanIssue::UnclosedParen:
      return "'(' not closed before end of input";
    case ScanIssue::UnclosedQuote:
      return "quoted string not closed on its line";
    case ScanIssue::NulByte:
      return "nul byte in zone text";
  }
  return "scan error";
}

}  // namespace zk::parser::detail
