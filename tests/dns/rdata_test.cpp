#include "dns/rdata.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dns/rrtype.hpp"
#include "parser/detail/rdata_text.hpp"
#include "tests/support/knot_cases.hpp"

namespace {

std::vector<uint8_t> hex(std::string h) {
  h.erase(std::remove(h.begin(), h.end(), ' '), h.end());
  std::vector<uint8_t> w;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    w.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  }
  return w;
}

std::vector<uint8_t> parse(uint16_t type, const std::string& text,
                           const char* origin = "example.") {
  zk::Name o;
  REQUIRE(zk::name_from_text(origin, {}, o));
  const auto e = zk::test::split_entries(text);
  std::vector<zk::parser::detail::Token> t;
  for (size_t i = 0; !e.empty() && i < e[0].words.size(); ++i)
    t.push_back({e[0].words[i], e[0].quoted[i]});
  std::vector<uint8_t> buf(zk::parser::detail::kRdataBufSize);
  auto r = zk::parser::detail::rdata_from_text(type, t, o, buf.data());
  REQUIRE(r);
  buf.resize(*r);
  return buf;
}

std::string name_str(zk::NameView v) { return zk::name_to_string(v); }

const std::string kVectors = std::string(ZK_TESTDATA_DIR) + "/rfc-vectors/";

}  // namespace

TEST_CASE("key_tag matches the RFC vectors", "[dns]") {
  struct Case {
    const char* file;
    const char* origin;
    std::vector<uint16_t> tags;
  };
  const Case cases[] = {
      {"rfc4034/examples.zone", ".", {2642, 60485}},
      {"rfc5702/Kexample.net.+008+09033.key", ".", {9033}},
      {"rfc5702/Kexample.net.+010+03740.key", ".", {3740}},
      {"rfc6605/Kexample.net.+013+55648.key", ".", {55648}},
      {"rfc6605/Kexample.net.+014+10771.key", ".", {10771}},
  };
  for (const Case& c : cases) {
    std::vector<uint16_t> got;
    for (const auto& r : zk::test::load_zone_records(kVectors + c.file, c.origin)) {
      if (r.type != zk::rrtype::DNSKEY) continue;
      std::string text;
      for (size_t i = 0; i < r.words.size(); ++i) text += r.words[i] + " ";
      got.push_back(zk::key_tag(parse(zk::rrtype::DNSKEY, text)));
    }
    INFO(c.file);
    CHECK(got == c.tags);
  }
  // RFC 4034 B.1: RSA/MD5 takes the tag from the modulus' low-order octets.
  const auto md5 = hex("0100 03 01 AABBCCDDEEFF1234");
  CHECK(zk::key_tag(md5) == 0xFF12);
}

TEST_CASE("rfc 4034 example rdata wire", "[dns]") {
  const auto recs = zk::test::load_zone_records(kVectors + "rfc4034/examples.zone", ".");
  std::string dnskey, nsec;
  for (const auto& r : recs) {
    std::string text;
    for (size_t i = 0; i < r.words.size(); ++i) text += r.words[i] + " ";
    if (r.type == zk::rrtype::DNSKEY && dnskey.empty()) {
      const auto w = parse(r.type, text);
      dnskey = zk::test::to_hex(w.data(), w.size());
    }
    if (r.type == zk::rrtype::NSEC) {
      const auto w = parse(r.type, text);
      nsec = zk::test::to_hex(w.data(), w.size());
    }
  }
  CHECK(dnskey ==
        "010003050103D22A6CA77F35B893206FD35E4C506D8378843709B97E041647E1BFF43D8D64C649AF1E371973C9"
        "E891FCE3DF519A8C840A63EE42A6D2EBDDBB97035D215AA4E417B1FA45FA11A9741EA2098C1DFA5FB5FEB332FD"
        "4BC8152089AEF36BA644CCE2413B3B72BE18CBEF8DA253F4E93D2103866D9234A2E28DF529A67D5468DBEFE3");
  CHECK(
      nsec ==
      "04686F7374076578616D706C6503636F6D000006400100000003041B00000000000000000000000000000000000"
      "0000000000000000020");
}

