// The CDS/CDNSKEY consistency check, on BIND's named-checkzone cases and RFC 8078 delete records.
#include <catch2/catch.hpp>

#include "dns/diagnostics.hpp"
#include "parser/parser.hpp"
#include "pipeline/pipeline.hpp"
#include "tests/parser/test_util.hpp"

using namespace zk;

namespace {

// The apex DNSKEY and its SHA-256 CDS of BIND's good-cds.db (bin/tests/system/checkzone).
const std::string kDnskey =
    "257 3 10 AwEAAbqjg7xdvnU2Q/gtLw5LOfr5cDeTRjYuEbkzGrUiVSOSoxcTxuao "
    "WS/AFPQHuD8OSLiE/CeZ087JowREXl058rRfae8KMrveY17V0wmKs9N1 "
    "F1wf/hRDpXiThlRHWlskp8eSEEIqYrrHgWTesy/xDGIEOFM1gwRo0w8j "
    "KdRRJeL2hseTMa+m3rTzrYudUsI0BHLW8PiDUCbG5xgdee8/5YR4847i "
    "AAqHIiPJ1Z/IT53OIjMmtv5BUykZ8RYjlJxxX+C+dpRKiK73SQaR3hCB "
    "XAYOL9WsDp2/fpmEZpewavkMkdC+j2CX+z27MCS3ASO0AeKK0lcNXwND kgreE+Kr7gc=";
const std::string kCds =
    "14364 10 2 FD03B2312C8F0FE72C1751EFA1007D743C94EC91594FF0047C23C37CE119BA0C";

struct Checked {
  size_t errors = 0, warnings = 0;
  std::string messages;
};

Checked check(const std::string& text, bool from_file = false) {
  parser::ParseOptions o = parser::test::options_with_origin("example.");
  ZoneStore store;
  Diagnostics parse_diag;
  if (from_file) {
    REQUIRE(parser::parse_file(text, o, store, parse_diag));
  } else {
    REQUIRE(parser::parse_text(text, "test.zone", "", o, store, parse_diag));
  }
  REQUIRE(parse_diag.error_count() == 0);
  store.origin = o.origin;
  pipeline::sort_zone(store);
  const pipeline::ZoneIndex index = pipeline::build_index(store);
  Diagnostics diag;
  pipeline::check_cds(store, index, diag);
  Checked c{diag.error_count(), diag.warning_count(), {}};
  for (const auto& d : diag.sorted()) c.messages += diag.format(d) + "\n";
  return c;
}

std::string zone(const std::string& apex_records) {
  return "example. 0 SOA . . 0 0 0 0 0\nexample. 0 NS .\nexample. 0 DNSKEY " + kDnskey + "\n" +
         apex_records;
}

}  // namespace

TEST_CASE("CDS/CDNSKEY check: named-checkzone's own cases", "[pipeline][cds]") {
  const std::string dir = std::string(ZK_TESTDATA_DIR) + "/peer-suites/bind9-checkzone/zones/";
  const struct {
    const char* file;
    bool ok;
  } cases[] = {{"good-cds.db", true}, {"good-cdnskey.db", true}, {"bad-cdnskey.db", false}};
  for (const auto& c : cases) {
    INFO(c.file);
    const Checked r = check(dir + c.file, /*from_file=*/true);
    INFO(r.messages);
    CHECK((r.errors == 0) == c.ok);
  }
}

TEST_CASE("CDS/CDNSKEY check: each record matches an apex DNSKEY or is the delete record alone",
          "[pipeline][cds]") {
  const struct {
    const char* what;
    std::string records;
    size_t errors, warnings;
  } cases[] = {
      {"CDS and CDNSKEY of the apex key",
       "example. 0 CDS " + kCds + "\nexample. 0 CDNSKEY " + kDnskey + "\n", 0, 0},
      // BIND's later bad-cds.db: good-cds.db with the digest's last nibble changed.
      {"CDS digest off by one nibble",
       "example. 0 CDS 14364 10 2 "
       "FD03B2312C8F0FE72C1751EFA1007D743C94EC91594FF0047C23C37CE119BA0B\n",
       1, 0},
      {"a second CDS for no key (same algorithm)",
       "example. 0 CDS " + kCds + "\nexample. 0 CDS 14364 10 2 " + std::string(64, 'A') + "\n", 1,
       0},
      {"CDS of an algorithm without a DNSKEY",
       "example. 0 CDS 14364 13 2 " + std::string(64, 'A') + "\n", 1, 0},
      {"CDNSKEY that differs from the DNSKEY in its algorithm",
       "example. 0 CDNSKEY 257 3 8 " + kDnskey.substr(9) + "\n", 1, 0},
      {"RFC 8078 delete records alone", "example. 0 CDS 0 0 0 00\nexample. 0 CDNSKEY 0 3 0 AA==\n",
       0, 0},
      {"delete CDS beside a real CDS", "example. 0 CDS 0 0 0 00\nexample. 0 CDS " + kCds + "\n", 1,
       0},
      {"delete CDNSKEY beside a real CDNSKEY",
       "example. 0 CDNSKEY 0 3 0 AA==\nexample. 0 CDNSKEY " + kDnskey + "\n", 1, 0},
      {"an almost-delete CDS (digest of two zero octets)", "example. 0 CDS 0 0 0 0000\n", 1, 0},
      {"a digest type zonekiln cannot compute: key tag and algorithm must match",
       "example. 0 CDS 14364 10 3 " + std::string(64, 'A') + "\n", 0, 1},
      {"... and a wrong key tag with it",
       "example. 0 CDS 14365 10 3 " + std::string(64, 'A') + "\n", 1, 0},
      {"CDS/CDNSKEY below the apex are not the zone's",
       "sub.example. 0 CDS 1 10 2 " + std::string(64, 'A') + "\n", 0, 0},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const Checked r = check(zone(c.records));
    INFO(r.messages);
    CHECK(r.errors == c.errors);
    CHECK(r.warnings == c.warnings);
  }
  // No DNSKEY at all: a CDS cannot match; the delete record needs none.
  CHECK(check("example. 0 SOA . . 0 0 0 0 0\nexample. 0 NS .\nexample. 0 CDS " + kCds + "\n")
            .errors == 1);
  CHECK(check("example. 0 SOA . . 0 0 0 0 0\nexample. 0 NS .\nexample. 0 CDS 0 0 0 00\n").errors ==
        0);
}
