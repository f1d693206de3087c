#include "emit/metrics.hpp"

#include <catch2/catch.hpp>

#include "tests/signer/lifecycle/lifecycle_fixture.hpp"

using zk::emit::RunMetrics;

TEST_CASE("metrics in Prometheus text format", "[lifecycle]") {
  RunMetrics m;
  m.zone = "example.com.";
  m.ksk_action_needed = 1;
  m.ksk_action_needed_seconds = 7200;
  m.ksk_ages = {{100, 86400}, {200, 3600}};
  m.last_success = 1790000000;
  m.last_exit_code = 3;
  m.rrsig_earliest_expiration = 1791000000;
  m.rrsets_signed = 10;
  m.rrsets_reused = 90;
  m.ttl_clamped = 2;
  m.rrsets_renewed_early = 4;
  m.renewal_expected_share = 1.0 / 4.958;
  m.run_duration_seconds = 1.5;
  RunMetrics q;
  q.zone = "we\"ird\\.";
  q.internal_failure = true;
  const RunMetrics zones[] = {m, q};
  const std::string text = zk::emit::metrics_text(zones);

  const char* expected_lines[] = {
      "# HELP zonekiln_internal_failure ",
      "# TYPE zonekiln_internal_failure gauge\n",
      "zonekiln_internal_failure{zone=\"example.com.\"} 0\n",
      "zonekiln_internal_failure{zone=\"we\\\"ird\\\\.\"} 1\n",
      "zonekiln_ksk_action_needed{zone=\"example.com.\"} 1\n",
      "zonekiln_ksk_action_needed_seconds{zone=\"example.com.\"} 7200\n",
      "zonekiln_ksk_age_seconds{zone=\"example.com.\",tag=\"100\"} 86400\n",
      "zonekiln_ksk_age_seconds{zone=\"example.com.\",tag=\"200\"} 3600\n",
      "zonekiln_last_success_timestamp_seconds{zone=\"example.com.\"} 1790000000\n",
      "# TYPE zonekiln_last_exit_code gauge\n",
      "zonekiln_last_exit_code{zone=\"example.com.\"} 3\n",
      "zonekiln_rrsig_earliest_expiration_timestamp_seconds{zone=\"example.com.\"} 1791000000\n",
      "zonekiln_rrsets_signed{zone=\"example.com.\"} 10\n",
      "zonekiln_rrsets_reused{zone=\"example.com.\"} 90\n",
      "zonekiln_rrsets_renewed_early{zone=\"example.com.\"} 4\n",
      "zonekiln_renewal_expected_share{zone=\"example.com.\"} 0.201694\n",
      "zonekiln_ttl_clamped{zone=\"example.com.\"} 2\n",
      "zonekiln_run_duration_seconds{zone=\"example.com.\"} 1.500\n",
  };
  for (const char* line : expected_lines) {
    INFO(line);
    CHECK(text.find(line) != std::string::npos);
  }
  // Absent figures are not written for the second zone.
  CHECK(text.find("zonekiln_last_success_timestamp_seconds{zone=\"we") == std::string::npos);
  // One HELP and TYPE per family.
  size_t helps = 0;
  for (size_t pos = 0; (pos = text.find("# TYPE zonekiln_internal_failure ", pos)) != text.npos;
       ++pos)
    ++helps;
  CHECK(helps == 1);
  CHECK(text.back() == '\n');

  zk::test::TempDir dir;
  REQUIRE(zk::emit::write_metrics(dir.file("zonekiln.prom"), zones).has_value());
  CHECK(zk::test::read_text(dir.file("zonekiln.prom")) == text);
  // A file that cannot be written is an internal failure (exit 4), as the metrics say.
  CHECK(zk::emit::write_metrics(dir.file("no/such/dir/x.prom"), zones).error().code ==
        zk::Errc::WriteFailed);
}
