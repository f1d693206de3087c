// Shared helpers for the libFuzzer targets in tests/fuzz/ (not part of any library).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "parser/detail/rdata_text.hpp"

namespace zk::fuzz {

/// "example.com." in wire form: the origin both targets use.
inline constexpr uint8_t kExampleCom[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
inline NameView example_com() { return {kExampleCom, sizeof kExampleCom}; }

/// A broken invariant is a finding: print why and abort, so libFuzzer saves the input.
[[noreturn]] inline void finding(const char* what) {
  std::fprintf(stderr, "zk-fuzz: invariant broken: %s\n", what);
  std::abort();
}

inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// Splits RDATA presentation text into Tokens the way the zone-file scanner hands them to
/// rdata_from_text: runs of non-blank characters, or "quoted strings" (quotes removed, escapes
/// kept). A backslash escapes the next character in both (so "\ " and "\"" stay inside a
/// token). An unterminated quote runs to the end. The views point into text.
inline void tokenize(std::string_view text, std::vector<parser::detail::Token>& out) {
  out.clear();
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    if (is_blank(text[i])) {
      ++i;
      continue;
    }
    const bool quoted = text[i] == '"';
    const size_t start = quoted ? i + 1 : i;
    size_t j = start;
    while (j < n) {
      if (text[j] == '\\') {
        j += (j + 1 < n) ? 2 : 1;
        continue;
      }
      if (quoted ? text[j] == '"' : is_blank(text[j])) break;
      ++j;
    }
    out.push_back({text.substr(start, j - start), quoted});
    i = (quoted && j < n) ? j + 1 : j;  // step over the closing quote
  }
}

}  // namespace zk::fuzz
