// Internal: the streaming output stage (records, NSEC/NSEC3, RRSIGs -> text, in order).
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "dns/rrtype.hpp"
#include "emit/emit.hpp"
#include "pipeline/detail/changes.hpp"
#include "pipeline/detail/previous.hpp"
#include "pipeline/detail/previous_stream.hpp"
#include "pipeline/detail/zonemd_stream.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/verify.hpp"
#include "signer/signer.hpp"

namespace zk::pipeline::detail {

/// Keys chosen for this run (signer::prepare_keys). ksks sign DNSKEY/CDS/CDNSKEY, zsks
/// everything else (with --csk both lists hold the same keys).
struct KeyPlan {
  std::vector<signer::Key> ksks, zsks;
  /// The DNSKEY RRset's signers: ksks, and with --dnskey-signers all the zsks too.
  std::vector<signer::Key> dnskey_signers;
  std::vector<std::vector<uint8_t>> dnskeys;   // the DNSKEY RRset (wire RDATA)
  std::vector<std::vector<uint8_t>> cds_keys;  // CDS + CDNSKEY are made of these
  bool cds_delete = false;                     // RFC 8078 s4 delete records instead
  /// The KSK needs its owner: the previous run's RRSIGs over the unchanged DNSKEY/CDS/CDNSKEY
  /// RRsets, written (and verified) in place of new ones. RDATA lives in the caller's store.
  std::vector<RR> kept_key_rrsigs;
  /// Retired ZSKs still published: their RRSIGs stand in for the zsks' of the same algorithm
  /// until due (ReusePolicy), so a new ZSK takes over as the signatures fall due.
  std::vector<KeyId> retired_zsks;
  /// Inception, signer; the expiration is the renewal schedule's (ReusePolicy::renewal).
  signer::RrsigParams params;
  uint32_t dnskey_ttl = 3600;

