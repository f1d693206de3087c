// When signatures are renewed, and what expiration a new one gets: spreading the renewal work
// evenly over the refresh cycle.
//
// Every RRset has a phase, a deterministic hash of its owner and type. A new RRSIG's expiration
// is the latest time at most `validity` after now that is congruent to the phase modulo the
// spread, so it falls due (less than `refresh` left) at a point of the cycle that depends on the
// RRset only. With the spread equal to the whole cycle (validity - refresh) an RRset is renewed
// once per cycle, and each run renews the RRsets whose point passed since the previous run:
// run interval / spread of the zone, whatever happened before (a first signing, a ZSK rollover).
//
// Signatures made otherwise (by an older version, another signer, --expiration, a different
// policy) are "off phase". A run renews such a signature early, while still valid, on the run
// where its RRset's point passes, so a zone converges to the even spread within one cycle; that
// adds at most the RRsets of one run's share, and never lets a signature come closer to expiry
// than the refresh window. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dns/name.hpp"
#include "signer/lifecycle/policy.hpp"

namespace zk::signer {

/// The renewal rules of one run (seconds).
struct RenewalSchedule {
  int64_t validity = 0;  // a new RRSIG expires at most this long after now
  int64_t refresh = 0;   // an RRSIG with less than this left is due and re-made
  /// Expirations are aligned to each RRset's phase modulo this (they are up to this much earlier
  /// than now + validity). 0: every new RRSIG expires exactly at now + validity.
  int64_t spread = 0;
  int64_t run_interval = 86400;  // how often runs happen (the width of one run's share)
};

/// The schedule of a policy (the spread resolved: resolved_spread).
RenewalSchedule renewal_schedule(const Policy& policy) noexcept;

/// The RRset's hash: FNV-1a over the owner (lowercase wire form, as the zone store holds it)
/// and the type, finalised so that its remainder modulo any spread is evenly distributed. The
/// same function as the expiration jitter of earlier versions used, made uniform.
uint64_t renewal_hash(NameView owner, uint16_t type) noexcept;

/// Expiration of a new RRSIG made at now over the RRset with this hash.
int64_t renewal_expiration(const RenewalSchedule& s, int64_t now, uint64_t hash) noexcept;

/// Early renewal is on when the spread covers at least two runs (below that, every run's share
/// is already the whole zone).
bool renews_early(const RenewalSchedule& s) noexcept;

enum class Renewal : uint8_t {
  Keep,   // publish the RRSIG again
  Due,    // less than the refresh window left: re-make it
  Early,  // still valid but off phase, and its RRset's point passed this run: re-make it now
};

/// What a run at now does with an RRSIG expiring at expiration over the RRset with hash.
Renewal renewal_of(const RenewalSchedule& s, int64_t now, uint64_t hash,
                   int64_t expiration) noexcept;

/// The first time after now at which a run would re-make this RRSIG (renewal_of no longer
/// Keep): when it falls due, or, off phase with early renewal, when its RRset's next renewal
/// point passes. Meant for an RRSIG a run at now keeps (or has just made).
int64_t next_renewal(const RenewalSchedule& s, int64_t now, uint64_t hash,
                     int64_t expiration) noexcept;
/// Length of the renewal cycle: the time between two renewals of one RRset once spread
/// (the largest multiple of the spread within validity - refresh; without spread,
/// validity - refresh itself).
int64_t renewal_cycle(const RenewalSchedule& s) noexcept;

/// Share of the zone's RRsets a run renews on average: run interval / renewal cycle (at most 1).
/// With the spread covering the cycle, this is also what every run renews.
double expected_share(const RenewalSchedule& s) noexcept;

/// How many future runs a forecast covers: the runs of one cycle, at most kMaxForecastRuns.
inline constexpr size_t kMaxForecastRuns = 31;
size_t forecast_runs(const RenewalSchedule& s) noexcept;

/// Adds one RRSIG (expiring at expiration, over the RRset with hash) to a forecast: runs[k]
/// counts the RRSIGs the run at now + (k + 1) * run_interval will make, if the zone data and
/// keys do not change. The RRSIG is followed through its renewals within runs.size() runs.
void add_to_forecast(const RenewalSchedule& s, int64_t now, uint64_t hash, int64_t expiration,
                     std::span<uint64_t> runs) noexcept;

/// One published RRSIG, for forecast_renewals.
struct SignatureTiming {
  uint64_t hash;  // renewal_hash of the RRset it covers
  int64_t expiration;
};

/// The forecast of the next forecast_runs(s) runs after now for these RRSIGs (add_to_forecast
/// for each). `zonekiln status` and the sign run's statistics report it.
std::vector<uint64_t> forecast_renewals(const RenewalSchedule& s, int64_t now,
                                        std::span<const SignatureTiming> sigs);

}  // namespace zk::signer
