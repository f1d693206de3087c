// zk::pipeline verification: a DNSSEC validator over an in-memory signed zone (sorted store +
// ZoneIndex). Used by `zonekiln verify` and, chunk by chunk, by the sign pass before it
// publishes (verify-before-publish).
//
// What is checked (RFC 4033-4035, 5155, 6840, 9276, 9077):
//  * every authoritative RRset (not NS at a cut, not glue/occluded data, not RRSIG) has a valid
//    RRSIG by an active zone key (DNSKEY at the apex, zone bit, not revoked) of each algorithm
//    of the apex DNSKEY RRset (RFC 4035 s2.2, RFC 6840 s5.11); validity window contains now;
//    original TTL = RRset TTL; RRSIG TTL = RRset TTL; labels field; signer name = apex;
//  * with DS records: the DNSKEY RRset is signed by a key that matches one of them;
//  * NSEC: one per authoritative name (delegations included), next owner = the next such name
//    in canonical order, the last pointing to the apex, bitmaps exactly the types present
//    (+ NSEC, RRSIG; delegations: NS, DS, RRSIG), none at glue/occluded names;
//  * NSEC3: NSEC3PARAM at the apex (alg 1), every NSEC3 with the same parameters, every
//    authoritative name and ENT (and delegation, unless opt-out covers it) has an NSEC3 whose
//    owner is its hash, the chain is sorted and closed, bitmaps exact;
//  * no RRSIG on NS at a cut or on glue; RRSIGs by unknown keys are warnings.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"
#include "parser/parser.hpp"
#include "pipeline/pipeline.hpp"

