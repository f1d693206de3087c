#include "parser/detail/rdata_text.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dns/rdata.hpp"
#include "dns/rrtype.hpp"
#include "tests/support/knot_cases.hpp"
#include "tests/support/rdata_samples.hpp"

using zk::parser::detail::kRdataBufSize;
using zk::parser::detail::rdata_from_text;
using zk::parser::detail::RdataTextOptions;
using zk::parser::detail::Token;

namespace {

const std::string kKnotDir = std::string(ZK_TESTDATA_DIR) + "/peer-suites/knot-libzscanner/data";

// Per-type files of the Knot suite (the general-syntax files test the record scanner).
const char* const kKnotTypeCases[] = {
    "10_A",       "11_AAAA",     "13_SPF",    "14_NS",         "15_CNAME",      "16_PTR",
    "17_DNAME",   "19_AFSDB",    "20_RT",     "21_KX",         "22_HINFO",      "23_MINFO",
    "25_SOA",     "26_SRV",      "28_TYPE",   "30_KEY",        "31_DNSKEY",     "33_DS",
    "34_SSHFP",   "35_IPSECKEY", "37_NSEC",   "38_DHCID",      "40_NSEC3PARAM", "41_TLSA",
    "43_EUI48",   "44_EUI64",    "46_L32",    "47_L64",        "48_LP",         "49_CDS",
    "50_CDNSKEY", "52_CAA",      "53_SMIMEA", "54_OPENPGPKEY", "56_ZONEMD",     "58_HTTPS",
    "59_WALLET",  "61_RESINFO",  "62_ALIAS",  "07-0-rdata",    "07-1-rdata",    "07-3-rdata",
};

struct Outcome {
  bool ok;
  std::string hex;
  zk::Errc code = zk::Errc::Internal;
  uint64_t offset = 0;
};

Outcome run(uint16_t type, const std::vector<Token>& tokens, std::string_view origin_text = ".",
            RdataTextOptions options = {}) {
  zk::Name origin;
  REQUIRE(zk::name_from_text(origin_text, {}, origin));
  std::vector<uint8_t> buf(kRdataBufSize);
  auto r = rdata_from_text(type, tokens, origin, buf.data(), options);
  if (!r) return {false, {}, r.error().code, r.error().where.offset};
  return {true, zk::test::to_hex(buf.data(), *r)};
}

std::string canonical_hex(uint16_t type, const std::string& hex) {
  std::vector<uint8_t> wire;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    wire.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  zk::rdata_canonicalize(type, wire);
  return zk::test::to_hex(wire.data(), wire.size());
}

std::vector<Token> toks(std::initializer_list<const char*> words) {
  std::vector<Token> t;
  for (const char* w : words) t.push_back({w, false});
  return t;
}

}  // namespace

TEST_CASE("knot per-type rdata cases give the expected wire or are rejected", "[parser]") {
  const std::string name =
      GENERATE(from_range(std::begin(kKnotTypeCases), std::end(kKnotTypeCases)));
  const auto records = zk::test::load_knot_case(kKnotDir, name);
  REQUIRE(!records.empty());
  for (const auto& rec : records) {
    const auto tokens = rec.tokens();
    // Knot's own name rule (letters, digits, - _ / * unescaped), which its cases expect.
    const Outcome got = run(rec.type, tokens, rec.origin, {zk::NameSyntax::Strict});
    INFO(rec.file << ".in line " << rec.line << " type " << zk::type_to_string(rec.type));
    if (rec.expect_ok) {
      CHECK(got.ok);
      // Knot keeps the case of names; zonekiln lowercases those RFC 4034 s6.2 lists.
      CHECK(got.hex == canonical_hex(rec.type, rec.rdata_hex));
    } else {
      CHECK_FALSE(got.ok);
    }
  }
}

