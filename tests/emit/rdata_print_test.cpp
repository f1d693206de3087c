#include "emit/rdata_print.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "parser/detail/rdata_text.hpp"
#include "tests/support/knot_cases.hpp"
#include "tests/support/rdata_samples.hpp"

using zk::emit::rdata_to_text;
using zk::parser::detail::kRdataBufSize;
using zk::parser::detail::rdata_from_text;
using zk::parser::detail::Token;

namespace {

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> w;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    w.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return w;
}

// Tokenizes presentation RDATA the way the record scanner does (quotes removed, escapes kept).
std::vector<Token> tokenize(const std::string& text) {
  static thread_local std::vector<zk::test::RawEntry> keep;
  keep = zk::test::split_entries(text);
  std::vector<Token> t;
  if (keep.empty()) return t;
  for (size_t i = 0; i < keep[0].words.size(); ++i)
    t.push_back({keep[0].words[i], keep[0].quoted[i]});
  return t;
}

// Parses text to wire (origin "example."); empty optional on failure.
bool parse(uint16_t type, const std::string& text, std::vector<uint8_t>& wire) {
  zk::Name origin;
  REQUIRE(zk::name_from_text("example.", {}, origin));
  std::vector<uint8_t> buf(kRdataBufSize);
  const auto tokens = tokenize(text);
  auto r = rdata_from_text(type, tokens, origin, buf.data());
  if (!r) return false;
  wire.assign(buf.begin(), buf.begin() + static_cast<long>(*r));
  return true;
}

// wire -> text -> wire must give the same octets, and printing again the same text.
void check_round_trip(uint16_t type, const std::vector<uint8_t>& wire) {
  std::string text;
  rdata_to_text(type, wire, text);
  INFO(zk::type_to_string(type) << " printed as: " << text);
  std::vector<uint8_t> again;
  REQUIRE(parse(type, text, again));
  CHECK(zk::test::to_hex(again.data(), again.size()) == zk::test::to_hex(wire.data(), wire.size()));
  std::string text2;
  rdata_to_text(type, again, text2);
  CHECK(text2 == text);
}

}  // namespace

TEST_CASE("sample records of every type round-trip through text", "[emit]") {
  for (const auto& s : zk::test::kRdataSamples) {
    const uint16_t type = *zk::type_from_text(s.type);
    INFO(s.type << " " << s.text);
    std::vector<uint8_t> wire;
    REQUIRE(parse(type, s.text, wire));
    check_round_trip(type, wire);
  }
}

TEST_CASE("every type with a presentation format has a round-trip sample", "[emit]") {
  for (uint32_t t = 0; t < 65536; ++t) {
    if (!zk::type_is_known(static_cast<uint16_t>(t))) continue;
    bool found = false;
    for (const auto& s : zk::test::kRdataSamples) found = found || *zk::type_from_text(s.type) == t;
    INFO(zk::type_to_string(static_cast<uint16_t>(t)));
    CHECK(found);
  }
}

TEST_CASE("knot accepted records round-trip through text", "[emit]") {
  const std::string dir = std::string(ZK_TESTDATA_DIR) + "/peer-suites/knot-libzscanner/data";
  const char* files[] = {"10_A",       "11_AAAA",   "13_SPF",        "14_NS",         "15_CNAME",
                         "16_PTR",     "17_DNAME",  "19_AFSDB",      "20_RT",         "21_KX",
                         "22_HINFO",   "23_MINFO",  "25_SOA",        "26_SRV",        "28_TYPE",
                         "30_KEY",     "31_DNSKEY", "33_DS",         "34_SSHFP",      "35_IPSECKEY",
                         "37_NSEC",    "38_DHCID",  "40_NSEC3PARAM", "41_TLSA",       "43_EUI48",
                         "44_EUI64",   "46_L32",    "47_L64",        "48_LP",         "49_CDS",
                         "50_CDNSKEY", "52_CAA",    "53_SMIMEA",     "54_OPENPGPKEY", "56_ZONEMD",
                         "58_HTTPS",   "59_WALLET", "61_RESINFO",    "62_ALIAS"};
  for (const char* f : files) {
    for (const auto& rec : zk::test::load_knot_case(dir, f)) {
      if (!rec.expect_ok) continue;
      INFO(rec.file << ".in line " << rec.line);
      auto wire = from_hex(rec.rdata_hex);
      zk::rdata_canonicalize(rec.type, wire);  // Knot keeps the case zonekiln folds
      check_round_trip(rec.type, wire);
    }
  }
}

