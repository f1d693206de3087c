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

TEST_CASE("meta and known types", "[dns]") {
  for (uint16_t t : {41, 249, 250, 251, 252, 253, 254, 255}) CHECK(zk::type_is_meta(t));
  CHECK_FALSE(zk::type_is_meta(1));
  for (const char* m :
       {"A",     "NS",      "MD",         "MF",    "CNAME",      "SOA",      "MB",       "MG",
        "MR",    "WKS",     "PTR",        "HINFO", "MINFO",      "MX",       "TXT",      "RP",
        "AFSDB", "X25",     "ISDN",       "RT",    "NSAP",       "NSAP-PTR", "KEY",      "SIG",
        "PX",    "GPOS",    "AAAA",       "LOC",   "NXT",        "SRV",      "NAPTR",    "KX",
        "CERT",  "A6",      "DNAME",      "APL",   "DS",         "SSHFP",    "IPSECKEY", "RRSIG",
        "NSEC",  "DNSKEY",  "DHCID",      "NSEC3", "NSEC3PARAM", "TLSA",     "SMIMEA",   "HIP",
        "CDS",   "CDNSKEY", "OPENPGPKEY", "CSYNC", "ZONEMD",     "SVCB",     "HTTPS",    "SPF",
        "EUI48", "EUI64",   "URI",        "CAA",   "NID",        "L32",      "L64",      "LP",
        "DLV",   "TA",      "AVC",        "DOA",   "AMTRELAY",   "RESINFO",  "WALLET",   "DSYNC"}) {
    INFO(m);
    CHECK(zk::type_is_known(*zk::type_from_text(m)));
  }
  CHECK_FALSE(zk::type_is_known(zk::rrtype::NULL_));  // RFC 1035: no presentation format
  CHECK_FALSE(zk::type_is_known(zk::rrtype::OPT));
  CHECK_FALSE(zk::type_is_known(4321));
}
