// The KSK owner's commands (add, activate, deactivate, remove, ds-seen) and the per-run KSK
// health check. The KSK belongs to the zone owner: zonekiln uses it, never creates (unless asked
// with --generate), copies or deletes it. At most two KSKs at a time (double-DS rollover).
//
// The state changes here are pure functions on a ZoneKeyState; the caller reads the state under
// the StateLock, applies one, and writes the state back. Refusals are Errc::Usage (exit 2) with
// text saying what to do instead.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/policy.hpp"

namespace zk::signer {

inline constexpr size_t kMaxKsks = 2;

/// One DS record of the parent's DS set, as read from zone-file text (e.g. `dig DS` output).
struct DsRecord {
  std::string owner;  // as written, normalised with normalize_origin
  uint16_t key_tag = 0;
  uint8_t algorithm = 0;
  uint8_t digest_type = 0;
  std::string digest_hex;  // uppercase
};

/// Reads DS records from zone-file text: lines "owner [ttl] [class] DS tag alg dtype digest"
/// (digest may be split over several tokens, parentheses allowed on one line; ';' comments and
/// other record types are skipped, as in `dig` output). Only records whose owner equals origin
/// are returned. Errc::Usage naming source_name and the line for a malformed DS line.
Result<std::vector<DsRecord>> parse_ds_text(std::string_view text, std::string_view origin,
                                            const std::string& source_name);
/// Same for a file.
Result<std::vector<DsRecord>> read_parent_ds(const std::string& path, std::string_view origin);

/// Records a KSK the owner supplied (or asked zonekiln to generate) as INACTIVE: not yet
/// published. Refused: a third KSK, a duplicate, an algorithm not in policy.allowed_algorithms.
/// roll: how it will replace the active KSK (RFC 6781 s4.1.2); a double-DS roll is refused for
/// a key of another algorithm than the active KSK's (that is an algorithm rollover: double-RRset)
/// and in a zone signed by a CSK (the zone data would lose its signer at the swap).
Result<void> ksk_register(ZoneKeyState& zone, const Policy& policy, uint16_t tag, uint8_t algorithm,
                          std::string source, std::string dnskey_b64, int64_t now,
                          RollMethod roll = RollMethod::DoubleDs);

/// INACTIVE -> ACTIVE: published in the DNSKEY RRset and signing it from the next sign run.
/// A KSK of an algorithm no other wanted KSK has starts an algorithm rollover (RFC 6781 s4.1.4,
/// conservative order): it signs from the next run without being published
/// (signs_unpublished_since), the run creates a ZSK of its algorithm that signs every RRset
/// unpublished too, and plan_keys publishes both max TTL + propagation later. On an unsigned
/// (NOT_SIGNING) zone, activating its still-recorded KSK re-enables signing.
Result<void> ksk_activate(ZoneKeyState& zone, uint16_t tag, int64_t now);

/// Records that the parent serves this KSK's DS. An INACTIVE KSK may have its DS first
/// (Double-DS, RFC 6781 s4.1.2) only while a published KSK's DS is confirmed too. Refused for the
/// first KSK of a new algorithm (RFC 6781 s4.1.4: the DS changes only after the new algorithm
/// signs everywhere and its DNSKEYs are in every cache) while it is inactive or not yet
/// published, before its DNSKEY has been published for DNSKEY TTL + propagation, and before
/// that algorithm's ZSK has signed for max TTL + propagation.
Result<void> ksk_ds_seen(ZoneKeyState& zone, const Policy& policy, uint16_t tag, int64_t now);

/// ACTIVE/ACTION_NEEDED -> INACTIVE (no longer published or signing). Refused while it is the
/// only usable active KSK; when its DS was seen: unless parent_ds (the parent's current DS set)
/// is given, no longer contains it, and does contain a DS of a remaining active KSK whose DS was
/// seen at least policy.ds_ttl ago; and, when it is the last KSK of its algorithm (the end of an
/// algorithm rollover, RFC 6781 s4.1.4): while a remaining KSK is unpublished or was published
/// less than DNSKEY TTL + propagation ago, until the remaining algorithm's ZSK has signed for max
/// TTL + propagation, and while parent_ds still holds a DS of its algorithm (the DS goes first).
Result<void> ksk_deactivate(ZoneKeyState& zone, const Policy& policy, uint16_t tag, int64_t now,
                            const std::vector<DsRecord>* parent_ds);

/// Forgets an INACTIVE KSK (marked removed; its files are the owner's and stay untouched).
Result<void> ksk_remove(ZoneKeyState& zone, uint16_t tag, int64_t now);

/// What loading a key found: its DNSKEY RDATA and whether the private key is usable.
struct LoadedKey {
  std::vector<uint8_t> dnskey_rdata;
  bool has_private = false;
};
/// Loads the key a state record refers to (signer::load_key by default; tests substitute one).
/// Errors carry the reason (missing, unreadable, mismatch) in detail.
using KeyLoader = std::function<Result<LoadedKey>(const KeyRecord&)>;

/// The private-key file of a key source: PATH.private for a BIND key base name (or PATH.key
/// with a .private beside it), the PEM path itself (also a PEM named *.key), empty for a
/// PKCS#11 URI.
std::string private_key_path(const std::string& source);

/// The per-run KSK health check (RFC 6781 s3: the owner's key must be usable). For every KSK the
/// owner wants active, one KeyProblem when: the file is missing or unreadable (loader error),
/// the private key file is group- or other-readable (also for a double-DS key whose DS was seen,
/// which a run may swap in), the key no longer matches the DNSKEY
/// recorded in the state, or its algorithm is not allowed by the policy. The sign pipeline passes
/// the result to plan_keys, which marks those KSKs ACTION_NEEDED (exit 3).
std::vector<KeyProblem> check_ksk(const ZoneKeyState& zone, const Policy& policy,
                                  const KeyLoader& loader);

/// The same checks (minus the owner rules) for ZSKs that are pending or active: a broken active
/// ZSK makes the zone INTERNAL_FAILURE in plan_keys (exit 4); a broken successor that never
/// signed is dropped and replaced.
std::vector<KeyProblem> check_zsk(const ZoneKeyState& zone, const KeyLoader& loader);

}  // namespace zk::signer
