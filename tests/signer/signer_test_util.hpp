// Test-only helpers for the signer tests: a tiny reader for the few presentation-format record
// types the known-answer files use (the real parser is built in parallel elsewhere), RRset
// grouping in canonical order, and temp directories.
#pragma once

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/zone.hpp"

namespace zk::signer_test {

inline std::string testdata_dir() { return ZK_TESTDATA_DIR; }
inline std::string vectors_dir() { return testdata_dir() + "/rfc-vectors"; }
inline std::string dnst_dir() { return testdata_dir() + "/peer-suites/dnst-signer-inputs"; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A temp directory removed at scope exit.
struct TempDir {
  std::string path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/zk_signer_test.XXXXXX";
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  /// Copies a file in, with the given mode (key files in testdata are read-only 0444).
  std::string copy_in(const std::string& src, mode_t mode = 0600) const {
    const std::string dst = path + "/" + std::filesystem::path(src).filename().string();
    std::ofstream(dst, std::ios::binary) << read_file(src);
    ::chmod(dst.c_str(), mode);
    return dst;
  }
};

inline bool b64_decode(const std::string& in, std::vector<uint8_t>& out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=' || c == ' ')
      continue;
    else
      return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return true;
}

inline std::vector<uint8_t> hex_decode(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}

inline std::string hex(std::span<const uint8_t> v) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (uint8_t b : v) {
    s += d[b >> 4];
    s += d[b & 15];
  }
  return s;
}

inline uint16_t type_number(const std::string& t) {
  static const std::map<std::string, uint16_t> k = {
      {"A", 1},      {"NS", 2},    {"CNAME", 5},   {"SOA", 6},   {"PTR", 12},
      {"HINFO", 13}, {"MX", 15},   {"TXT", 16},    {"AAAA", 28}, {"DS", 43},
      {"RRSIG", 46}, {"NSEC", 47}, {"DNSKEY", 48}, {"CDS", 59},  {"CDNSKEY", 60}};
  if (auto it = k.find(t); it != k.end()) return it->second;
  if (t.rfind("TYPE", 0) == 0) return static_cast<uint16_t>(std::stoul(t.substr(4)));
  throw std::runtime_error("test helper: unknown type " + t);
}

// RFC 4034 s3.2: YYYYMMDDHHmmSS, or unix seconds (as RFC 8080's examples print them).
inline uint32_t rrsig_time(const std::string& s) {
  if (s.size() != 14) return static_cast<uint32_t>(std::stoul(s));
  struct tm tm {};
  tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(s.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(s.substr(6, 2));
  tm.tm_hour = std::stoi(s.substr(8, 2));
  tm.tm_min = std::stoi(s.substr(10, 2));
  tm.tm_sec = std::stoi(s.substr(12, 2));
  return static_cast<uint32_t>(timegm(&tm));
}

/// One record read from text.
struct TextRR {
  Name owner;
  uint32_t ttl = 0;
  uint16_t type = 0;
  std::vector<uint8_t> rdata;
};

inline void put_name(std::vector<uint8_t>& out, const std::string& text, bool lower) {
  Name n;
  if (!name_from_text(text, NameView{}, n))
    throw std::runtime_error("test helper: bad name " + text);
  if (lower) n.to_lower();
  out.insert(out.end(), n.data(), n.data() + n.size());
}
inline void put16(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(static_cast<uint8_t>(v >> 8));
  o.push_back(static_cast<uint8_t>(v));
}
inline void put32(std::vector<uint8_t>& o, uint32_t v) {
  put16(o, v >> 16);
  put16(o, v & 0xFFFF);
}

/// RDATA for the types the vector files use, lowercasing embedded names like the store does.
inline std::vector<uint8_t> rdata_from_tokens(uint16_t type, const std::vector<std::string>& t) {
  std::vector<uint8_t> o;
  auto rest = [&](size_t from) {
    std::string s;
    for (size_t i = from; i < t.size(); ++i) s += t[i];
    return s;
  };
  if (!t.empty() && t[0] == "\\#") {  // RFC 3597 generic RDATA
    o = hex_decode(rest(2));
    return o;
  }
  switch (type) {
    case 1: {
      in_addr a{};
      inet_pton(AF_INET, t.at(0).c_str(), &a);
      auto* p = reinterpret_cast<const uint8_t*>(&a);
      o.assign(p, p + 4);
      break;
    }
    case 28: {
      in6_addr a{};
      inet_pton(AF_INET6, t.at(0).c_str(), &a);
      auto* p = reinterpret_cast<const uint8_t*>(&a);
      o.assign(p, p + 16);
      break;
    }
    case 2:
    case 5:
    case 12:
      put_name(o, t.at(0), true);
      break;
    case 15:
      put16(o, std::stoul(t.at(0)));
      put_name(o, t.at(1), true);
      break;
    case 6:
      put_name(o, t.at(0), true);
      put_name(o, t.at(1), true);
      for (int i = 2; i < 7; ++i) put32(o, static_cast<uint32_t>(std::stoul(t.at(i))));
      break;
    case 13:
    case 16:
      for (const std::string& s : t) {
        std::string v = s;
        if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
        o.push_back(static_cast<uint8_t>(v.size()));
        o.insert(o.end(), v.begin(), v.end());
      }
      break;
    case 43:
    case 59: {
      put16(o, std::stoul(t.at(0)));
      o.push_back(static_cast<uint8_t>(std::stoul(t.at(1))));
      o.push_back(static_cast<uint8_t>(std::stoul(t.at(2))));
      auto d = hex_decode(rest(3));
      o.insert(o.end(), d.begin(), d.end());
      break;
    }
    case 48:
    case 60:
      put16(o, std::stoul(t.at(0)));
      o.push_back(static_cast<uint8_t>(std::stoul(t.at(1))));
      o.push_back(static_cast<uint8_t>(std::stoul(t.at(2))));
      b64_decode(rest(3), o);
      break;
    case 46:
      put16(o, type_number(t.at(0)));
      o.push_back(static_cast<uint8_t>(std::stoul(t.at(1))));
      o.push_back(static_cast<uint8_t>(std::stoul(t.at(2))));
      put32(o, static_cast<uint32_t>(std::stoul(t.at(3))));
      put32(o, rrsig_time(t.at(4)));
      put32(o, rrsig_time(t.at(5)));
      put16(o, std::stoul(t.at(6)));
      put_name(o, t.at(7), false);
      b64_decode(rest(8), o);
      break;
    case 47: {
      put_name(o, t.at(0), false);
      uint8_t win[256][32] = {};
      int maxb[256];
      std::fill(std::begin(maxb), std::end(maxb), -1);
      for (size_t i = 1; i < t.size(); ++i) {
        const uint16_t ty = type_number(t[i]);
        const int w = ty >> 8, b = ty & 255;
        win[w][b >> 3] |= static_cast<uint8_t>(0x80 >> (b & 7));
        maxb[w] = std::max(maxb[w], b >> 3);
      }
      for (int w = 0; w < 256; ++w) {
        if (maxb[w] < 0) continue;
        o.push_back(static_cast<uint8_t>(w));
        o.push_back(static_cast<uint8_t>(maxb[w] + 1));
        o.insert(o.end(), win[w], win[w] + maxb[w] + 1);
      }
      break;
    }
    default:
      throw std::runtime_error("test helper: no RDATA reader for type " + std::to_string(type));
  }
  return o;
}

/// Reads "owner [ttl] [IN] TYPE rdata" records (parentheses, ';' comments, quoted strings,
/// blank owner = previous owner).
/// Owners must be absolute; there is no $ORIGIN/$TTL support (the vector files need none).
inline std::vector<TextRR> read_records(const std::string& text) {
  std::vector<TextRR> out;
  std::vector<std::string> toks;
  int depth = 0;
  auto flush = [&]() {
    if (toks.empty()) return;
    TextRR rr;
    size_t i = 0;
    if (toks[i].empty()) {  // blank owner: the previous record's (RFC 1035 s5.1)
      if (out.empty()) throw std::runtime_error("test helper: no previous owner");
      rr.owner = out.back().owner;
      ++i;
    } else if (!name_from_text(toks[i++], NameView{}, rr.owner)) {
      throw std::runtime_error("bad owner");
    }
    if (i < toks.size() && std::isdigit(static_cast<unsigned char>(toks[i][0])))
      rr.ttl = static_cast<uint32_t>(std::stoul(toks[i++]));
    if (i < toks.size() && toks[i] == "IN") ++i;
    rr.type = type_number(toks.at(i++));
    rr.rdata = rdata_from_tokens(rr.type, std::vector<std::string>(toks.begin() + i, toks.end()));
    out.push_back(std::move(rr));
    toks.clear();
  };
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t i = 0;
    const bool starts_blank = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    const bool has_data = line.find_first_not_of(" \t\r") != std::string::npos &&
                          line[line.find_first_not_of(" \t\r")] != ';';
    if (toks.empty() && depth == 0 && starts_blank && has_data) toks.emplace_back();
    while (i < line.size()) {
      const char c = line[i];
      if (c == ';') break;
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i;
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
      size_t j = i;
      if (c == '"') {
        j = line.find('"', i + 1) + 1;
      } else {
        while (j < line.size() && !std::strchr(" \t\r;()", line[j])) ++j;
      }
      toks.push_back(line.substr(i, j - i));
      i = j;
    }
    if (depth == 0) flush();
  }
  flush();
  return out;
}

/// Records grouped into RRsets the way the zone store holds them: owners lowercased, RDATA in
/// canonical order without duplicates. Keyed by (lowercase owner wire, type).
struct RRsets {
  Arena arena;
  std::map<std::pair<std::string, uint16_t>, std::vector<RR>> sets;

  explicit RRsets(const std::vector<TextRR>& rrs, bool skip_rrsig = true) {
    for (const TextRR& t : rrs) {
      if (skip_rrsig && t.type == 46) continue;
      Name lower(t.owner);
      lower.to_lower();
      auto& v = sets[{std::string(lower.view().bytes()), t.type}];
      const Owner* o = v.empty() ? make_owner(arena, t.owner) : v[0].owner;
      v.push_back(RR{o, arena.copy(t.rdata.data(), t.rdata.size()), t.ttl, t.type,
                     static_cast<uint16_t>(t.rdata.size())});
    }
    for (auto& [k, v] : sets) {
      std::sort(v.begin(), v.end(), rr_less);
      v.erase(std::unique(v.begin(), v.end(),
                          [](const RR& a, const RR& b) { return rr_compare(a, b) == 0; }),
              v.end());
    }
  }
  const std::vector<RR>* find(NameView owner, uint16_t type) const {
    Name lower(owner);
    lower.to_lower();
    auto it = sets.find({std::string(lower.view().bytes()), type});
    return it == sets.end() ? nullptr : &it->second;
  }
};

}  // namespace zk::signer_test
