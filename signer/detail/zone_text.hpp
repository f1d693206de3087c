// A small presentation-format record splitter (RFC 1035 s5.1) for the lifecycle code that must
// read zone text before/without the full parser: the RRSIG expiry scan and the textual DNSSEC
// strip of `unsign`. Not a validator: it only finds record boundaries and tokens.
#pragma once

#if !defined(ZK_INSIDE_SIGNER) && !defined(ZK_WHITE_BOX)
#error "signer/detail/ is private to signer/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

namespace zk::signer::detail {

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

/// A TTL field: digits, optionally with BIND units ("3600", "1h30m").
inline bool is_ttl_token(std::string_view t) {
  if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0]))) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) ||
           std::string_view("smhdwSMHDW").find(c) != std::string_view::npos;
  });
}

/// A class field: IN, CH, HS or CLASSnnn.
inline bool is_class_token(std::string_view t) {
  if (iequals(t, "IN") || iequals(t, "CH") || iequals(t, "HS")) return true;
  return t.size() > 5 && iequals(t.substr(0, 5), "CLASS") &&
         std::all_of(t.begin() + 5, t.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

/// Index of the type token of a record: after the owner (unless omitted) and up to two TTL /
/// class fields in either order. tokens.size() when there is none.
inline size_t type_index(bool starts_blank, const std::vector<std::string_view>& tokens) {
  size_t i = starts_blank ? 0 : 1;
  for (int skip = 0; skip < 2 && i < tokens.size(); ++skip) {
    if (is_ttl_token(tokens[i]) || is_class_token(tokens[i])) ++i;
  }
  return i < tokens.size() ? i : tokens.size();
}

/// One logical record (parentheses joined) with its exact source span.
struct TextRecord {
  std::string_view text;                 // from the first character of its first line to
                                         // and including the newline that ends it
  bool starts_blank = false;             // the first line starts with blank: owner omitted
  std::vector<std::string_view> tokens;  // words outside comments; quoted strings keep quotes
};

/// Calls f(const TextRecord&) for each logical record, in order. Blank and comment-only lines
/// are passed too (with no tokens), so the spans of all calls cover the whole text.
template <typename F>
void for_each_record(std::string_view text, F&& f) {
  TextRecord rec;
  size_t rec_start = 0;
  bool line_start = true, in_quote = false;
  int depth = 0;
  size_t tok_start = std::string_view::npos;
  auto end_token = [&](size_t i) {
    if (tok_start != std::string_view::npos) {
      rec.tokens.push_back(text.substr(tok_start, i - tok_start));
      tok_start = std::string_view::npos;
    }
  };
  auto end_record = [&](size_t end) {
    rec.text = text.substr(rec_start, end - rec_start);
    f(static_cast<const TextRecord&>(rec));
    rec.tokens.clear();
    rec_start = end;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (line_start && depth == 0 && i == rec_start) {
      rec.starts_blank = (c == ' ' || c == '\t');
    }
    line_start = false;
    if (in_quote) {
      if (c == '\\' && i + 1 < text.size()) {
        ++i;
      } else if (c == '"') {
        in_quote = false;
        end_token(i + 1);
      }
      continue;
    }
    switch (c) {
      case '"':
        end_token(i);
        in_quote = true;
        tok_start = i;
        break;
      case ';':
        end_token(i);
        while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
        break;
      case '(':
        end_token(i);
        ++depth;
        break;
      case ')':
        end_token(i);
        if (depth > 0) --depth;
        break;
      case '\n':
        end_token(i);
        line_start = true;
        if (depth == 0) end_record(i + 1);
        break;
      case ' ':
      case '\t':
      case '\r':
        end_token(i);
        break;
      case '\\':
        if (tok_start == std::string_view::npos) tok_start = i;
        if (i + 1 < text.size()) ++i;
        break;
      default:
        if (tok_start == std::string_view::npos) tok_start = i;
    }
  }
  end_token(text.size());
  if (rec_start < text.size()) end_record(text.size());
}

}  // namespace zk::signer::detail
