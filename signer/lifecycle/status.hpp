// `zonekiln status`: what the state file, the key files and the signed zone say about a zone,
// and what a person must do. Also the key figures the run metrics need.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/lifecycle/renewal.hpp"

namespace zk::signer {

/// RRSIG expirations found in a signed zone file.
struct RrsigScan {
  uint64_t rrsigs = 0;              // RRSIG records read
  uint64_t unreadable = 0;          // RRSIG records whose expiration could not be read
  std::optional<int64_t> earliest;  // earliest expiration (unix seconds)
  std::string earliest_owner;       // owner and covered type of that RRSIG, for messages
  std::string earliest_type;
  /// With a ForecastRequest: RRSIGs each of the next runs will make (forecast_renewals).
  std::vector<uint64_t> forecast;
  std::map<int64_t, uint64_t> per_day;  // RRSIGs by day of expiration (unix seconds / 86400, UTC)
};

/// What scan_rrsig_text needs to forecast renewals: the schedule, the time of the forecast,
/// and the zone apex for relative owner names.
struct ForecastRequest {
  RenewalSchedule schedule;
  int64_t now = 0;
  NameView origin;
};

/// Scans presentation-format zone text for RRSIG records and their expiration field
/// (RFC 4034 s3.2: YYYYMMDDHHmmSS or unix seconds). A small line reader, not a full parser:
/// handles ';' comments, quoted strings, multi-line parentheses, blank owners, optional TTL and
/// class in either order, $-directives (skipped). Records in RFC 3597 generic form count as
/// unreadable. With forecast, also the renewal forecast of the RRSIGs read (an RRSIG whose
/// owner or covered type cannot be read is left out of it).
RrsigScan scan_rrsig_text(std::string_view text, const ForecastRequest* forecast = nullptr);
/// Same for a file; Errc::Io when it cannot be read.
Result<RrsigScan> scan_rrsig_file(const std::string& path,
                                  const ForecastRequest* forecast = nullptr);

/// Figures for the run metrics (emit/metrics.hpp RunMetrics), from the state.
struct KeyFigures {
  bool internal_failure = false;
  unsigned ksk_action_needed = 0;
  int64_t ksk_action_needed_seconds = 0;
  std::vector<std::pair<uint16_t, int64_t>> ksk_ages;  // (tag, seconds active or since added)
  std::optional<int64_t> last_success;
};
KeyFigures key_figures(const ZoneKeyState& zone, int64_t now);

struct StatusOptions {
  int64_t now = 0;
  int64_t expiry_warning = 3 * 86400;  // warn when the first RRSIG expires sooner than this
};

/// A zone's status, ready to print.
struct StatusReport {
  std::string origin;
  ZoneState state = ZoneState::NotSigning;
  bool known = false;  // the state file has the zone
  KeyPlan preview;     // what a sign run now would do (plan_keys with the current problems)
  std::vector<KeyProblem> problems;
  std::optional<RrsigScan> rrsigs;
  RenewalSchedule renewal;  // the policy's, for the forecast in rrsigs
  std::vector<std::string> warnings;
  int exit_code = 0;  // 0 fine, 3 a key needs its owner, 4 internal failure / expiring signatures
};

/// Builds the report. problems: from check_ksk/check_zsk on the real files (empty if unknown).
StatusReport build_status(const KeyStateFile& file, std::string_view origin, const Policy& policy,
                          std::vector<KeyProblem> problems, std::optional<RrsigScan> rrsigs,
                          const StatusOptions& options);

/// Human text (several lines) and JSON (one object) renderings.
std::string status_text(const StatusReport& report, const StatusOptions& options);
std::string status_json(const StatusReport& report, const StatusOptions& options);

}  // namespace zk::signer