TEST_CASE("rdata_validate accepts well-formed and rejects malformed wire", "[dns]") {
  struct Row {
    uint16_t type;
    const char* hex;
    bool valid;
  };
  using namespace zk::rrtype;
  const Row rows[] = {
      {A, "C0000201", true},
      {A, "C00002", false},
      {A, "C000020100", false},
      {AAAA, "20010DB8000000000000000000000001", true},
      {NS, "03666F6F00", true},
      {NS, "03666F6F", false},      // no root label
      {NS, "C00C", false},          // compression pointer
      {NS, "03666F6F0000", false},  // trailing octet
      {MX, "000A00", true},
      {MX, "000A", false},
      {SOA, "0000 00000001 00000002 00000003 00000004 00000005", true},
      {SOA, "0000 00000001 00000002 00000003 00000004 000005", false},
      {TXT, "0161 00", true},
      {TXT, "", false},
      {TXT, "0361", false},
      {HINFO, "00 00", true},
      {HINFO, "00", false},
      {DS, "0000 00 00 00", true},
      {DS, "0000 00 00", false},  // digest missing
      {NSEC, "00 0006 400100000003", true},
      {NSEC, "00", true},                   // empty type bitmap
      {NSEC, "00 0000", false},             // window of length 0
      {NSEC, "00 0001 00", false},          // trailing zero octet
      {NSEC, "00 0101 40 0001 40", false},  // windows out of order
      {NSEC,
       "00 0021 "
       "0000000000000000000000000000000000000000000000000000000000000000 01",
       false},
      {NSEC3, "01 00 0000 00 01 AA", true},
      {NSEC3, "01 00 0000 02 AA", false},
      {NSEC3PARAM, "01 00 0000 00", true},
      {NSEC3PARAM, "01 00 0000 01", false},
      {RRSIG, "0001 05 02 00000E10 00000000 00000000 0000 00 AA", true},
      {RRSIG, "0001 05 02 00000E10 00000000 00000000 0000", false},
      {LOC, "00 12 16 13 80000000 80000000 00989680", true},
      {LOC, "01 12 16 13 80000000 80000000 00989680", false},  // version 1
      {LOC, "00 1A 16 13 80000000 80000000 00989680", false},  // exponent 10
      {APL, "0001 15 03 C0A820", true},
      {APL, "0001 15 04 C0A82000", false},  // trailing zero octet in the address
      {APL, "0003 00 00", false},           // unknown family
      {APL, "", true},
      {SVCB, "0001 00 0001 0003 026832 0003 0002 0035", true},
      {SVCB, "0001 00 0003 0002 0035 0001 0003 026832", false},  // keys out of order
      {SVCB, "0001 00 0000 0002 0003", false},                   // mandatory key missing
      {SVCB, "0001 00 0000 0002 0000 0003 0002 0035", false},    // mandatory lists itself
      {SVCB, "0001 00 0001 0001 00", false},                     // empty alpn id
      {SVCB, "0001 00 0004 0003 C00002", false},                 // short ipv4hint
      {CAA, "00 05 6973737565 6361", true},
      {CAA, "00 05 69737375", false},
      {CAA, "00 02 612D 00", false},  // tag not alphanumeric
      {IPSECKEY, "0A 01 02 C0000226 AABB", true},
      {IPSECKEY, "0A 04 02 C0000226", false},
      {AMTRELAY, "0A 01 C0000226", true},
      {AMTRELAY, "0A 81 C0000226 00", false},
      {HIP, "02 02 0001 AAAA BB", true},
      {HIP, "02 02 0002 AAAA BB", false},
      {A6, "00 20010DB8000000000000000000000001", true},
      {A6, "40 0000000000000001 03666F6F00", true},
      {A6, "81", false},
      {WKS, "C0000201 06 40", true},
      {WKS, "C0000201", false},
      {EUI48, "00005E00532A", true},
      {EUI48, "00005E0053", false},
      {URI, "000A 0001 6674703A", true},
      {4321, "DEADBEEF", true},  // unknown types always pass
  };
  for (const Row& row : rows) {
    const auto w = hex(row.hex);
    INFO(zk::type_to_string(row.type) << " " << row.hex);
    const auto r = zk::rdata_validate(row.type, w);
    CHECK(r.has_value() == row.valid);
    if (!r.has_value()) CHECK(r.error().code == zk::Errc::BadRdata);
  }
  std::vector<uint8_t> big(65536, 0);
  const auto r = zk::rdata_validate(4321, big);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == zk::Errc::RdataTooLong);
}

