#include "dns/rrtype.hpp"

#include <catch2/catch.hpp>

TEST_CASE("type mnemonics read and print", "[dns]") {
  struct Row {
    const char* text;
    int type;  // -1 = rejected
  };
  const Row rows[] = {
      {"A", 1},           {"a", 1},           {"AaAa", 28},    {"NSAP-PTR", 23},
      {"nsap-ptr", 23},   {"NULL", 10},       {"TYPE0", 0},    {"TYPE65535", 65535},
      {"type1234", 1234}, {"TYPE65536", -1},  {"TYPE", -1},    {"TYPE12x", -1},
      {"TYPE-1", -1},     {"TYPE000001", -1}, {"", -1},        {"AA", -1},
      {"ZONEMD", 63},     {"DLV", 32769},     {"TA", 32768},   {"URI", 256},
      {"WKS", 11},        {"X25", 19},        {"SVCB", 64},    {"HTTPS", 65},
      {"DSYNC", 66},      {"RESINFO", 261},   {"WALLET", 262}, {"AMTRELAY", 260},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    const auto t = zk::type_from_text(row.text);
    if (row.type < 0) {
      CHECK_FALSE(t.has_value());
    } else {
      REQUIRE(t.has_value());
      CHECK(*t == row.type);
    }
  }
  CHECK(zk::type_to_string(1) == "A");
  CHECK(zk::type_to_string(23) == "NSAP-PTR");
  CHECK(zk::type_to_string(1234) == "TYPE1234");
  CHECK(zk::type_to_string(0) == "TYPE0");
  CHECK(zk::type_mnemonic(4321).empty());
  // Every mnemonic reads back to its own number.
  for (uint32_t t = 0; t < 65536; ++t) {
    const auto m = zk::type_mnemonic(static_cast<uint16_t>(t));
    if (m.empty()) continue;
    INFO(m);
    CHECK(zk::type_from_text(m) == t);
  }
}

TEST_CASE("class mnemonics", "[dns]") {
  CHECK(zk::class_from_text("IN") == 1);
  CHECK(zk::class_from_text("in") == 1);
  CHECK(zk::class_from_text("CH") == 3);
  CHECK(zk::class_from_text("HS") == 4);
  CHECK(zk::class_from_text("CLASS1") == 1);
  CHECK(zk::class_from_text("class65535") == 65535);
  CHECK_FALSE(zk::class_from_text("CLASS65536"));
  CHECK_FALSE(zk::class_from_text("CLASS"));
  CHECK_FALSE(zk::class_from_text("INX"));
}

TEST_CASE("class mnemonics print as BIND prints them and so do data classes", "[dns]") {
  CHECK(zk::class_to_string(1) == "IN");
  CHECK(zk::class_to_string(3) == "CH");
  CHECK(zk::class_to_string(4) == "HS");
  CHECK(zk::class_to_string(7) == "CLASS7");
  CHECK(zk::class_to_string(65280) == "CLASS65280");
  for (uint16_t c : {1, 3, 4, 7, 127, 256, 57343, 65280, 65534}) CHECK(zk::class_is_data(c));
  for (uint16_t c : {0, 128, 254, 255, 57344, 65279, 65535}) CHECK_FALSE(zk::class_is_data(c));
}

