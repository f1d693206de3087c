// Test-only helpers for the signer tests: records read with the project's parser, RRset grouping
// in canonical order, and temp directories.
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

#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "dns/zone.hpp"
#include "parser/parser.hpp"

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

/// One record read from text.
struct TextRR {
  Name owner;
  uint32_t ttl = 0;
  uint16_t type = 0;
  std::vector<uint8_t> rdata;
};

/// Reads records with the project's zone-file reader (parser/), origin "." and no $INCLUDE: the
/// owners and RDATA exactly as zonekiln loads them (RDATA in canonical form), in input order.
/// A file the reader refuses fails the test with its diagnostics.
inline std::vector<TextRR> read_records(const std::string& text) {
  parser::ParseOptions options;
  options.origin_set = true;
  options.allow_include = false;
  options.default_ttl = 0;  // records without a TTL (dnssec-dsfromkey output) read as TTL 0
  options.default_ttl_set = true;
  options.threads = 1;
  ZoneStore store;
  Diagnostics diag;
  auto r = parser::parse_text(text, "test-records", "", options, store, diag);
  if (!r || diag.has_errors()) {
    std::string why = r ? std::string() : r.error().detail;
    for (const auto& d : diag.sorted()) why += "\n" + diag.format(d);
    throw std::runtime_error("test records do not load:" + why);
  }
  std::vector<TextRR> out;
  out.reserve(store.rrs.size());
  for (const RR& rr : store.rrs) {
    TextRR t;
    t.owner = Name(rr.owner->name());
    t.ttl = rr.ttl;
    t.type = rr.type;
    t.rdata.assign(rr.rdata, rr.rdata + rr.rdlen);
    out.push_back(std::move(t));
  }
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
