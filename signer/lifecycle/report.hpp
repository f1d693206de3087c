// `zonekiln report`: one self-contained HTML page (inline SVG and CSS, no scripts, fonts or
// anything fetched from elsewhere) with a zone's key timeline, the spread of its RRSIG
// expirations, the TTLs clamped and the last runs' outcomes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/lifecycle/status.hpp"

namespace zk::signer {

/// One state of one key over [from, to): "created", "published", "active", "retired".
/// planned: after now, as the planner would make it (no owner action assumed).
struct KeySpan {
  std::string state;
  int64_t from = 0, to = 0;
  bool planned = false;
};

/// One row of the key timeline.
struct KeyRow {
  KeyRecord key;
  bool planned_key = false;  // not created yet: a successor the planner would create
  std::vector<KeySpan> spans;
  std::optional<int64_t> removed;  // when it leaves (or would leave) the zone
  bool removed_planned = false;
};

/// The key timeline: the recorded events up to now, then the events the planner (plan_keys)
/// would make on nightly runs (policy.run_interval) until horizon, with the KSK problems of now
/// (a KSK that needs its owner stays so) and no owner action. Rows in the state's key order,
/// then planned successors.
std::vector<KeyRow> key_timeline(const ZoneKeyState& zone, const Policy& policy, int64_t now,
                                 int64_t horizon, std::span<const KeyProblem> problems);

struct ReportInput {
  const ZoneKeyState* zone = nullptr;  // nullptr: the state has no such zone
  std::string origin;
  Policy policy;
  int64_t now = 0;
  std::vector<KeyProblem> problems;  // check_ksk / check_zsk now
  std::optional<RrsigScan> rrsigs;   // from --signed
  std::string signed_file;           // its name, for the page
};

/// The HTML page. The key timeline SVG has one <g class="key-row" data-tag=".."> per key of the
/// state and one <g class="key-row planned-key"> per planned successor.
std::string report_html(const ReportInput& in);

}  // namespace zk::signer
