#include "parser/detail/field_text.hpp"

#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace pd = zk::parser::detail;

namespace {

std::string hex_of(const uint8_t* p, size_t n) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(d[p[i] >> 4]);
    s.push_back(d[p[i] & 15]);
  }
  return s;
}

}  // namespace

TEST_CASE("read_number", "[parser]") {
  CHECK(*pd::read_number("0", 255) == 0);
  CHECK(*pd::read_number("255", 255) == 255);
  CHECK(*pd::read_number("4294967295", 0xffffffffu) == 0xffffffffu);
  for (const char* bad : {"256", "", "-1", "1x", " 1", "99999999999999999999"}) {
    INFO(bad);
    auto r = pd::read_number(bad, 255);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == zk::Errc::BadNumber);
  }
}

TEST_CASE("read_ttl with units", "[parser]") {
  struct Row {
    const char* t;
    int64_t v;  // -1 = rejected
  };
  const Row rows[] = {{"0", 0},           {"1h", 3600}, {"1H", 3600},   {"1w2d3h4m5s", 788645},
                      {"2h30m", 9000},    {"90", 90},   {"1d1", 86401}, {"4294967295", 4294967295},
                      {"4294967296", -1}, {"h", -1},    {"1x", -1},     {"", -1},
                      {"1hh", -1},        {"7102w", -1}};
  for (const Row& r : rows) {
    INFO(r.t);
    auto v = pd::read_ttl(r.t, 0xffffffffu);
    if (r.v < 0) {
      REQUIRE_FALSE(v);
      CHECK(v.error().code == zk::Errc::BadTtl);
    } else {
      REQUIRE(v);
      CHECK(*v == r.v);
    }
  }
  CHECK_FALSE(pd::read_ttl("2147483648", 0x7fffffffu));
  CHECK(*pd::read_ttl("2147483647", 0x7fffffffu) == 0x7fffffffu);
}

TEST_CASE("read_algorithm, read_cert_type, read_type", "[parser]") {
  CHECK(*pd::read_algorithm("8") == 8);
  CHECK(*pd::read_algorithm("RSASHA256") == 8);
  CHECK(*pd::read_algorithm("ecdsap256sha256") == 13);
  CHECK(*pd::read_algorithm("ED25519") == 15);
  CHECK(*pd::read_algorithm("PRIVATEOID") == 254);
  CHECK_FALSE(pd::read_algorithm("256"));
  CHECK_FALSE(pd::read_algorithm("RSA"));
  CHECK(*pd::read_cert_type("PGP") == 3);
  CHECK(*pd::read_cert_type("oid") == 254);
  CHECK(*pd::read_cert_type("65535") == 65535);
  CHECK_FALSE(pd::read_cert_type("X509"));
  CHECK(*pd::read_type("aaaa") == 28);
  CHECK(*pd::read_type("TYPE999") == 999);
  CHECK(pd::read_type("BOGUS").error().code == zk::Errc::UnknownType);
}

TEST_CASE("read_time", "[parser]") {
  CHECK(*pd::read_time("20040509183619") == 1084127779u);
  CHECK(*pd::read_time("19700101000000") == 0u);
  CHECK(*pd::read_time("21060207062815") == 0xffffffffu);
  CHECK(*pd::read_time("21060207062816") == 0u);  // RFC 4034 s3.1.5: serial arithmetic wraps
  CHECK(*pd::read_time("20000229000000") == 951782400u);
  CHECK(*pd::read_time("1084127779") == 1084127779u);
  CHECK(*pd::read_time("0") == 0u);
  for (const char* bad : {"20040509183660", "20041309183619", "20030229000000", "2004050918361x",
                          "19691231235959", "", "4294967296"}) {
    INFO(bad);
    CHECK_FALSE(pd::read_time(bad));
  }
}

TEST_CASE("read_ipv4 and read_ipv6", "[parser]") {
  uint8_t a[16];
  REQUIRE(pd::read_ipv4("192.0.2.255", a));
  CHECK(hex_of(a, 4) == "C00002FF");
  for (const char* bad : {"192.0.2", "192.0.2.256", "1.2.3.4.5", "a.b.c.d", "", "1.2.3.4 "}) {
    INFO(bad);
    auto r = pd::read_ipv4(bad, a);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == zk::Errc::BadAddress);
  }
  REQUIRE(pd::read_ipv6("2001:db8::1", a));
  CHECK(hex_of(a, 16) == "20010DB8000000000000000000000001");
  REQUIRE(pd::read_ipv6("::ffff:192.0.2.1", a));
  CHECK(hex_of(a, 16) == "00000000000000000000FFFFC0000201");
  for (const char* bad : {"2001:db8::1::", "12345::", "g::", "", "1:2:3:4:5:6:7:8:9"}) {
    INFO(bad);
    CHECK_FALSE(pd::read_ipv6(bad, a));
  }
}