namespace zk::pipeline {

/// The kind of a problem (stable names, used by testdata/broken/CASES.tsv).
enum class VerifyCheck : uint8_t {
  NoDnskey,                // no usable DNSKEY at the apex
  UnsupportedAlgorithm,    // a DNSKEY algorithm we cannot verify (warning)
  DsMismatch,              // --ds: no DS matches a DNSKEY that signs the DNSKEY RRset
  BadSignature,            // cryptographic verification failed
  Expired,                 // now after expiration
  NotYetValid,             // now before inception
  MissingSignature,        // no RRSIG of some zone algorithm over an RRset
  UnknownKey,              // RRSIG by a key not in the DNSKEY RRset (warning)
  BadLabels,               // RRSIG labels field wrong
  BadOriginalTtl,          // RRSIG original TTL != RRset TTL
  BadRrsigTtl,             // RRSIG TTL != RRset TTL
  BadSigner,               // signer name != apex
  SignedNonAuthoritative,  // RRSIG over NS at a cut, glue or occluded data
  NoChain,                 // neither NSEC nor NSEC3
  MissingNsec,
  ExtraNsec,    // NSEC at a glue/occluded name, or NSEC in an NSEC3 zone
  BadNsecNext,  // NSEC next owner wrong: chain out of order, broken or not closed
  BadBitmap,    // NSEC/NSEC3 type bitmap differs from the types present
  MissingNsec3,
  ExtraNsec3,     // NSEC3 that matches no name
  BadNsec3Chain,  // next hashed owner wrong, chain unsorted or not closed
  BadNsec3Param,  // NSEC3PARAM missing/wrong, or NSEC3 parameters differ from it
  // ZONEMD (RFC 8976 s4), checked when the apex has ZONEMD records:
  ZonemdMismatch,     // a supported digest differs from the zone data
  ZonemdSerial,       // ZONEMD serial != SOA serial
  ZonemdDuplicate,    // two ZONEMD RRs with the same scheme and hash
  ZonemdLength,       // digest length wrong for its hash algorithm
  ZonemdMissing,      // --zonemd-only and no ZONEMD at the apex (or no SOA)
  ZonemdUnsupported,  // only unknown schemes/hashes: nothing to check (warning)
};

/// NSEC3 iterations above this are refused by `sign` and reported (BadNsec3Param, chain not
/// checked) by verify: BIND and Unbound treat such zones as insecure (RFC 9276 s3.2).
inline constexpr uint16_t kMaxNsec3Iterations = 150;

/// Stable lower-case name of a check ("bad-signature", "missing-nsec", ...).
std::string_view verify_check_name(VerifyCheck check) noexcept;

/// One problem: error.code is Errc::VerifyFailed, error.detail "owner TYPE: what is wrong".
struct VerifyProblem {
  VerifyCheck check;
  bool warning = false;
  Error error;
};

struct VerifyOptions {
  int64_t now = 0;     // unix seconds; compared in RFC 1982 serial arithmetic (RFC 4034 s3.1.5)
  bool crypto = true;  // false: everything but the signature cryptography ("structure")
  /// DS RDATA for the apex (from --ds). Empty: the DNSKEY RRset is not checked against a parent.
  std::vector<std::vector<uint8_t>> ds;
  /// DNSKEY RDATA of keys that sign without being in the DNSKEY RRset (the sign pass: an
  /// algorithm rollover's new keys before publication, a ZSK withdrawn at its end): their RRSIGs
  /// are verified too instead of being skipped as by an unknown key. Their algorithms are not
  /// required of every RRset (RFC 4035 s2.2 speaks of the DNSKEY RRset's).
  std::vector<std::vector<uint8_t>> unpublished_keys;
  size_t max_problems = 10000;  // stop listing after this many (the count stays right)
  /// Check only the apex ZONEMD (for unsigned zones); otherwise DNSSEC, and ZONEMD if present.
  bool zonemd_only = false;
  /// What verify_file may spend reading the zone (parser.hpp).
  parser::InputBudget budget;
  /// verify_file: the memory the run may use (bytes; 0: no limit). An NSEC zone whose in-memory
  /// verify would need more (about its file's size) is read into sorted runs on disk and
  /// verified slice by slice, with the same report (pipeline/detail/spill.hpp). NSEC3 and
  /// ZONEMD zones are verified in memory; VerifyReport::notes says so.
  uint64_t memory_limit = 0;
  /// Where a spilled verify keeps its unnamed files (empty: /tmp).
  std::string temp_dir;
};

struct VerifySummary {
  uint64_t names = 0, rrsets = 0, signatures = 0, signatures_verified = 0, nsec = 0, nsec3 = 0;
  uint64_t errors = 0, warnings = 0;
  uint32_t zonemd_digests = 0;  // apex ZONEMD digests recomputed and found equal
};

struct VerifyReport {
  std::vector<VerifyProblem> problems;  // deterministic: node order, then NSEC3 chain order
  VerifySummary summary;
  std::vector<std::string> notes;  // how the zone was read (spilled, or why not)
  bool valid() const noexcept { return summary.errors == 0; }
};

/// Verifies a sorted signed zone (store sorted by sort_zone, index = build_index(store); the
/// store holds RRSIG/NSEC/NSEC3 records as ordinary records). Parallel over chunks of owner
/// nodes (current TBB arena); the report does not depend on the thread count. Never fails:
/// every problem is in the report.
VerifyReport verify_zone(const ZoneStore& store, const ZoneIndex& index,
                         const VerifyOptions& options);

/// Adds check_zonemd's findings (pipeline/zonemd.hpp) for a sorted, in-zone store to report.
/// require: a missing ZONEMD is an error (ZonemdMissing); otherwise nothing is added then.
void verify_zonemd(const ZoneStore& store, bool require, VerifyReport& report);

/// Reads a signed zone file (origin: the apex), sorts it, builds its index and verifies it
/// (DNSSEC unless options.zonemd_only; the ZONEMD whenever the apex has one).
/// Parse problems go to diag and give Errc::ZoneCheck (exit 1); an unreadable file Errc::Io.
/// A zone that parses is always verified: its problems are in the report.
Result<VerifyReport> verify_file(const std::string& path, NameView origin,
                                 const VerifyOptions& options, Diagnostics& diag);

/// Reads DS records for origin from a zone-format file (e.g. dsset-ORIGIN, or `zonekiln ds`
/// output). Errc::Io when unreadable, Errc::Usage when it holds no DS for origin or bad data.
Result<std::vector<std::vector<uint8_t>>> read_ds_file(const std::string& path, NameView origin);

/// One line per problem ("error: ..." / "warning: ..."), then a summary line.
std::string format_report(const VerifyReport& report, NameView origin);

// --- verify-before-publish ----------------------------------------------------------------

/// Checks what the sign pass produces, chunk by chunk, while the zone is in memory. Built once
/// from the store and index the sign pass uses (after key records were added): it reads the
/// apex DNSKEY RRset itself, so a wrong key plan is caught too. Read-only after create(), so
/// shared by all threads; each thread passes its own Scratch.
class ChunkVerifier {
 public:
  enum class ChainKind { Nsec, Nsec3 };
  struct Scratch;
  /// Per-thread state (OpenSSL contexts, buffers). Create with make_scratch().
  using ScratchPtr = std::unique_ptr<Scratch, void (*)(Scratch*)>;