TEST_CASE("rdata_canonicalize lowercases exactly the RFC 4034 s6.2 / RFC 6840 s5.1 names",
          "[dns]") {
  struct Row {
    const char* type;
    const char* in;
    bool lowered;
  };
  const Row rows[] = {
      {"NS", "\\# 5 03464F4F00", true},
      {"CNAME", "\\# 5 03464F4F00", true},
      {"PTR", "\\# 5 03464F4F00", true},
      {"DNAME", "\\# 5 03464F4F00", true},
      {"MX", "\\# 7 000A03464F4F00", true},
      {"SRV", "\\# 11 00000000000003464F4F00", true},
      {"SOA", "\\# 30 03414141 00 03424242 00 0000000100000002000000030000000400000005", true},
      {"A6", "\\# 14 40 0000000000000001 03464F4F00", true},
      {"RRSIG", "\\# 24 0001 05 02 00000E10 00000000 00000000 0000 03464F4F00 AA", false},
      {"NSEC", "\\# 5 03464F4F00", false},
      {"HINFO", "\\# 4 01 41 01 42", false},
      {"SVCB", "\\# 7 0001 03464F4F00", false},
      {"TXT", "\\# 2 01 41", false},
  };
  for (const Row& row : rows) {
    const uint16_t type = *zk::type_from_text(row.type);
    INFO(row.type);
    // rdata_from_text canonicalizes; compare with the raw generic octets.
    auto e = zk::test::split_entries(row.in);
    std::string raw_hex;
    for (size_t i = 2; i < e[0].words.size(); ++i) raw_hex += e[0].words[i];
    const auto raw = hex(raw_hex);
    auto canon = raw;
    zk::rdata_canonicalize(type, canon);
    CHECK((canon != raw) == row.lowered);
    CHECK(zk::rdata_has_canonical_names(type) == row.lowered);
    CHECK(parse(type, row.in) == canon);
    for (uint8_t c : canon) {
      if (row.lowered) CHECK_FALSE((c >= 'A' && c <= 'Z'));
    }
  }
  for (const char* t :
       {"NS", "MD",    "MF", "CNAME", "SOA", "MB",  "MG",    "MR", "PTR", "MINFO", "MX",
        "RP", "AFSDB", "RT", "SIG",   "PX",  "NXT", "NAPTR", "KX", "SRV", "DNAME", "A6"}) {
    INFO(t);
    CHECK(zk::rdata_has_canonical_names(*zk::type_from_text(t)));
  }
  for (const char* t : {"RRSIG", "NSEC", "HINFO", "NSEC3", "SVCB", "HTTPS", "LP", "NSAP-PTR",
                        "IPSECKEY", "HIP", "AMTRELAY", "TALINK", "DSYNC", "TXT", "TYPE4321"}) {
    INFO(t);
    CHECK_FALSE(zk::rdata_has_canonical_names(*zk::type_from_text(t)));
  }
}

TEST_CASE("rdata_names lists the embedded names", "[dns]") {
  struct Row {
    const char* type;
    const char* text;
    std::vector<std::string> names;
  };
  const Row rows[] = {
      {"NS", "ns1", {"ns1.example."}},
      {"MX", "10 mail", {"mail.example."}},
      {"SOA", "ns host 1 2 3 4 5", {"ns.example.", "host.example."}},
      {"SRV", "0 0 53 target", {"target.example."}},
      {"RRSIG", "A 8 2 60 1 0 1 Signer AQID", {"Signer.example."}},
      {"NSEC", "next A", {"next.example."}},
      {"SVCB", "1 svc port=53", {"svc.example."}},
      {"NAPTR", "1 1 \"S\" \"\" \"\" repl", {"repl.example."}},
      {"IPSECKEY", "1 3 2 gw AQID", {"gw.example."}},
      {"AMTRELAY", "1 0 3 relay", {"relay.example."}},
      {"HIP", "2 AABB AQID rv1 rv2", {"rv1.example.", "rv2.example."}},
      {"A6", "64 ::1 pfx", {"pfx.example."}},
      {"PX", "1 a b", {"a.example.", "b.example."}},
      {"A", "192.0.2.1", {}},
      {"TXT", "x", {}},
  };
  for (const Row& row : rows) {
    const uint16_t type = *zk::type_from_text(row.type);
    INFO(row.type << " " << row.text);
    const auto w = parse(type, row.text);
    zk::NameView out[4];
    const unsigned n = zk::rdata_names(type, w, out);
    std::vector<std::string> got;
    for (unsigned i = 0; i < n; ++i) got.push_back(name_str(out[i]));
    std::vector<std::string> want;
    for (const auto& s : row.names) {
      std::string l = s;
      if (zk::rdata_has_canonical_names(type)) {
        std::transform(l.begin(), l.end(), l.begin(),
                       [](char c) { return static_cast<char>(zk::ascii_lower(c)); });
      }
      want.push_back(l);
    }
    CHECK(got == want);
  }
}