TEST_CASE("rdata_to_text prints the presentation form", "[emit]") {
  struct Row {
    const char* type;
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"A", "192.0.2.1", "192.0.2.1"},
      {"MX", "10 Mail.Example.", "10 mail.example."},
      {"SOA", "ns hostmaster 1 1h 15m 1w 300",
       "ns.example. hostmaster.example. 1 3600 900 604800 300"},
      {"TXT", "\"a\\\"b\\\\c\" \\255 x", "\"a\\\"b\\\\c\" \"\\255\" \"x\""},
      {"DS", "60485 RSASHA1 1 2bb183af 5f225881", "60485 5 1 2BB183AF5F225881"},
      {"RRSIG", "A 5 2 1h 1084127779 1081535779 38519 example. AQID",
       "A 5 2 3600 20040509183619 20040409183619 38519 example. AQID"},
      {"NSEC", "host.example. A MX RRSIG NSEC TYPE1234", "host.example. A MX RRSIG NSEC TYPE1234"},
      {"NSEC", "host.example.", "host.example."},
      {"NSEC3", "1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG",
       "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG"},
      {"NSEC3PARAM", "1 0 0 -", "1 0 0 -"},
      {"CAA", "0 issue \"ca.example.net\"", "0 issue \"ca.example.net\""},
      {"CERT", "PGP 0 0 AQIDBA==", "PGP 0 0 AQIDBA=="},
      {"LOC", "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
       "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m"},
      {"LOC", "42 21 43.528 S 71 5 6.284 W 12m",
       "42 21 43.528 S 71 5 6.284 W 12.00m 1m 10000m 10m"},
      {"LOC", "1 N 1 E 0 0.1m", "1 0 0.000 N 1 0 0.000 E 0.00m 0.10m 10000m 10m"},
      {"SVCB", "1 . port=53 alpn=h2,h3 mandatory=alpn",
       "1 . mandatory=alpn alpn=\"h2,h3\" port=53"},
      {"SVCB", "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\"",
       "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\""},
      {"HTTPS", "1 . key667=\"hello\\210qoo\" key65000", "1 . key667=\"hello\\210qoo\" key65000"},
      {"APL", "1:192.168.32.0/21 !1:192.168.38.0/28", "1:192.168.32.0/21 !1:192.168.38.0/28"},
      {"WKS", "192.0.2.1 tcp smtp 80", "192.0.2.1 6 25 80"},
      {"EUI48", "00-00-5E-00-53-2A", "00-00-5e-00-53-2a"},
      {"NS", "a\\&b\\@c\\.d.", "a\\&b\\@c\\.d."},
      {"AMTRELAY", "10 0 0", "10 0 0 ."},
      {"DSYNC", "CDS 1 5359 scanner.example.", "CDS NOTIFY 5359 scanner.example."},
  };
  for (const Row& row : rows) {
    const uint16_t type = *zk::type_from_text(row.type);
    INFO(row.type << " " << row.in);
    std::vector<uint8_t> wire;
    REQUIRE(parse(type, row.in, wire));
    std::string text;
    rdata_to_text(type, wire, text);
    CHECK(text == row.out);
  }
}

TEST_CASE("rdata_to_text falls back to RFC 3597 form", "[emit]") {
  struct Row {
    uint16_t type;
    const char* hex;
    const char* out;
    bool valid = false;  // valid wire that has no exact presentation form
  };
  const Row rows[] = {
      {4321, "", "\\# 0"},
      {4321, "0102AB", "\\# 3 0102AB"},
      {zk::rrtype::A, "C00002", "\\# 3 C00002"},         // too short
      {zk::rrtype::NS, "03666F6F", "\\# 4 03666F6F"},    // name without root
      {zk::rrtype::NSEC, "00000600", "\\# 4 00000600"},  // trailing zero octet in bitmap
      {zk::rrtype::WKS, "C000020106 00", "\\# 6 C00002010600", true},  // bitmap ends in zero
      {zk::rrtype::SVCB, "0001 00 0003 0002 0035 0001 0003 026832",
       "\\# 16 00010000030002003500010003026832"},         // keys out of order
      {zk::rrtype::DNSKEY, "01010305", "\\# 4 01010305"},  // empty key
      {zk::rrtype::NULL_, "00", "\\# 1 00"},
  };
  for (const Row& row : rows) {
    std::string hex = row.hex;
    hex.erase(std::remove(hex.begin(), hex.end(), ' '), hex.end());
    const auto wire = from_hex(hex);
    std::string text;
    rdata_to_text(row.type, wire, text);
    CHECK(text == row.out);
    std::vector<uint8_t> back;
    if (row.type == 4321 || row.type == zk::rrtype::NULL_ || row.valid) {
      REQUIRE(parse(row.type, text, back));  // generic text reads back to the same octets
      CHECK(back == wire);
    } else {
      CHECK_FALSE(parse(row.type, text, back));  // invalid wire for a known type is refused
    }
  }
}

TEST_CASE("rdata_to_text appends without disturbing earlier output", "[emit]") {
  std::string out = "prefix ";
  const uint8_t a[] = {192, 0, 2, 1};
  rdata_to_text(zk::rrtype::A, a, out);
  CHECK(out == "prefix 192.0.2.1");
}

TEST_CASE("LOC edge values read and print back", "[emit]") {
  const char* rows[] = {
      "45 57 59.656 S 71 5 6.284 W 8556392.16m 1m 200m 10m",
      "90 0 0.000 S 180 0 0.000 E 42849672.95m 90000000m 90000000m 90000000m",
      "0 0 0.000 N 0 0 0.000 E -100000.00m 0.00m 0.01m 0.09m",
  };
  for (const char* row : rows) {
    INFO(row);
    std::vector<uint8_t> wire;
    REQUIRE(parse(zk::rrtype::LOC, row, wire));
    std::string text;
    rdata_to_text(zk::rrtype::LOC, wire, text);
    CHECK(text == row);
  }
  std::vector<uint8_t> wire;
  for (const char* bad : {"90 0 0.001 N 0 E 0", "0 N 180 0 0.001 E 0", "0 N 0 E 42849672.96m",
                          "0 N 0 E -100000.01m", "0 N 0 E 0 90000000.01m", "0 N 0 E 0 1m 1m 1m 1m",
                          "0 60 N 0 E 0", "0 0 60 N 0 E 0", "91 N 0 E 0", "0 X 0 E 0"}) {
    INFO(bad);
    CHECK_FALSE(parse(zk::rrtype::LOC, bad, wire));
  }
}
