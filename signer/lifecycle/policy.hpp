// Key rollover decisions: pure functions of (now, policy, state, which keys are usable).
//
// ZSKs are zonekiln's: created, rolled by pre-publication (RFC 6781 s4.1.1.1, RFC 7583 s3.2)
// and retired automatically. KSKs are the owner's: they change only by `zonekiln ksk ...`
// commands (signer/lifecycle/ksk.hpp); here they are only reported on and used.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"

namespace zk::signer {

/// RFC 8624 s3.1 signing MUST / RECOMMENDED algorithms: 8, 10, 13, 14, 15, 16.
std::vector<uint8_t> default_allowed_algorithms();

/// Timing and key policy. All durations in seconds.
struct Policy {
  int64_t zsk_lifetime = 90 * 86400;
  uint32_t dnskey_ttl = 3600;
  /// Largest TTL in the signed zone before clamping (0 = unknown: the clamp is assumed), and
  /// the clamp (TTLs above are lowered). The sign run sets max_zone_ttl from the zone it read,
  /// which shortens the retire interval; status and ksk commands assume the clamp.
  uint32_t max_zone_ttl = 0;
  uint32_t ttl_clamp = 604800;
  /// Dprp (RFC 7583 s3.1): time for a new zone version to reach every secondary.
  int64_t propagation_delay = 3600;
  // Defaults fit the default clamp: refresh >= 604800 + propagation + 2 run intervals.
  int64_t sig_validity = 21 * 86400;       // expiration - now of new RRSIGs
  int64_t sig_refresh = 9 * 86400 + 3600;  // an RRSIG is re-made when less than this remains
  /// New RRSIGs' expirations are spread over this much, earlier only, so that renewals spread
  /// evenly over the runs (signer/lifecycle/renewal.hpp); 0 = none; negative = the whole refresh
  /// cycle, validity - refresh (resolved_spread).
  int64_t sig_spread = -1;
  int64_t run_interval = 86400;  // how often cron runs `sign`
  uint32_t ds_ttl = 86400;       // the parent's DS TTL (for DS waits)
  /// Algorithms keys may use (RFC 8624 signing MUST/RECOMMENDED by default).
  std::vector<uint8_t> allowed_algorithms = default_allowed_algorithms();
};

/// True when p.allowed_algorithms holds algorithm.
bool policy_allows(const Policy& p, uint8_t algorithm) noexcept;
/// Adds RSASHA1 (5) and RSASHA1-NSEC3-SHA1 (7) to p.allowed_algorithms: RFC 8624 s3.1 says NOT
/// RECOMMENDED for signing, not MUST NOT (--allow-deprecated-algorithm).
void allow_deprecated_algorithms(Policy& p);

/// The timing settings a user may leave unset (nullopt), as `sign`, `status`, `ksk` and the
/// configuration file take them. derive_policy fills the unset ones, so every command has the
/// same defaults.
struct PolicyChoices {
  std::optional<int64_t> sig_validity;       // default 14 days, as managed DNS services sign
  std::optional<int64_t> sig_refresh;        // default max(validity / 4, max TTL + propagation +
                                             // run interval + max(run interval, 1 day))
  std::optional<int64_t> sig_jitter;         // the spread (Policy::sig_spread); default the
                                             // whole refresh cycle, validity - refresh
  std::optional<int64_t> zsk_lifetime;       // default max(90 days, one rollover + 1 day)
  std::optional<int64_t> propagation_delay;  // default 1 hour
  std::optional<int64_t> run_interval;       // default 1 day
  std::optional<uint32_t> ttl_clamp;         // default 604800; 0 = no clamp
  std::optional<uint32_t> dnskey_ttl;        // default: the caller's (SOA minimum capped at 3600)
  std::optional<uint32_t> ds_ttl;            // default 86400
};

inline constexpr int64_t kDefaultSigValidity = 14 * 86400;
inline constexpr uint32_t kDefaultTtlClamp = 604800;
inline constexpr uint32_t kMaxDnskeyTtlDefault = 3600;

/// The policy from the choices, the unset ones derived as PolicyChoices documents. max_zone_ttl
/// is the zone's largest TTL after clamping (0 = unknown: the clamp is assumed), default_dnskey_ttl
/// the DNSKEY TTL when the choices name none. Pure; does not run check_timing.
Policy derive_policy(const PolicyChoices& c, uint32_t max_zone_ttl, uint32_t default_dnskey_ttl);

/// The policy as a JSON object and back; fields missing from the JSON keep their values in
/// base. Errc::Internal when the text is not a JSON object of the expected field types.
std::string policy_to_json(const Policy& p);
Result<Policy> policy_from_json(std::string_view text, Policy base = {});
/// The policy recorded in the zone's state by the last plan, or base when there is none.
Policy recorded_policy(const ZoneKeyState& zone, Policy base = {});

/// Largest TTL that can be in the signed zone: min(max_zone_ttl, ttl_clamp), or the clamp when
/// max_zone_ttl is unknown (0).
uint32_t effective_max_ttl(const Policy& p) noexcept;
/// Ipub (RFC 7583 s3.2.1): a new ZSK must be published this long before it signs.
int64_t zsk_publish_interval(const Policy& p) noexcept;
/// The spread in seconds: sig_spread, or validity - refresh when it is negative (at least 0).
int64_t resolved_spread(const Policy& p) noexcept;
/// Iret (RFC 7583 s3.2.1) for a retired ZSK: Dsgn + Dprp + TTLsig. The pipeline may keep
/// reusing a retired key's RRSIGs until they enter the refresh window, so the re-signing delay
/// Dsgn is taken as the full signature validity (conservative).
int64_t zsk_retire_interval(const Policy& p) noexcept;

/// Algorithm rollover (RFC 6781 s4.1.4): how long the zone must have been signed with a new
/// algorithm (every RRset) before its DNSKEYs are published: max TTL (clamped) + propagation,
/// so that every cached RRset carries a signature of it.
int64_t algorithm_settle_time(const Policy& p) noexcept;
/// Since when every RRset of the zone has been signed with an active ZSK of the algorithm
/// (earlier ZSKs of the algorithm rolled over without a gap count), or nothing when none signs.
std::optional<int64_t> algorithm_signing_since(const ZoneKeyState& zone, uint8_t alg);
/// A key's phase for status, report and dry runs: created, published, active, signing-unpublished
/// (an algorithm rollover's new key, signing before its DNSKEY is published), retired,
/// withdrawn (out of the DNSKEY RRset, still signing), removed.
std::string_view key_phase(const KeyRecord& k) noexcept;

/// Checks that the timing values can work together; Errc::Usage naming the values and what to
/// change when they cannot. The rules:
///  - each value in range (validity, refresh, run interval, ZSK lifetime positive; propagation
///    not negative), the message naming the one that is not,
///  - validity > refresh, and spread <= validity - refresh: a new RRSIG, expiring up to the
///    spread early, must have more than the refresh window left when it is made,
///  - refresh >= max TTL (clamped) + propagation + 2 run intervals: after any run every RRSIG
///    has at least the refresh window left, so when the next run is missed the one after still
///    replaces it, and the replacement reaches every secondary (propagation, counted from the
///    start of the run) and every cache (max TTL) before it expires (the outage this prevents:
///    an 864000 s TTL outliving a 7-day refresh cycle). Early renewals (the spread) only make
///    RRSIGs fresher, so this holds with the spread included,
///  - dnskey_ttl <= ttl_clamp, ttl_clamp in 1..2^31-1,
///  - zsk_lifetime > Ipub + Iret + run interval (a rollover finishes before the next starts).
Result<void> check_timing(const Policy& p);

/// A key that must not be used this run, and why (from check_ksk / loading the ZSKs).
struct KeyProblem {
  uint16_t tag = 0;
  uint8_t algorithm = 0;
  std::string why;
};

/// A key as the pipeline needs it: find the loaded key by (algorithm, tag, source).
struct KeyRef {
  uint16_t tag = 0;
  uint8_t algorithm = 0;
  KeyRole role = KeyRole::ZSK;
  std::string source;
  std::string dnskey;  // base64 DNSKEY RDATA recorded in the state (publish this even when the
                       // key file is unusable)
};

/// What to do with a zone's keys in this run.
struct KeyPlan {
  /// The state after this run's key events. Commit it (write_state) only after the signed zone
  /// was written; a failed run must leave the old state.
  ZoneKeyState state;
  std::vector<KeyRef> publish;         // the DNSKEY RRset
  std::vector<KeyRef> dnskey_signers;  // usable active KSKs: sign the DNSKEY (and CDS) RRsets
  std::vector<KeyRef> zone_signers;    // one active ZSK per algorithm: sign everything else
  /// Retired ZSKs still in the DNSKEY RRset whose algorithm has a zone signer: their RRSIGs may
  /// be published again until due, so that a new ZSK takes over RRset by RRset as the
  /// signatures fall due (RFC 6781 s4.1.1.1 pre-publication keeps the old key published for
  /// that: zsk_retire_interval counts the whole validity), instead of re-signing the whole zone
  /// on the night it becomes active.
  std::vector<KeyRef> retired_zone_signers;
  std::vector<KeyRef> cds;  // publish CDS + CDNSKEY for these (RFC 7344)
  bool cds_delete = false;  // publish CDS "0 0 0 00" / CDNSKEY "0 3 0 AA==" instead
  /// Zone data may be signed (zone_signers covers every algorithm in publish).
  bool can_sign = false;
  /// The DNSKEY RRset could not be re-signed: keep the previous DNSKEY RRSIGs if still valid.
  bool dnskey_frozen = false;
  /// ZSKs to create now (algorithm each): generate, record with add_zsk, then plan again.
  std::vector<uint8_t> new_zsk_algorithms;
  std::optional<int64_t> next_action_at;
  std::string next_action;
  std::vector<std::string> actions;        // what this run changed, for the log
  std::vector<std::string> owner_actions;  // what a person must do (empty: nothing)
};

/// Decides this run's key events. Pure and deterministic. Records policy in the new state
/// (policy_json). A missed run catches up safely: a
/// ZSK becomes active only once published for Ipub, and a retired ZSK is removed only Iret after
/// it stopped signing, whatever the gap between runs. While any wanted KSK is unusable the ZSK
/// rollover is paused (the DNSKEY RRset cannot be re-signed) and the zone is ACTION_NEEDED; it
/// resumes at the first run where all wanted KSKs are usable again.
KeyPlan plan_keys(int64_t now, const Policy& policy, const ZoneKeyState& zone,
                  std::span<const KeyProblem> unusable);

/// Records a ZSK zonekiln just created (created = now); plan_keys publishes it.
void add_zsk(ZoneKeyState& zone, uint16_t tag, uint8_t algorithm, std::string source,
             std::string dnskey_b64, int64_t now);

}  // namespace zk::signer