// The IANA "Resource Record (RR) TYPEs" registry as of 2026: every data type with a published
// presentation format is read and printed in it; the rest (no format, reserved or obsolete
// without one) only in RFC 3597 generic form, by mnemonic or TYPEnnn; the Q/meta types never.
TEST_CASE("the IANA RR type registry, type by type", "[dns]") {
  enum Kind { Format, Generic, Meta };
  struct Row {
    const char* mnemonic;
    uint16_t number;
    Kind kind;
  };
  const Row rows[] = {
      {"A", 1, Format},          {"NS", 2, Format},        {"MD", 3, Format},
      {"MF", 4, Format},         {"CNAME", 5, Format},     {"SOA", 6, Format},
      {"MB", 7, Format},         {"MG", 8, Format},        {"MR", 9, Format},
      {"NULL", 10, Generic},     {"WKS", 11, Format},      {"PTR", 12, Format},
      {"HINFO", 13, Format},     {"MINFO", 14, Format},    {"MX", 15, Format},
      {"TXT", 16, Format},       {"RP", 17, Format},       {"AFSDB", 18, Format},
      {"X25", 19, Format},       {"ISDN", 20, Format},     {"RT", 21, Format},
      {"NSAP", 22, Format},      {"NSAP-PTR", 23, Format}, {"SIG", 24, Format},
      {"KEY", 25, Format},       {"PX", 26, Format},       {"GPOS", 27, Format},
      {"AAAA", 28, Format},      {"LOC", 29, Format},      {"NXT", 30, Format},
      {"EID", 31, Format},       {"NIMLOC", 32, Format},   {"SRV", 33, Format},
      {"ATMA", 34, Format},      {"NAPTR", 35, Format},    {"KX", 36, Format},
      {"CERT", 37, Format},      {"A6", 38, Format},       {"DNAME", 39, Format},
      {"SINK", 40, Format},      {"OPT", 41, Meta},        {"APL", 42, Format},
      {"DS", 43, Format},        {"SSHFP", 44, Format},    {"IPSECKEY", 45, Format},
      {"RRSIG", 46, Format},     {"NSEC", 47, Format},     {"DNSKEY", 48, Format},
      {"DHCID", 49, Format},     {"NSEC3", 50, Format},    {"NSEC3PARAM", 51, Format},
      {"TLSA", 52, Format},      {"SMIMEA", 53, Format},   {"HIP", 55, Format},
      {"NINFO", 56, Format},     {"RKEY", 57, Format},     {"TALINK", 58, Format},
      {"CDS", 59, Format},       {"CDNSKEY", 60, Format},  {"OPENPGPKEY", 61, Format},
      {"CSYNC", 62, Format},     {"ZONEMD", 63, Format},   {"SVCB", 64, Format},
      {"HTTPS", 65, Format},     {"DSYNC", 66, Format},    {"HHIT", 67, Format},
      {"BRID", 68, Format},      {"SPF", 99, Format},      {"UINFO", 100, Generic},
      {"UID", 101, Generic},     {"GID", 102, Generic},    {"UNSPEC", 103, Generic},
      {"NID", 104, Format},      {"L32", 105, Format},     {"L64", 106, Format},
      {"LP", 107, Format},       {"EUI48", 108, Format},   {"EUI64", 109, Format},
      {"NXNAME", 128, Meta},     {"TKEY", 249, Meta},      {"TSIG", 250, Meta},
      {"IXFR", 251, Meta},       {"AXFR", 252, Meta},      {"MAILB", 253, Meta},
      {"MAILA", 254, Meta},      {"ANY", 255, Meta},       {"URI", 256, Format},
      {"CAA", 257, Format},      {"AVC", 258, Format},     {"DOA", 259, Format},
      {"AMTRELAY", 260, Format}, {"RESINFO", 261, Format}, {"WALLET", 262, Format},
      {"CLA", 263, Format},      {"IPN", 264, Format},     {"TA", 32768, Format},
      {"DLV", 32769, Format},
  };
  for (const Row& r : rows) {
    INFO(r.mnemonic);
    CHECK(zk::type_from_text(r.mnemonic) == r.number);
    CHECK(zk::type_to_string(r.number) == r.mnemonic);
    CHECK(zk::type_is_known(r.number) == (r.kind == Format));
    CHECK(zk::type_is_meta(r.number) == (r.kind == Meta));
  }
  // Unassigned and private-use numbers: generic form by number only.
  for (uint16_t t : {0, 54, 69, 98, 110, 127, 265, 32770, 65280, 65534, 65535}) {
    INFO(t);
    CHECK(zk::type_mnemonic(t).empty());
    CHECK_FALSE(zk::type_is_known(t));
    CHECK_FALSE(zk::type_is_meta(t));
  }
}

TEST_CASE("meta and known types", "[dns]") {
  for (uint16_t t : {41, 249, 250, 251, 252, 253, 254, 255}) CHECK(zk::type_is_meta(t));
  // RFC 6895 s3.1: the whole Q/meta range 128-255 (NXNAME, RFC 9824, is 128). TYPE0 stays
  // readable in generic form, as Knot's 28_TYPE case expects.
  for (uint16_t t : {128, 200, 248}) CHECK(zk::type_is_meta(t));
  CHECK_FALSE(zk::type_is_meta(0));
  CHECK(zk::type_from_text("NXNAME") == 128);
  CHECK(zk::type_to_string(128) == "NXNAME");
  CHECK_FALSE(zk::type_is_meta(1));
  CHECK_FALSE(zk::type_is_meta(127));
  CHECK_FALSE(zk::type_is_meta(256));
  CHECK_FALSE(zk::type_is_meta(65534));
  for (const char* m :
       {"A",     "NS",      "MD",         "MF",    "CNAME",      "SOA",      "MB",       "MG",
        "MR",    "WKS",     "PTR",        "HINFO", "MINFO",      "MX",       "TXT",      "RP",
        "AFSDB", "X25",     "ISDN",       "RT",    "NSAP",       "NSAP-PTR", "KEY",      "SIG",
        "PX",    "GPOS",    "AAAA",       "LOC",   "NXT",        "SRV",      "NAPTR",    "KX",
        "CERT",  "A6",      "DNAME",      "APL",   "DS",         "SSHFP",    "IPSECKEY", "RRSIG",
        "NSEC",  "DNSKEY",  "DHCID",      "NSEC3", "NSEC3PARAM", "TLSA",     "SMIMEA",   "HIP",
        "CDS",   "CDNSKEY", "OPENPGPKEY", "CSYNC", "ZONEMD",     "SVCB",     "HTTPS",    "SPF",
        "EUI48", "EUI64",   "URI",        "CAA",   "NID",        "L32",      "L64",      "LP",
        "DLV",   "TA",      "AVC",        "DOA",   "AMTRELAY",   "RESINFO",  "WALLET",   "DSYNC",
        "HHIT",  "BRID",    "CLA",        "IPN",   "SINK"}) {
    INFO(m);
    CHECK(zk::type_is_known(*zk::type_from_text(m)));
  }
  CHECK_FALSE(zk::type_is_known(zk::rrtype::NULL_));  // RFC 1035: no presentation format
  CHECK_FALSE(zk::type_is_known(zk::rrtype::OPT));
  CHECK_FALSE(zk::type_is_known(4321));
}