  /// Who signs an apex key RRset: DNSKEY dnskey_signers, CDS/CDNSKEY the KSKs.
  const std::vector<signer::Key>& key_set_signers(uint16_t type) const {
    return type == rrtype::DNSKEY ? dnskey_signers : ksks;
  }
};

enum class ChainKind { None, Nsec, Nsec3 };

/// WritePlan::nsec_next of the last chain member of a slice: its next name is nsec_wrap.
inline constexpr uint32_t kNsecNextOutside = UINT32_MAX - 1;

struct Nsec3Entry {
  Nsec3Hash hash;
  uint32_t node;
};

/// Everything the output stage reads; shared read-only by all threads.
struct WritePlan {
  const ZoneStore* store = nullptr;
  const ZoneIndex* index = nullptr;
  const KeyPlan* keys = nullptr;  // null: do not sign (compile)
  ChainKind chain = ChainKind::None;
  uint32_t chain_ttl = 0;  // RFC 9077: min(SOA TTL, SOA MINIMUM)
  // NSEC: for each node in the chain, the index of the next chain node (wrapping to the apex).
  std::vector<uint32_t> nsec_next;
  // A slice of the zone (a spilled sign): the NSEC of the slice's last chain member points to
  // nsec_wrap, the first owner of the next slice (the apex after the last slice), which is not
  // in the index; its nsec_next entry is kNsecNextOutside. Empty: the store is the whole zone.
  NameView nsec_wrap;
  // A slice that is not the zone's last: the previous output is read up to its last owner, not
  // to the end of the names section (or of the NSEC3 section for nsec3_records).
  bool more_follow = false;
  // A spilled sign's NSEC3 section, a batch at a time: NSEC3 RRs in hash order with their next
  // hashed owners filled in, written and signed as they are in place of nsec3 entries (the
  // index then has no nodes). nsec3_last: the batch ends the chain (its last RR wraps).
  std::span<const RR> nsec3_records;
  bool nsec3_last = true;
  // NSEC3: entries in hash order, and the fixed RDATA head (alg, flags, iterations, salt).
  std::vector<Nsec3Entry> nsec3;
  std::vector<uint8_t> nsec3_head;
  // Verify-before-publish: when set, every owner's output (records, NSEC/NSEC3, new RRSIGs)
  // is checked right after it is made; an error stops the pass with Errc::VerifyFailed.
  const ChunkVerifier* verifier = nullptr;
  // Incremental re-signing: RRSIGs of the previous output are published again for RRsets whose
  // data is unchanged when reuse allows (PreviousZone::reusable). The pass reads the previous
  // output forward beside the zone it writes (the serial input step takes the piece each chunk
  // needs; workers parse it). When it is not in zonekiln's order the pass stops with an error
  // and previous->bad(): sign again without it. Null: sign everything.
  PreviousStream* previous = nullptr;
  // The run's time and renewal schedule: new RRSIGs' expirations (signer::renewal_expiration)
  // and, with a previous output, which RRSIGs are published again.
  ReusePolicy reuse;
  // Dry run (sign --dry-run): every decision is made and counted as in a real run, reading the
  // previous output as a real run does, but nothing is signed, printed, digested or verified;
  // write_zone gets no file.
  bool dry_run = false;
  // Called in output order with the names written so far and their total (optional).
  const std::function<void(uint64_t done, uint64_t total)>* progress = nullptr;
  // RFC 8976 hash of the apex ZONEMD (0: none). The pass digests every RR it writes, in
  // canonical order (NSEC3 owners merged in), leaving out the apex ZONEMD RRset and its RRSIGs,
  // and reports where the placeholder's lines are (WriteStats::zonemd_lines).
  uint8_t zonemd_hash = 0;
  // A spilled sign of an NSEC zone with zonemd_hash: one digester for all the slices' passes,
  // the caller's (it closes stream 1, which has nothing, and finishes it after the last slice;
  // the pass of the last slice, more_follow false, closes stream 0).
  ZonemdDigester* zonemd_digester = nullptr;
  // sign --changes: list the RRsets added, removed and changed since the previous output
  // (WriteStats::changes), merge-joined with the pieces of the previous output the pass reads.
  bool want_changes = false;
  // With want_changes and no previous (nothing reused: --full, not signing): the previous
  // output read forward only for the changes. When it turns out not in zonekiln's order the
  // pass goes on without it and changes_from->bad() says so (changes_complete is false).
  PreviousStream* changes_from = nullptr;
};

/// Where the writer put a line of the apex ZONEMD RRset or one of its RRSIGs.
struct ZonemdLine {
  uint64_t offset = 0;         // in the output file
  uint32_t len = 0;            // bytes, the newline included
  std::vector<uint8_t> rrsig;  // the RRSIG's RDATA; empty for the ZONEMD line
};

struct WriteStats {
  uint64_t records = 0, rrsets = 0, signatures = 0, nsec = 0, nsec3 = 0, rrsets_signed = 0;
  uint64_t rrsets_reused = 0, signatures_reused = 0;
  // Of rrsets_signed: RRsets whose previous RRSIGs could all have been kept, renewed early to
  // even out the runs (signer::Renewal::Early).
  uint64_t rrsets_renewed_early = 0;
  // RRSIGs the next runs will make (signer::add_to_forecast over every RRSIG written); the
  // first forecast_runs(plan.reuse.renewal) entries are used.
  std::array<uint64_t, signer::kMaxForecastRuns> forecast{};
  /// Why the rrsets_signed were signed (each counted once, the first reason that applies): not
  /// in the previous output, its data or TTL changed, a key that signs now has no RRSIG over
  /// it there, or a previous RRSIG is inside the refresh window (or not yet valid).
  ResignReasons resign;
  uint32_t earliest_expiration = UINT32_MAX;  // of every RRSIG written
  int64_t next_renewal = INT64_MAX;           // the first time a run would re-make one of them
  uint64_t verify_warnings = 0;
  std::vector<uint8_t> zonemd_digest;    // with WritePlan::zonemd_hash
  std::vector<ZonemdLine> zonemd_lines;  // the ZONEMD line first
  // With WritePlan::want_changes: the data changes, in canonical order; complete unless the
  // previous output read for them turned out not in zonekiln's order.
  Changes changes;
  bool changes_complete = true;
};

/// Adds the figures of one write pass (a slice's) to total: counts, forecast, reasons, the
/// changes, earliest expiration and next renewal, the ZONEMD lines (not the digest).
void add_write_stats(WriteStats& total, WriteStats&& part);

/// A spilled sign's NSEC3 records of one slice, from the plan's sorted nsec3 entries (build_chain):
/// one NSEC3 RR per entry, in hash order, into out (owner and RDATA in its arena), with the next
/// hashed owner left zero at offset nsec3_next_offset(plan) of the RDATA: it is known only once
/// the slices' records are merged.
void make_nsec3_records(const WritePlan& plan, ZoneStore& out);
inline size_t nsec3_next_offset(const WritePlan& plan) { return plan.nsec3_head.size() + 1; }

/// Builds nsec_next (NSEC; with nsec_wrap set, the last member's next is kNsecNextOutside) or the
/// hashed, sorted nsec3 entries (NSEC3, hashed in parallel). Errc::Internal on an NSEC3 hash
/// collision (RFC 5155 s7.1: pick another salt).
Result<void> build_chain(WritePlan& plan, const Nsec3Options& nsec3);

/// Generates and writes the zone in chunks (tbb::parallel_pipeline, ordered output). Output is
/// byte-identical for any thread count. Signing errors are returned (first in chunk order).
/// With zonemd_hash and NSEC3 the chunks are made in canonical order of their first owners,
/// names and NSEC3 owners interleaved, so that the digest follows with little held back; the
/// NSEC3 records go to a scratch file beside the output and are appended at the end.
/// out may be null only with plan.dry_run.
Result<WriteStats> write_zone(const WritePlan& plan, emit::OutputFile* out);

}  // namespace zk::pipeline::detail
