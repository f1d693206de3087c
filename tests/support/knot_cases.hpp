// Reads the Knot libzscanner per-type test files (.in master file + .out expectations) into
// records of RDATA tokens for the per-type RDATA tests. This is a small test-only tokenizer:
// it knows comments, quotes, parentheses and blank owners, which is all those files use.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/rrtype.hpp"
#include "parser/detail/rdata_text.hpp"

namespace zk::test {

struct KnotRecord {
  std::string file;
  int line = 0;
  std::string origin;  // text of the $ORIGIN in force
  uint16_t type = 0;
  std::vector<std::string> token_text;
  std::vector<bool> quoted;
  bool expect_ok = false;
  std::string rdata_hex;  // upper-case hex when expect_ok
  std::vector<parser::detail::Token> tokens() const {
    std::vector<parser::detail::Token> t;
    for (size_t i = 0; i < token_text.size(); ++i) t.push_back({token_text[i], quoted[i]});
    return t;
  }
};

inline std::string read_text_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct RawEntry {
  int line;
  bool blank_owner;
  std::vector<std::string> words;
  std::vector<bool> quoted;
};

// Splits a master file into entries (one per record or directive), joining parentheses.
inline std::vector<RawEntry> split_entries(const std::string& text) {
  std::vector<RawEntry> out;
  size_t i = 0;
  int line = 1;
  int depth = 0;
  RawEntry cur{};
  bool started = false;
  auto flush = [&]() {
    if (started && !cur.words.empty()) out.push_back(cur);
    cur = RawEntry{};
    started = false;
  };
  bool at_line_start = true;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
      if (depth == 0) flush();
      at_line_start = true;
      continue;
    }
    if (!started) {
      started = true;
      cur.line = line;
      cur.blank_owner = at_line_start && (c == ' ' || c == '\t');
    }
    at_line_start = false;
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == ';') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '(') {
      ++depth;
      ++i;
      continue;
    }
    if (c == ')') {
      --depth;
      ++i;
      continue;
    }
    if (c == '"') {
      std::string w;
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) w.push_back(text[i++]);
        if (text[i] == '\n') ++line;
        w.push_back(text[i++]);
      }
      ++i;
      cur.words.push_back(w);
      cur.quoted.push_back(true);
      continue;
    }
    std::string w;
    while (i < text.size()) {
      const char d = text[i];
      if (d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == ';' || d == '(' || d == ')' ||
          d == '"') {
        break;
      }
      if (d == '\\' && i + 1 < text.size()) w.push_back(text[i++]);
      w.push_back(text[i++]);
    }
    cur.words.push_back(w);
    cur.quoted.push_back(false);
  }
  flush();
  return out;
}

struct OutBlock {
  bool ok = false;
  std::string rdata;
  std::string error;
};

inline std::vector<OutBlock> read_out(const std::string& text) {
  std::vector<OutBlock> blocks;
  std::istringstream in(text);
  std::string l;
  OutBlock b;
  while (std::getline(in, l)) {
    if (l == "------") {
      blocks.push_back(b);
      b = OutBlock{};
    } else if (l.rfind("RDATA=", 0) == 0) {
      b.ok = true;
      b.rdata = l.substr(6);
    } else if (l.rfind("WARNG=", 0) == 0 || l.rfind("ERROR=", 0) == 0) {
      b.error = l.substr(6);
    }
  }
  return blocks;
}

inline bool is_ttl_word(const std::string& w) {
  if (w.empty() || !(w[0] >= '0' && w[0] <= '9')) return false;
  for (char c : w) {
    if (!((c >= '0' && c <= '9') || std::string("smhdwSMHDW").find(c) != std::string::npos)) {
      return false;
    }
  }
  return true;
}

/// Records of one case file paired with their expected outcome. Records whose owner, class or
/// type cannot be told apart (errors before the RDATA) are dropped, as are entries after a
/// fatal ERROR.
inline std::vector<KnotRecord> load_knot_case(const std::string& dir, const std::string& name) {
  const auto entries = split_entries(read_text_file(dir + "/" + name + ".in"));
  const auto blocks = read_out(read_text_file(dir + "/" + name + ".out"));
  std::vector<KnotRecord> out;
  std::string origin = ".";
  size_t bi = 0;
  for (const RawEntry& e : entries) {
    if (e.words[0] == "$ORIGIN" && !e.blank_owner) {
      if (e.words.size() > 1) origin = e.words[1];
      continue;
    }
    if (e.words[0][0] == '$' && !e.blank_owner) continue;
    if (bi >= blocks.size()) break;
    const OutBlock& b = blocks[bi++];
    size_t w = e.blank_owner ? 0 : 1;
    std::optional<uint16_t> type;
    for (int k = 0; k < 3 && w < e.words.size(); ++k) {
      if (is_ttl_word(e.words[w]) || class_from_text(e.words[w])) {
        ++w;
        continue;
      }
      type = type_from_text(e.words[w]);
      break;
    }
    if (!type) continue;
    KnotRecord r;
    r.file = name;
    r.line = e.line;
    r.origin = origin;
    r.type = *type;
    for (size_t k = w + 1; k < e.words.size(); ++k) {
      r.token_text.push_back(e.words[k]);
      r.quoted.push_back(e.quoted[k]);
    }
    r.expect_ok = b.ok;
    r.rdata_hex = b.rdata;
    out.push_back(r);
  }
  return out;
}

inline std::string to_hex(const uint8_t* p, size_t n) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kDigits[p[i] >> 4]);
    s.push_back(kDigits[p[i] & 15]);
  }
  return s;
}

}  // namespace zk::test

namespace zk::test {

struct ZoneRecord {
  int line = 0;
  std::string origin;
  uint16_t type = 0;
  std::vector<std::string> words;
  std::vector<bool> quoted;
  std::vector<parser::detail::Token> tokens() const {
    std::vector<parser::detail::Token> t;
    for (size_t i = 0; i < words.size(); ++i) t.push_back({words[i], quoted[i]});
    return t;
  }
};

/// The records of a small zone file as (type, RDATA tokens), with the $ORIGIN in force.
/// Test-only: no $INCLUDE, no $GENERATE.
inline std::vector<ZoneRecord> load_zone_records(const std::string& path, std::string origin) {
  std::vector<ZoneRecord> out;
  for (const RawEntry& e : split_entries(read_text_file(path))) {
    if (!e.blank_owner && e.words[0] == "$ORIGIN") {
      origin = e.words.size() > 1 ? e.words[1] : origin;
      continue;
    }
    if (!e.blank_owner && e.words[0][0] == '$') continue;
    size_t w = e.blank_owner ? 0 : 1;
    std::optional<uint16_t> type;
    for (int k = 0; k < 3 && w < e.words.size(); ++k) {
      if (is_ttl_word(e.words[w]) || class_from_text(e.words[w])) {
        ++w;
        continue;
      }
      type = type_from_text(e.words[w]);
      break;
    }
    ZoneRecord r;
    r.line = e.line;
    r.origin = origin;
    r.type = type.value_or(0);
    for (size_t k = w + 1; k < e.words.size(); ++k) {
      r.words.push_back(e.words[k]);
      r.quoted.push_back(e.quoted[k]);
    }
    if (type) out.push_back(r);
  }
  return out;
}

}  // namespace zk::test
