// Shared helpers for the libFuzzer targets in tests/fuzz/ (not part of any library).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "parser/detail/rdata_text.hpp"

namespace zk::fuzz {

/// "example.com." in wire form: the origin both targets use.
inline constexpr uint8_t kExampleCom[] = {7,   'e', 'x', 'a', 'm', 'p', 'l',
                                          'e', 3,   'c', 'o', 'm', 0};
inline NameView example_com() { return {kExampleCom, sizeof kExampleCom}; }

/// A broken invariant is a finding: print why and abort, so libFuzzer saves the input. In the
/// ctest replay of seeds and crashers (zk_tests defines ZK_FUZZ_REPLAY) it throws instead, so
/// that the test names the input.
[[noreturn]] inline void finding(const char* what) {
#ifdef ZK_FUZZ_REPLAY
  throw std::logic_error(std::string("zk-fuzz: invariant broken: ") + what);
#else
  std::fprintf(stderr, "zk-fuzz: invariant broken: %s\n", what);
  std::abort();
#endif
}

inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// Splits the RDATA text of one record into Tokens the way the zone-file scanner does
/// (parser/FORMAT.md, parser/grammar/record_def.hpp): a word is a run of characters other than
/// blanks and ( ) ; " with "\X" escaping any character; a quoted string runs to the next
/// unescaped quote (quotes removed, escapes kept) and may not hold a raw newline. A quote ends a
/// word, so key="a b" gives the tokens key= and "a b". Parentheses only group; ';' starts a
/// comment to the end of the line. Returns false where the scanner would reject the record
/// (quoted string not closed on its line). The views point into text.
inline bool tokenize(std::string_view text, std::vector<parser::detail::Token>& out) {
  out.clear();
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (is_blank(c) || c == '(' || c == ')') {
      ++i;
      continue;
    }
    if (c == ';') {
      while (i < n && text[i] != '\n') ++i;
      continue;
    }
    if (c == '"') {
      size_t j = i + 1;
      while (j < n && text[j] != '"') {
        if (text[j] == '\n') return false;
        j += (text[j] == '\\' && j + 1 < n) ? 2 : 1;
      }
      if (j >= n) return false;
      out.push_back({text.substr(i + 1, j - i - 1), true});
      i = j + 1;
      continue;
    }
    size_t j = i;
    while (j < n) {
      const char d = text[j];
      if (d == '\\') {
        j += (j + 1 < n) ? 2 : 1;
        continue;
      }
      if (is_blank(d) || d == '(' || d == ')' || d == ';' || d == '"') break;
      ++j;
    }
    out.push_back({text.substr(i, j - i), false});
    i = j;
  }
  return true;
}

}  // namespace zk::fuzz