TEST_CASE("rdata_from_text table", "[parser]") {
  struct Row {
    uint16_t type;
    std::vector<Token> tokens;
    const char* hex;  // expected wire (from ldns-read-zone, names lowercased per RFC 4034 s6.2)
  };
  using namespace zk::rrtype;
  const std::vector<Row> rows = {
      {A, toks({"192.0.2.1"}), "C0000201"},
      {AAAA, toks({"2001:db8::1"}), "20010DB8000000000000000000000001"},
      {MX, toks({"10", "Mail.Example."}), "000A046D61696C076578616D706C6500"},
      {NSEC, toks({"Host.Example.", "A", "MX", "RRSIG", "NSEC", "TYPE1234"}),
       "04486F7374074578616D706C65000006400100000003041B0000000000000000000000000000000000000000"
       "00000000000020"},
      {TXT, {{"a\\\"b", true}, {"\\255", false}}, "0361226201FF"},
      {RRSIG,
       toks({"A", "RSASHA1", "2", "3600", "20040509183619", "20040409183619", "38519", "example.",
             "AQID"}),
       "0001050200000E10409E7A234076ED239677076578616D706C6500010203"},
      {RRSIG, toks({"A", "5", "2", "1h", "1084127779", "1081535779", "38519", "example.", "AQID"}),
       "0001050200000E10409E7A234076ED239677076578616D706C6500010203"},
      {NSEC3,
       toks({"1", "1", "12", "aabbccdd", "2t7b4g4vsa5smi47k61mv5bv1a22bojr", "MX", "DNSKEY", "NS",
             "SOA", "NSEC3PARAM", "RRSIG"}),
       "0101000C04AABBCCDD14174EB2409FE28BCB4887A1836F957F0A8425E27B000722010000000290"},
      {NSEC3PARAM, toks({"1", "0", "0", "-"}), "0100000000"},
      {CAA,
       {{"0", false}, {"issue", false}, {"ca.example.net", true}},
       "0005697373756563612E6578616D706C652E6E6574"},
      {SVCB, toks({"1", ".", "port=53", "alpn=h2,h3", "mandatory=alpn"}),
       "00010000000002000100010006026832026833000300020035"},
      {LOC,
       toks({"52", "22", "23.000", "N", "4", "53", "32.000", "E", "-2.00m", "0.00m", "10000m",
             "10m"}),
       "000016138B3CF018810CBCE0009895B8"},
      {4321, toks({"\\#", "2", "a", "bcd"}), "ABCD"},
      {A, toks({"\\#", "4", "C0000201"}), "C0000201"},
      {DS, toks({"1", "2", "3", "abc", "d"}), "00010203ABCD"},  // hex words joined, as dnspython
      {SVCB, toks({"6", ".", "key00997=quoted"}), "00060003E5000671756F746564"},
      {4321, toks({"\\#", "0"}), ""},
  };
  for (const Row& row : rows) {
    INFO("type " << zk::type_to_string(row.type) << " first token " << row.tokens[0].text);
    const Outcome got = run(row.type, row.tokens);
    CHECK(got.ok);
    CHECK(got.hex == row.hex);
  }
}

TEST_CASE("rdata_from_text rejects bad rdata with code and token index", "[parser]") {
  struct Row {
    uint16_t type;
    std::vector<Token> tokens;
    zk::Errc code;
    uint64_t offset;
  };
  using namespace zk::rrtype;
  using zk::Errc;
  const std::vector<Row> rows = {
      {A, toks({"192.0.2"}), Errc::BadAddress, 0},
      {A, toks({"192.0.2.1", "x"}), Errc::BadRdata, 1},
      {MX, toks({"10"}), Errc::BadRdata, 1},
      {MX, toks({"65536", "a."}), Errc::BadNumber, 0},
      {NS, toks({"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."}),
       Errc::LabelTooLong, 0},
      {SOA, toks({"a.", "b.", "1h", "0", "0", "0", "0"}), Errc::BadNumber, 2},
      {DS, toks({"0", "0", "0", "0"}), Errc::BadHex, 3},
      {DS, toks({"0", "0", "0", "00", "0"}), Errc::BadHex, 4},
      {DS, toks({"0", "0", "0", "0g"}), Errc::BadHex, 3},
      {DNSKEY, toks({"0", "0", "0", "AA", "=="}), Errc::BadBase64, 4},
      {NSEC, toks({".", "X"}), Errc::UnknownType, 1},
      {NSEC3, toks({"1", "0", "10", "76931F", "CPNMU===", "A"}), Errc::BadBase32, 4},
      {SVCB, toks({"1", ".", "alpn=h2", "alpn=h3"}), Errc::BadRdata, 3},
      {SVCB, toks({"1", ".", "mandatory=port"}), Errc::BadRdata, 2},
      {HINFO, toks({"a"}), Errc::BadRdata, 1},
      {TXT, toks({"\\256"}), Errc::BadText, 0},
      {4321, toks({"abc"}), Errc::UnknownType, 0},
      {4321, toks({"\\#", "2", "00"}), Errc::BadRdata, 2},
      {A, toks({"\\#", "3", "000000"}), Errc::BadRdata, 0},
  };
  for (const Row& row : rows) {
    INFO("type " << zk::type_to_string(row.type) << " first token " << row.tokens[0].text);
    const Outcome got = run(row.type, row.tokens);
    CHECK_FALSE(got.ok);
    CHECK(got.code == row.code);
    CHECK(got.offset == row.offset);
  }
}

TEST_CASE("sample records of every type match ldns wire", "[parser]") {
  for (const auto& s : zk::test::kRdataSamples) {
    const auto type = zk::type_from_text(s.type);
    REQUIRE(type);
    const auto entries = zk::test::split_entries(s.text);
    std::vector<Token> tokens;
    if (!entries.empty()) {
      for (size_t i = 0; i < entries[0].words.size(); ++i) {
        tokens.push_back({entries[0].words[i], entries[0].quoted[i]});
      }
    }
    INFO(s.type << " " << s.text);
    const Outcome got = run(*type, tokens, "example.");
    CHECK(got.ok);
    if (*s.ldns_hex != 0) CHECK(got.hex == canonical_hex(*type, s.ldns_hex));
  }
}