TEST_CASE("typed readers decode SOA, RRSIG and DNSKEY", "[dns]") {
  const auto soa =
      parse(zk::rrtype::SOA, "ns.example. host.example. 2024010101 3600 900 604800 300");
  const auto s = zk::soa_fields(soa);
  CHECK(name_str(s.mname) == "ns.example.");
  CHECK(name_str(s.rname) == "host.example.");
  CHECK(s.serial == 2024010101u);
  CHECK(s.refresh == 3600u);
  CHECK(s.retry == 900u);
  CHECK(s.expire == 604800u);
  CHECK(s.minimum == 300u);
  REQUIRE(zk::soa_serial_offset(soa) == 26);  // 12 + 14 octets of names
  const uint8_t* serial = soa.data() + 26;
  CHECK(((uint32_t{serial[0]} << 24) | (serial[1] << 16) | (serial[2] << 8) | serial[3]) ==
        2024010101u);

  const auto sig =
      parse(zk::rrtype::RRSIG, "A 8 2 3600 20040509183619 20040409183619 38519 Example. AQIDBA==");
  const auto f = zk::rrsig_fields(sig);
  CHECK(f.type_covered == zk::rrtype::A);
  CHECK(f.algorithm == 8);
  CHECK(f.labels == 2);
  CHECK(f.original_ttl == 3600u);
  CHECK(f.expiration == 1084127779u);
  CHECK(f.inception == 1081535779u);
  CHECK(f.key_tag == 38519);
  CHECK(name_str(f.signer) == "Example.");  // RRSIG signer keeps its case (RFC 6840 s5.1)
  CHECK(f.signature.size() == 4);

  const auto key = parse(zk::rrtype::DNSKEY, "257 3 13 AQIDBA==");
  const auto k = zk::dnskey_fields(key);
  CHECK(k.flags == 257);
  CHECK(k.protocol == 3);
  CHECK(k.algorithm == 13);
  CHECK(k.public_key.size() == 4);
  CHECK(zk::rdata_single_name(parse(zk::rrtype::NS, "ns")).len == 12);
}

TEST_CASE("TypeBitmap writes and reads RFC 4034 type bitmaps", "[dns]") {
  zk::TypeBitmap b;
  CHECK(b.empty());
  CHECK(b.wire_size() == 0);
  for (uint16_t t :
       {uint16_t{1}, uint16_t{15}, uint16_t{46}, uint16_t{47}, uint16_t{1234}, uint16_t{65535}})
    b.add(t);
  b.add(1);
  CHECK(b.has(1234));
  CHECK_FALSE(b.has(2));
  std::vector<uint8_t> w(b.wire_size());
  CHECK(b.write(w.data()) == w.size());
  CHECK(zk::test::to_hex(w.data(), 12) == "0006400100000003041B0000");
  CHECK(w.back() == 0x01);  // type 65535 is the last bit of window 255
  zk::TypeBitmap r;
  REQUIRE(r.read(w));
  std::vector<uint16_t> types;
  r.for_each([&](uint16_t t) { types.push_back(t); });
  CHECK(types == std::vector<uint16_t>{1, 15, 46, 47, 1234, 65535});
  CHECK_FALSE(r.read(hex("0001 00")));
  CHECK_FALSE(r.read(hex("0101 40 0001 40")));
  CHECK_FALSE(r.read(hex("00")));
  CHECK(r.read({}));
  CHECK(r.empty());
  b.clear();
  CHECK(b.empty());
  CHECK(b.wire_size() == 0);
}