// The common address forms are read without inet_pton; every answer must still be inet_pton's,
// address for address, on well-formed and malformed text alike.
TEST_CASE("read_ipv4 and read_ipv6 agree with inet_pton", "[parser]") {
  const std::vector<std::string> v4 = {"0",   "1",    "9", "01", "10", "99", "100", "255", "256",
                                       "999", "1000", ".", ".",  ".",  "",   "a",   " "};
  const std::vector<std::string> v6 = {"0",       "1",   "ab", "FfFf", "12345", "00000",
                                       ":",       ":",   "::", ":::",  "g",     ".",
                                       "1.2.3.4", "db8", "0:", "",     "ffff",  "255.255.255.255",
                                       "1.2.3"};
  std::mt19937_64 next(0x2545F4914F6CDD1DULL);
  auto check = [](int af, const std::string& s) {
    uint8_t ours[16] = {}, theirs[16] = {};
    const bool ok = af == AF_INET ? bool(pd::read_ipv4(s, ours)) : bool(pd::read_ipv6(s, ours));
    const bool ref = inet_pton(af, s.c_str(), theirs) == 1;
    INFO("address: [" << s << "]");
    REQUIRE(ok == ref);
    if (ok) CHECK(std::memcmp(ours, theirs, af == AF_INET ? 4 : 16) == 0);
    return ok;
  };
  size_t good4 = 0, good6 = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string a, b;
    const size_t n4 = next() % 2 ? 7 : 1 + next() % 8;  // half of them four octets and three dots
    for (size_t i = 0; i < n4; ++i)
      a += (i % 2 == 1 && next() % 8 != 0) ? "." : v4[next() % v4.size()];
    good4 += check(AF_INET, a);
    const size_t n6 = 1 + next() % 18;
    for (size_t i = 0; i < n6; ++i)
      b += (i % 2 == 1 && next() % 3 != 0) ? ":" : v6[next() % v6.size()];
    good6 += check(AF_INET6, b);
  }
  for (const char* s : {"::", "::1", "1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8",
                        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1::2::3", "fe80::1", ":1::"}) {
    check(AF_INET6, s);
  }
  CHECK(good4 > 100);
  CHECK(good6 > 100);
}

TEST_CASE("read_escaped and read_char_string", "[parser]") {
  uint8_t buf[300];
  auto n = pd::read_escaped("a\\\"b\\\\c\\065\\ ", buf, sizeof buf);
  REQUIRE(n);
  CHECK(std::string(reinterpret_cast<char*>(buf), *n) == "a\"b\\cA ");
  for (const char* bad : {"\\", "\\1", "\\12", "\\12x", "\\256"}) {
    INFO(bad);
    auto r = pd::read_escaped(bad, buf, sizeof buf);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == zk::Errc::BadText);
  }
  CHECK_FALSE(pd::read_escaped("abc", buf, 2));
  const std::string s255(255, 'x'), s256(256, 'x');
  auto cs = pd::read_char_string(s255, buf);
  REQUIRE(cs);
  CHECK(*cs == 256);
  CHECK(buf[0] == 255);
  CHECK_FALSE(pd::read_char_string(s256, buf));
  CHECK(*pd::read_char_string("", buf) == 1);
  CHECK(buf[0] == 0);
}

TEST_CASE("read_base64", "[parser]") {
  uint8_t buf[64];
  struct Row {
    const char* t;
    const char* hex;  // nullptr = rejected
  };
  const Row rows[] = {{"AA==", "00"},           {"Zm8=", "666F"},  {"Zm9v", "666F6F"},
                      {"Zm9vYg==", "666F6F62"}, {"A", nullptr},    {"AB", nullptr},
                      {"ABC", nullptr},         {"A===", nullptr}, {"====", nullptr},
                      {"=", nullptr},           {"Zm=v", nullptr}, {"Zm8=Zm8=", nullptr},
                      {"Zm9*", nullptr},        {"", nullptr}};
  for (const Row& r : rows) {
    INFO(r.t);
    auto n = pd::read_base64(r.t, buf, sizeof buf);
    if (r.hex == nullptr) {
      REQUIRE_FALSE(n);
      CHECK(n.error().code == zk::Errc::BadBase64);
    } else {
      REQUIRE(n);
      CHECK(hex_of(buf, *n) == r.hex);
    }
  }
  CHECK(pd::read_base64("Zm9v", buf, 2).error().code == zk::Errc::RdataTooLong);
}

