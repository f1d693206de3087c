// Test helpers: build ZoneStores by hand (no parser needed) and make temp dirs.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/rrtype.hpp"
#include "dns/zone.hpp"

namespace zk::test {

inline Name name(const std::string& text) {
  Name n;
  auto r = name_from_text(text, NameView{}, n);
  if (!r) throw std::runtime_error("bad test name " + text);
  n.to_lower();
  return n;
}

inline std::vector<uint8_t> wire(const std::string& text) {
  Name n = name(text);
  return {n.data(), n.data() + n.size()};
}

inline std::vector<uint8_t> a(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }

inline void put32(std::vector<uint8_t>& v, uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(x >> s));
}

inline std::vector<uint8_t> soa(const std::string& mname, uint32_t serial, uint32_t minimum) {
  std::vector<uint8_t> v = wire(mname);
  auto r = wire("hostmaster." + mname);
  v.insert(v.end(), r.begin(), r.end());
  for (uint32_t x : {serial, 7200u, 3600u, 1209600u, minimum}) put32(v, x);
  return v;
}

inline std::vector<uint8_t> txt(const std::string& s) {
  std::vector<uint8_t> v{static_cast<uint8_t>(s.size())};
  v.insert(v.end(), s.begin(), s.end());
  return v;
}

/// Appends records to a store; owners are made in the store's arena.
class ZoneBuilder {
 public:
  explicit ZoneBuilder(const std::string& origin) { store.origin = name(origin); }
  ZoneBuilder& add(const std::string& owner, uint16_t type, uint32_t ttl,
                   const std::vector<uint8_t>& rdata) {
    Arena& arena = store.arena();
    const Owner* o = make_owner(arena, name(owner));
    const uint8_t* rd = arena.copy(rdata.data(), rdata.size());
    store.rrs.push_back(RR{o, rd, ttl, type, static_cast<uint16_t>(rdata.size())});
    return *this;
  }
  ZoneStore store;
};

/// A fresh directory under $TMPDIR (or /tmp), removed when the object dies.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/zktest.XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// A key directory inside this one ("keys/", made on first use). Outputs go beside it, never
  /// into it: sign refuses an output path in the key directory (issue 11).
  std::string keys() const {
    const std::string k = path_ + "/keys";
    std::filesystem::create_directories(k);
    return k;
  }

 private:
  std::string path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
}

}  // namespace zk::test
