// Types of the IANA registry added or corrected for issue 12: their text form, wire form and
// the way back, and the types that have no text form.
#include <catch2/catch.hpp>

#include "dns/rrtype.hpp"
#include "emit/rdata_print.hpp"
#include "tests/parser/test_util.hpp"

namespace zk::parser::test {

TEST_CASE("new and corrected types: text -> wire -> the same text", "[parser][types]") {
  const struct {
    const char* record;  // owner "x", after "$TTL 60"
    const char* hex;     // expected wire RDATA
    const char* text;    // printed RDATA (empty: same as written)
  } rows[] = {
      // BIND's SINK (lib/dns/rdata/generic/sink_40.c): meaning, coding, subcoding, base64 data.
      {"SINK 8 0 2 l4ik", "0800029788A4", ""},
      {"SINK 1 0 0", "010000", ""},
      {"SINK 255 1 2 AAEC AwQ=", "FF01020001020304", "255 1 2 AAECAwQ="},
      // RFC 9886 DRIP: HHIT and BRID are base64 of the whole RDATA, as BIND prints them.
      {"HHIT AAEC", "000102", ""},
      {"BRID AAECAw==", "00010203", ""},
      // draft-johnson-dns-ipn-cla as NSD reads and prints (its rr-test.cmp_zone).
      {"IPN 100", "0000000000000064", ""},
      {"IPN 100.100", "0000006400000064", "429496729700"},
      {"IPN 10000000000000000000", "8AC7230489E80000", ""},
      {"IPN 18446744073709551615", "FFFFFFFFFFFFFFFF", ""},
      {"CLA CP-V4-V6 TCP-V6-V7", "0843502D56342D5636095443502D56362D5637",
       "\"CP-V4-V6\" \"TCP-V6-V7\""},
      // RFC 9824: NXNAME (128) appears in NSEC bitmaps.
      {"NSEC x.example. RRSIG NSEC NXNAME",
       "0178076578616D706C6500"
       "0011000000000003"
       "00000000000000000000"
       "80",
       ""},
      // RFC 3597 by number and by a known mnemonic without text form.
      {"TYPE65534 \\# 2 abcd", "ABCD", "\\# 2 ABCD"},
      {"NULL \\# 3 010203", "010203", "\\# 3 010203"},
      {"UINFO \\# 1 00", "00", "\\# 1 00"},
      {"TYPE67 \\# 3 000102", "000102", "AAEC"},
  };
  for (const auto& r : rows) {
    INFO(r.record);
    auto p =
        parse_string(std::string("$TTL 60\nx ") + r.record + "\n", options_with_origin("example."));
    const auto d = p->diag.sorted();
    INFO((d.empty() ? std::string() : p->diag.format(d[0])));
    REQUIRE(p->diag.error_count() == 0);
    REQUIRE(p->store.rrs.size() == 1);
    const RR& rr = p->store.rrs[0];
    CHECK(hex(rr.rdata, rr.rdlen) == r.hex);
    std::string text;
    emit::rdata_to_text(rr.type, rr.rdata_span(), text);
    const std::string record = r.record;
    const std::string want = *r.text ? r.text : record.substr(record.find(' ') + 1);
    CHECK(text == want);
  }
}

TEST_CASE("malformed records of the new types are errors", "[parser][types]") {
  for (const char* record : {
           "SINK 8 0",                  // subcoding missing
           "SINK 256 0 0",              // octets
           "SINK 8 0 2 l4i",            // base64 length
           "HHIT",                      // one or more octets
           "BRID \\# 0",                // the same in generic form
           "IPN 18446744073709551616",  // 2^64
           "IPN 4294967296.1",          // allocator over 32 bits
           "IPN 1.2.3",                 // not allocator.node
           "IPN -1",                    //
           "CLA",                       // at least one string
           "TYPE128 \\# 0",             // RFC 6895 s3.1: 128-255 are Q and meta types
           "NXNAME \\# 0",              //
           "TYPE200 \\# 1 00",          //
           "\xC3\xA9 A 192.0.2.1",      // an 8-bit token where TTL, class or type is due
       }) {
    INFO(record);
    auto p =
        parse_string(std::string("$TTL 60\nx ") + record + "\n", options_with_origin("example."));
    CHECK(p->diag.error_count() == 1);
    CHECK(p->store.rrs.empty());
  }
}

}  // namespace zk::parser::test
