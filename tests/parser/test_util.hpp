// Helpers shared by the parser tests: temp dirs, file reading, parsing with test options.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "dns/diagnostics.hpp"
#include "dns/zone.hpp"
#include "parser/parser.hpp"

namespace zk::parser::test {

namespace fs = std::filesystem;

inline std::string testdata_dir() { return ZK_TESTDATA_DIR; }
inline std::string testdata(const std::string& rel) { return testdata_dir() + "/" + rel; }

inline std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void write_all(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

/// A directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("zk_parser_test_" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline ParseOptions options_with_origin(std::string_view origin) {
  ParseOptions o;
  auto r = name_from_text(origin, NameView{}, o.origin);
  (void)r;
  o.origin_set = true;
  return o;
}

struct Parsed {
  ZoneStore store;
  Diagnostics diag{100000};
};

inline std::unique_ptr<Parsed> parse_string(std::string_view text, ParseOptions opt = {}) {
  auto p = std::make_unique<Parsed>();
  auto r = parse_text(text, "test.zone", "", opt, p->store, p->diag);
  (void)r;
  return p;
}

inline std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(d[p[i] >> 4]);
    s.push_back(d[p[i] & 15]);
  }
  return s;
}

}  // namespace zk::parser::test