  /// nsec3: the parameters the zone is signed with (ignored for NSEC).
  static Result<std::unique_ptr<ChunkVerifier>> create(const ZoneStore& store,
                                                       const ZoneIndex& index, ChainKind chain,
                                                       const Nsec3Options& nsec3,
                                                       const VerifyOptions& options);
  ~ChunkVerifier();
  ScratchPtr make_scratch() const;

  /// The same checks, with the same keys and NSEC3 parameters (read from the apex this
  /// verifier was made with), for one slice of a zone signed slice by slice (a spilled sign):
  /// store and index hold the slice. NSEC: the NSEC of the slice's last chain member must point
  /// to nsec_wrap (the first owner of the next slice, or the apex after the last one). NSEC3:
  /// the slice's NSEC3 records are checked as they are made (check_nsec3_member) and once the
  /// chain is sorted (check_nsec3_record); nsec3_bounds() is the slice's share of the count.
  Result<std::unique_ptr<ChunkVerifier>> for_slice(const ZoneStore& store, const ZoneIndex& index,
                                                   NameView nsec_wrap) const;

  /// A spilled sign's NSEC3 record for index node `node`, before its next hashed owner is known:
  /// owner = the hash of node's name, parameters, flags, type bitmap = node's types.
  void check_nsec3_member(Scratch& scratch, uint32_t node, const RR& nsec3,
                          std::vector<VerifyProblem>& out) const;

  /// A spilled sign's NSEC3 RR with its RRSIGs, in the sorted chain: signatures, parameters,
  /// next hashed owner = next (null: not known here, only its order is checked), is_last: the
  /// last of the chain (wraps).
  void check_nsec3_record(Scratch& scratch, std::span<const RR> emitted, const Nsec3Hash* next,
                          bool is_last, std::vector<VerifyProblem>& out,
                          std::span<const uint8_t* const> reused = {}) const;

  /// NSEC3: how many NSEC3 records the zone (or the slice) may have, at least and at most.
  std::pair<uint64_t, uint64_t> nsec3_bounds() const noexcept;

  /// Everything emitted for owner node `node` (its records from the store, its NSEC, and the
  /// new RRSIGs; any order). Checks signatures (crypto unless options.crypto is false), that
  /// nothing non-authoritative is signed, and the NSEC (next owner from the index, bitmap).
  /// reused: RDATA pointers (as in emitted) of RRSIGs published again from the previous output
  /// (incremental signing); they get every check but the cryptographic one, which they passed
  /// when they were made over the same data with the same key.
  void check_node(Scratch& scratch, uint32_t node, std::span<const RR> emitted,
                  std::vector<VerifyProblem>& out,
                  std::span<const uint8_t* const> reused = {}) const;

  /// One NSEC3 RR with its RRSIGs, made for index node `node`; next_node: the node of the
  /// following entry in the chain (the boundary neighbour; the first for the last entry);
  /// is_last: the last of the chain. Checks that the owner is the hash of node's name and the
  /// next hashed owner the hash of next_node's name (both recomputed here), the ordering
  /// (only the last wraps), parameters, bitmap and signatures.
  void check_nsec3(Scratch& scratch, uint32_t node, uint32_t next_node, bool is_last,
                   std::span<const RR> emitted, std::vector<VerifyProblem>& out,
                   std::span<const uint8_t* const> reused = {}) const;

  /// Whole-zone checks after all chunks: NSEC3 count = names needing one.
  void finish(uint64_t nsec3_seen, std::vector<VerifyProblem>& out) const;

  struct Impl;

 private:
  explicit ChunkVerifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace zk::pipeline
