#include "signer/lifecycle/status.hpp"

#include <catch2/catch.hpp>

#include "dns/timeparse.hpp"
#include "signer/lifecycle/ksk.hpp"

using namespace zk::signer;

TEST_CASE("RRSIG expirations read from signed zone text", "[lifecycle]") {
  const std::string text =
      "$ORIGIN example.com.\n"
      "$TTL 3600\n"
      "@ 3600 IN SOA ns1 host ( 1 7200 3600 1209600 3600 ) ; comment (\n"
      "  3600 IN RRSIG SOA 13 2 3600 (\n"
      "       20261210000000 20261126000000 12345 example.com.\n"
      "       abcd== )\n"
      "txt IN TXT \"a ; not a comment ( RRSIG\"\n"
      "    IN 3600 RRSIG TXT 13 3 3600 20261205000000 20261121000000 12345 example.com. ab==\n"
      "www 300 RRSIG A 13 3 300 1796000000 1795000000 12345 example.com. ab==\n"
      "old RRSIG A 13 3 300 \\# 10 0001\n"
      "ns1 A 192.0.2.1\n";
  const RrsigScan s = scan_rrsig_text(text);
  CHECK(s.rrsigs == 4);
  CHECK(s.unreadable == 1);
  REQUIRE(s.earliest.has_value());
  CHECK(*s.earliest == 1796000000);
  CHECK(s.earliest_owner == "www");
  CHECK(s.earliest_type == "A");

  const RrsigScan t = scan_rrsig_text("a IN RRSIG A 13 3 300 20261205000000 2026 1 x. ab");
  REQUIRE(t.earliest.has_value());
  CHECK(*t.earliest == *zk::parse_time("20261205000000", 0));
  CHECK(scan_rrsig_text("").rrsigs == 0);
}

TEST_CASE("status warns about expiring signatures and says what to do", "[lifecycle]") {
  const int64_t now = 1'790'000'000;
  Policy policy;
  KeyStateFile file;
  ZoneKeyState& z = file.get_or_add("example.com.");
  REQUIRE(ksk_register(z, policy, 100, 13, "K100", "QUJD", now - 100 * 86400).has_value());
  REQUIRE(ksk_activate(z, 100, now - 100 * 86400).has_value());
  add_zsk(z, 200, 13, "K200", "REVG", now - 100 * 86400);
  z.keys.back().published = z.keys.back().active = now - 100 * 86400;
  z.last_success = now - 5 * 86400;
  z.keys[0].ds_seen = true;
  z.keys[0].ds_seen_at = now - 99 * 86400;

  RrsigScan scan;
  scan.rrsigs = 10;
  scan.earliest = now + 2 * 86400;
  scan.earliest_owner = "www";
  scan.earliest_type = "A";
  StatusOptions o;
  o.now = now;
  StatusReport r = build_status(file, "example.com", policy, {}, scan, o);
  CHECK(r.known);
  CHECK(r.exit_code == 4);
  REQUIRE(r.warnings.size() == 2);  // expiring + no successful run for 5 days
  CHECK(r.warnings[0].find("signatures expire in 2d") != std::string::npos);
  // The overdue ZSK rollover shows as due at the next run.
  CHECK_FALSE(r.preview.actions.empty());
  const std::string text = status_text(r, o);
  CHECK(text.find("WARNING") != std::string::npos);
  CHECK(status_json(r, o).find("\"earliest_expiration\": 1790172800") != std::string::npos);

  // A KSK problem: exit 3 and the owner's to-do list.
  std::vector<KeyProblem> problems{{100, 13, "private key file missing"}};
  scan.earliest = now + 10 * 86400;
  StatusReport r3 = build_status(file, "example.com.", policy, problems, scan, o);
  CHECK(r3.exit_code == 3);
  CHECK(r3.state == ZoneState::ActionNeeded);
  CHECK_FALSE(r3.preview.owner_actions.empty());

  const KeyFigures f = key_figures(r3.preview.state, now + 3600);
  CHECK(f.ksk_action_needed == 1);
  CHECK(f.ksk_action_needed_seconds == 3600);
  REQUIRE(f.ksk_ages.size() == 1);
  CHECK(f.ksk_ages[0].second == 100 * 86400 + 3600);

  StatusReport unknown = build_status(file, "other.org", policy, {}, std::nullopt, o);
  CHECK_FALSE(unknown.known);
  CHECK(unknown.exit_code == 3);
}

TEST_CASE("status forecasts the renewals of the signed zone it reads", "[lifecycle][renewal]") {
  // A zone whose RRSIGs all expire together (signed without spread): the next runs renew the
  // ones due and, early, the ones whose run it is; the scan must count what the schedule says.
  const int64_t now = *zk::parse_time("20260301031700", 0);
  const int64_t expiration = now + 10 * 86400;
  const RenewalSchedule schedule{14 * 86400, 9 * 86400 + 3600, 5 * 86400 - 3600, 86400};
  std::string text = "; signed\n";
  std::vector<SignatureTiming> sigs;
  for (int i = 0; i < 300; ++i) {
    const std::string owner = "h" + std::to_string(i) + ".example.com.";
    text += owner + "\t3600\tIN\tA\t192.0.2.1\n" + owner + "\t3600\tIN\tRRSIG\tA 13 3 3600 " +
            zk::time_to_compact(expiration) + " 20260301021700 12345 example.com. ab==\n";
    zk::Name n;
    REQUIRE(zk::name_from_text(owner, zk::NameView{}, n));
    sigs.push_back({renewal_hash(n.view(), 1), expiration});
  }
  zk::Name origin;
  REQUIRE(zk::name_from_text("example.com.", zk::NameView{}, origin));
  const ForecastRequest request{schedule, now, origin.view()};
  const RrsigScan scan = scan_rrsig_text(text, &request);
  const std::vector<uint64_t> want = forecast_renewals(schedule, now, sigs);
  CHECK(scan.forecast == want);
  REQUIRE(want.size() == forecast_runs(schedule));
  uint64_t total = 0;
  for (uint64_t n : want) total += n;
  CHECK(total >= 300);  // every RRSIG is renewed within one cycle (some early)
  CHECK(scan_rrsig_text(text).forecast.empty());  // no request, no forecast
}