TEST_CASE("read_hex, read_base32hex and read_salt", "[parser]") {
  uint8_t buf[300];
  CHECK(hex_of(buf, *pd::read_hex("00aBcD", buf, sizeof buf)) == "00ABCD");
  CHECK(pd::read_hex("0", buf, sizeof buf).error().code == zk::Errc::BadHex);
  CHECK(pd::read_hex("0g", buf, sizeof buf).error().code == zk::Errc::BadHex);
  CHECK_FALSE(pd::read_hex("", buf, sizeof buf));

  auto n = pd::read_base32hex("2t7b4g4vsa5smi47k61mv5bv1a22bojr", buf, 255);
  REQUIRE(n);
  CHECK(hex_of(buf, *n) == "174EB2409FE28BCB4887A1836F957F0A8425E27B");
  CHECK(hex_of(buf, *pd::read_base32hex("CO", buf, 255)) == "66");  // "f"
  CHECK(hex_of(buf, *pd::read_base32hex("cpng", buf, 255)) == "666F");
  CHECK(pd::read_base32hex("C", buf, 255).error().code == zk::Errc::BadBase32);
  CHECK(pd::read_base32hex("CP", buf, 255).error().code == zk::Errc::BadBase32);  // stray bits
  CHECK(pd::read_base32hex("CW", buf, 255).error().code == zk::Errc::BadBase32);  // not base32hex

  CHECK(hex_of(buf, *pd::read_salt("-", buf)) == "00");
  CHECK(hex_of(buf, *pd::read_salt("aabbccdd", buf)) == "04AABBCCDD");
  CHECK_FALSE(pd::read_salt("abc", buf));
  CHECK_FALSE(pd::read_salt(std::string(512, 'a'), buf));
  CHECK(pd::read_salt(std::string(510, 'a'), buf));
}

TEST_CASE("read_eui, read_l64 and read_bitmap_type", "[parser]") {
  uint8_t buf[8];
  REQUIRE(pd::read_eui("00-00-5e-00-53-2A", buf, 6));
  CHECK(hex_of(buf, 6) == "00005E00532A");
  REQUIRE(pd::read_eui("00-00-5e-ef-10-00-00-2a", buf, 8));
  CHECK(hex_of(buf, 8) == "00005EEF1000002A");
  for (const char* bad : {"00-00-5e-00-53", "00-00-5e-00-53-2a-", "00:00:5e:00:53:2a",
                          "0-00-5e-00-53-2a0", "00-00-5e-00-53-2g"}) {
    INFO(bad);
    CHECK_FALSE(pd::read_eui(bad, buf, 6));
  }
  REQUIRE(pd::read_l64("2001:0db8:1140:1000", buf));
  CHECK(hex_of(buf, 8) == "20010DB811401000");
  for (const char* bad : {"2001:db8:1140:1000", "2001:0db8:1140", "2001:0db8:1140:1000:0000",
                          "2001:0db8:1140:100g", "0000:0000:0000:000"}) {
    INFO(bad);
    CHECK_FALSE(pd::read_l64(bad, buf));
  }
  zk::TypeBitmap b;
  REQUIRE(pd::read_bitmap_type("MX", b));
  REQUIRE(pd::read_bitmap_type("type65535", b));
  CHECK(b.has(15));
  CHECK(b.has(65535));
  CHECK(pd::read_bitmap_type("TYPE65536", b).error().code == zk::Errc::UnknownType);
}

TEST_CASE("Base64Stream joins tokens split anywhere", "[parser]") {
  struct Row {
    std::vector<const char*> tokens;
    const char* hex;  // nullptr = rejected
  };
  const Row rows[] = {
      {{"Zm9v", "YmE="}, "666F6F6261"},
      {{"Zm", "9vYg=="}, "666F6F62"},
      {{"Z", "m", "9", "v"}, "666F6F"},
      {{"Zm9vYg=", "="}, nullptr},  // a token may not start with '='
      {{"AA", "=="}, nullptr},
      {{"Zm8=", "Zm8="}, nullptr},  // data after padding
      {{"Zm9"}, nullptr},
      {{"A==="}, nullptr},
      {{"===="}, nullptr},
  };
  for (const Row& r : rows) {
    pd::Base64Stream s;
    uint8_t buf[32];
    size_t n = 0;
    bool ok = true;
    for (const char* t : r.tokens) {
      auto got = s.feed(t, buf + n, sizeof buf - n);
      if (!got) {
        ok = false;
        CHECK(got.error().code == zk::Errc::BadBase64);
        break;
      }
      n += *got;
    }
    ok = ok && s.finish().has_value();
    INFO(r.tokens[0]);
    CHECK(ok == (r.hex != nullptr));
    if (ok && r.hex) CHECK(hex_of(buf, n) == r.hex);
  }
}
