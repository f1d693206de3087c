// Run metrics in the Prometheus text exposition format (version 0.0.4), for node_exporter's
// textfile collector: the file is replaced atomically so the collector never reads half of it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/result.hpp"

namespace zk::emit {

/// One zone's figures from one run. Absent optionals are not written (Prometheus then shows
/// the series as missing, which alerts can test with absent()).
struct RunMetrics {
  std::string zone;                       // origin, e.g. "example.com."
  bool internal_failure = false;          // the run failed for a reason of zonekiln's (exit 4)
  unsigned ksk_action_needed = 0;         // KSKs in ACTION_NEEDED
  int64_t ksk_action_needed_seconds = 0;  // longest time one of them has been so
  struct KskAge {
    uint16_t tag = 0;
    int64_t seconds = 0;  // since the KSK became active (or was added, if never active)
  };
  std::vector<KskAge> ksk_ages;
  std::optional<int64_t> last_success;               // unix seconds (runs that exited 0)
  std::optional<int> last_exit_code;                 // the sign run's exit code (0..4)
  std::optional<int64_t> rrsig_earliest_expiration;  // unix seconds
  std::optional<uint64_t> rrsets_signed, rrsets_reused, ttl_clamped;
  std::optional<uint64_t> rrsets_renewed_early;  // of rrsets_signed: still good, renewed early
  std::optional<double> renewal_expected_share;  // run interval / renewal cycle (0..1)
  std::optional<double> run_duration_seconds;
};

/// The exposition text for the zones, one HELP and TYPE line per metric family, samples
/// labelled zone="..." (and tag="..." for KSK ages), label values escaped per the format.
std::string metrics_text(std::span<const RunMetrics> zones);

/// Writes metrics_text to path atomically (mode 0644, for the collector). Errc::WriteFailed on
/// failure. The sign run calls this at its very end, also after a failure (with internal_failure or
/// ksk_action_needed set), so alerts fire on the failure itself.
Result<void> write_metrics(const std::string& path, std::span<const RunMetrics> zones);

}  // namespace zk::emit
