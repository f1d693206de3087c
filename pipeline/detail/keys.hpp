// Internal: the sign run's key handling (state lock, lifecycle plan, loaded signers) and adding
// DNSKEY/CDS/CDNSKEY/NSEC3PARAM records to the zone.
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <optional>

#include "pipeline/detail/writer.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/lifecycle/sign_run.hpp"
#include "signer/lifecycle/skr.hpp"

namespace zk::pipeline::detail {

/// One sign run's key state (signer/lifecycle/sign_run.hpp): the lock, the state file, the
/// policy and, once planned, the lifecycle's keys. Commit or record a failure through it.
using KeyRun = signer::SignRun;

/// The timing policy from the sign options (refresh / spread defaults filled in) and the zone's
/// largest TTL after clamping. Pure.
signer::Policy sign_policy(const SignOptions& options, uint32_t max_zone_ttl, uint32_t dnskey_ttl);

/// check_timing for a sign run. With a fixed --expiration the window is the operator's, so a
/// window too short for the refresh window is reported as such (naming --expiration, --now,
/// --refresh and the TTL clamp) rather than as a conflict of derived values. Errc::Usage.
Result<void> check_sign_timing(const SignOptions& options, const signer::Policy& policy);

/// Checks the timing (check_sign_timing, Errc::Usage) and asks the lifecycle to plan this run
/// (signer::plan_sign_run, see there); its notes go to stats.notes, the key files it could not
/// load to diag as warnings, the key events and owner actions to stats.
Result<void> start_key_run(const SignOptions& options, NameView origin, KeyRun& run,
                           Diagnostics& diag, Stats& stats, OutputGuard guard,
                           const std::vector<NamedPath>& outputs);

/// Offline KSK (--skr): takes the StateLock (the state is neither read nor changed), selects the
/// response period covering options.now (signer::select_skr_period: Errc::KeyActionNeeded when
/// none does, it runs out within 3 days, or its RRSIGs do not verify) and loads the ZSK it names
/// (from the key directory, or options.zsk_uri) as the only zone signer; ksks stays empty.
/// records: the period's DNSKEY, CDS, CDNSKEY and RRSIG records to publish as they are.
Result<void> start_skr_run(const SignOptions& options, NameView origin, KeyRun& run, KeyPlan& plan,
                           std::vector<signer::SkrRecord>& records, Stats& stats);

/// This run's keys for the writer, from run.keys. With frozen DNSKEY signing (KSK needs its
/// owner) ksks is empty: the caller adds the previous DNSKEY RRSIGs as kept_key_rrsigs.
KeyPlan key_plan_of(const KeyRun& run, const SignOptions& options, NameView origin,
                    uint32_t dnskey_ttl);

/// DNSKEY RDATA of the plan's signers that the DNSKEY RRset does not hold (an algorithm
/// rollover's new keys before publication, a ZSK withdrawn at its end), for the sign pass's
/// verification (VerifyOptions::unpublished_keys).
std::vector<std::vector<uint8_t>> unpublished_signers(const KeyPlan& keys);

/// Adds our DNSKEYs, CDS (SHA-256) and CDNSKEY (when cds: of keys.cds_keys, or the RFC 8078
/// delete records when keys.cds_delete), and NSEC3PARAM (when nsec3 is enabled) at the apex;
/// sets every apex DNSKEY's TTL to keys.dnskey_ttl. Records are appended: merge them into order
/// afterwards (merge_added). apex is the apex owner of the store. Errc::Crypto from DS digests.
Result<void> add_key_records(ZoneStore& store, const Owner* apex, const KeyPlan& keys, bool cds,
                             const Nsec3Options& nsec3, uint32_t chain_ttl);

/// The DS RRset text ("origin TTL IN DS ...") for the published KSKs, digest SHA-256.
Result<std::string> ds_text(const ZoneStore& store, const KeyPlan& keys);

}  // namespace zk::pipeline::detail
