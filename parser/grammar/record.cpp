// The only translation unit that compiles the X3 record grammar, and the one-pass split that
// reads every record the grammar reads, the same way, leaving it the records it rejects.
#include "parser/grammar/record.hpp"

#include <cstring>

#include "parser/grammar/record_def.hpp"

namespace zk::parser::grammar {
namespace {

bool starts_owner(const char* first, const char* last) noexcept {
  return first < last && *first != ' ' && *first != '\t' && *first != '\r' && *first != '(' &&
         *first != ')' && *first != ';';
}

// Byte classes of the grammar's lexer: word characters, blanks (the skipper's " \t\r\n()"),
// the comment start, the quote and the escape.
enum : uint8_t { kWord = 0, kBlank, kComment, kQuote, kEscape };
struct ByteClass {
  uint8_t c[256] = {};
  constexpr ByteClass() {
    for (char b : {' ', '\t', '\r', '\n', '(', ')'}) c[static_cast<uint8_t>(b)] = kBlank;
    c[static_cast<uint8_t>(';')] = kComment;
    c[static_cast<uint8_t>('"')] = kQuote;
    c[static_cast<uint8_t>('\\')] = kEscape;
  }
};
constexpr ByteClass kByte{};

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

bool equals_ci(const char* b, size_t n, const char* word) noexcept {
  for (size_t i = 0; i < n; ++i) {
    if (word[i] == '\0' || lower(b[i]) != word[i]) return false;
  }
  return word[n] == '\0';
}

// The grammar's rrclass rule on a whole token: IN CH HS CS NONE ANY, or CLASS and digits.
bool is_class_token(const char* b, size_t n) noexcept {
  switch (n) {
    case 2:
      return equals_ci(b, 2, "in") || equals_ci(b, 2, "ch") || equals_ci(b, 2, "hs") ||
             equals_ci(b, 2, "cs");
    case 3:
      return equals_ci(b, 3, "any");
    case 4:
      return equals_ci(b, 4, "none");
    default:
      if (n < 6 || !equals_ci(b, 5, "class")) return false;
      for (size_t i = 5; i < n; ++i) {
        if (b[i] < '0' || b[i] > '9') return false;
      }
      return true;
  }
}

// Splits a record exactly as the grammar would, in one pass with a byte table: tokens are
// runs of word characters ("\X" included) or quoted strings (quotes removed, "\X" kept);
// blanks, parentheses and comments separate them, and tokens may abut ("a"b is two). False
// (out unspecified) where the grammar would fail (an unclosed string, a final backslash): the
// caller then runs the grammar for its error position.
bool split_record(const char* p, const char* last, RecordTokens& out) noexcept {
  for (;;) {
    while (p < last) {
      const uint8_t k = kByte.c[static_cast<uint8_t>(*p)];
      if (k == kBlank) {
        ++p;
      } else if (k == kComment) {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(last - p));
        p = nl ? static_cast<const char*>(nl) : last;
      } else {
        break;
      }
    }
    if (p == last) return true;
    const char* b = p;
    bool quoted = false;
    if (*p == '"') {
      quoted = true;
      b = ++p;
      for (;;) {
        if (p == last || *p == '\n') return false;
        if (*p == '"') break;
        if (*p == '\\') {
          if (p + 1 == last) return false;
          ++p;
        }
        ++p;
      }
    } else {
      for (;;) {
        while (p < last && kByte.c[static_cast<uint8_t>(*p)] == kWord) ++p;
        if (p == last || *p != '\\') break;
        if (p + 1 == last) return false;
        p += 2;
      }
    }
    const size_t n = static_cast<size_t>(p - b);
    out.tokens.push_back(Token{std::string_view(b, n), quoted});
    if (quoted) ++p;  // the closing quote
  }
}

// The record grammar over the split's tokens (X3 on a token sequence): (ttl | class)* before
// the type, as the character grammar's fields rule has it.
template <class Pred>
struct TokenParser : x3::parser<TokenParser<Pred>> {
  using attribute_type = x3::unused_type;
  static constexpr bool has_attribute = false;
  Pred pred;
  constexpr explicit TokenParser(Pred p) : pred(p) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx&, RCtx&, Attr&) const {
    if (first == last || !pred(*first)) return false;
    ++first;
    return true;
  }
};
const auto ttl_token = TokenParser([](const Token& t) {
  return !t.quoted && !t.text.empty() && t.text[0] >= '0' && t.text[0] <= '9';
});
const auto class_token = TokenParser(
    [](const Token& t) { return !t.quoted && is_class_token(t.text.data(), t.text.size()); });
const auto fields_before_type = *(ttl_token | class_token);

void place_type(RecordTokens& out) noexcept {
  const Token* const begin = out.tokens.data();
  const Token* const end = begin + out.tokens.size();
  const Token* it = begin + (out.has_owner && !out.tokens.empty() ? 1 : 0);
  x3::parse(it, end, fields_before_type);  // a kleene star: always matches
  out.type_index = it == end ? kNoType : static_cast<size_t>(it - begin);
}

}  // namespace

const char* tokenize_record_grammar(const char* first, const char* last,
                                    RecordTokens& out) noexcept {
  out.tokens.clear();
  out.type_index = kNoType;
  out.has_owner = starts_owner(first, last);
  const char* it = first;
  // The grammar has no expectation points, so it reports failure by return value only.
  bool ok;
  if (out.has_owner) {
    ok = x3::phrase_parse(it, last, x3::with<tokens_tag>(std::ref(out))[rules::owned_record],
                          rules::skipper);
  } else {
    ok = x3::phrase_parse(it, last, x3::with<tokens_tag>(std::ref(out))[rules::blank_record],
                          rules::skipper);
  }
  // An empty record: mark_type may have run before the optional type failed to match.
  if (out.type_index >= out.tokens.size()) out.type_index = kNoType;
  if (ok && it == last) return nullptr;
  return it;
}

const char* tokenize_record(const char* first, const char* last, RecordTokens& out) noexcept {
  out.tokens.clear();
  out.type_index = kNoType;
  out.has_owner = starts_owner(first, last);
  // A record that starts with a newline has its owner on a later line for the grammar (its
  // skipper passes the newline): rare enough to leave to it.
  if ((!out.has_owner || *first != '\n') && split_record(first, last, out)) {
    place_type(out);
    return nullptr;
  }
  return tokenize_record_grammar(first, last, out);
}

}  // namespace zk::parser::grammar
