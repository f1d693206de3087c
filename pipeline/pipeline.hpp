// zk::pipeline: sorted zone -> checked, chained, signed zone text.
//
// Stages (each in its own .cpp, each usable alone from tests):
//   sort_zone -> drop_out_of_zone -> build_index (zone cuts, ENTs) -> check_zone ->
//   clamp_ttls -> strip_dnssec -> update_serial -> add key records -> build chain -> write_zone
// compile_zone drives them for the CLI.
//
// Decisions (named-checkzone's classification unless noted):
// - Out-of-zone records: warning, dropped ("ignoring out-of-zone data").
// - RRsets whose TTLs differ: warning; every RR gets the lowest TTL (RFC 2181 s5.2). BIND keeps
//   the first one read; "first" depends on input order, the lowest does not. The RRSIGs (and
//   SIGs) at a name form one such set per covered type (RFC 4034 s3), not one for all types.
// - Occluded data (below a zone cut or DNAME): warning unless it is A/AAAA glue; written out
//   unsigned and left out of the NSEC/NSEC3 chain.
// - Output order: apex SOA first, then canonical order with each RRset followed by its RRSIGs
//   and each owner's NSEC; with NSEC3 the NSEC3 records (hash order) follow the rest of the zone.
// - NSEC3 with opt-out still gets NSEC3 records for every empty non-terminal (allowed by
//   RFC 5155 s7.1, which only permits leaving some out).
// - DNSKEY TTL: SOA minimum capped at 3600; CDS/CDNSKEY use it too; NSEC/NSEC3/NSEC3PARAM TTL
//   is min(SOA TTL, SOA MINIMUM) (RFC 9077).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dns/arena.hpp"
#include "dns/diagnostics.hpp"
#include "dns/name.hpp"
#include "dns/path_guard.hpp"
#include "dns/result.hpp"
#include "dns/zone.hpp"
#include "parser/parser.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/pkcs11.hpp"

namespace zk::pipeline {

// --- sort ---------------------------------------------------------------------------------

/// Sorts store.rrs by rr_compare (tbb::parallel_sort; the order is total, so the result does
/// not depend on the thread count) and removes duplicate RRs (RFC 2181 s5). Returns how many
/// duplicates were removed. TTLs of duplicates do not take part: the lowest TTL is kept.
size_t sort_zone(ZoneStore& store);

/// Merges records appended after the first sorted_prefix ones (a sorted store) into canonical
/// order, without re-sorting the whole store. The added records must not duplicate existing ones.
void merge_added(ZoneStore& store, size_t sorted_prefix);

/// Reads a zone file (origin = the apex) into a store sorted by sort_zone, with records outside
/// the zone dropped (and warned about). Problems in the file go to diag; any error there makes
/// the result Errc::ZoneCheck. Used by the readers of finished zones (verify, ZONEMD checks).
Result<ZoneStore> read_sorted_zone(const std::string& path, NameView origin, Diagnostics& diag,
                                   const parser::InputBudget& budget = {});

/// Removes records whose owner is not at or below store.origin and warns about each (as BIND's
/// named-checkzone does: "ignoring out-of-zone data"). Keeps the order. Returns the count.
/// The store must be sorted (sort_zone): only the records before and after the contiguous
/// run of in-zone names are looked at.
size_t drop_out_of_zone(ZoneStore& store, Diagnostics& diag);

// --- owner table (zone cuts) --------------------------------------------------------------

enum NodeFlag : uint16_t {
  kApex = 1 << 0,
  kDelegation = 1 << 1,  // NS not at the apex: a zone cut (RFC 1034 s4.2.1)
  kOccluded = 1 << 2,    // below a zone cut or a DNAME: glue or occluded data, not signed
  kBelowDname = 1 << 3,  // occluded by a DNAME (RFC 6672 s2.4)
  kWildcard = 1 << 4,    // first label "*" (RFC 4592)
  kEnt = 1 << 5,         // empty non-terminal: no records, has descendants with records
  kHasDs = 1 << 6,       // delegation with a DS RRset (secure delegation)
  kHasDname = 1 << 7,
};

/// One owner name of a sorted zone: its records are store.rrs[first, first + count).
/// ENT nodes have count 0.
struct OwnerNode {
  const Owner* owner;
  uint32_t first;
  uint32_t count;
  uint16_t flags;

  bool authoritative() const noexcept { return (flags & (kOccluded | kEnt)) == 0; }
};

/// The owner-node table of a sorted, in-zone store, in canonical order (ENTs just before their
/// first descendant). ENT owner names live in arenas (one per part build_index made in
/// parallel). Read-only after build_index, so it may be shared by all threads.
struct ZoneIndex {
  std::vector<OwnerNode, BigAllocator<OwnerNode>> nodes;
  std::vector<Arena> arenas;
  uint32_t apex = UINT32_MAX;  // index of the apex node; UINT32_MAX when there is none

  /// Index of the node with this (lowercased) name, or UINT32_MAX.
  uint32_t find(NameView lowercase_name) const noexcept;
};

/// Builds the owner-node table of a sorted store whose records are all at or below origin.
/// Large stores are walked in parts, in parallel.
ZoneIndex build_index(const ZoneStore& store);
/// The same table from at most `parts` parts walked in parallel; parts = 1 is one serial walk,
/// the reference the parallel build is tested against.
ZoneIndex build_index(const ZoneStore& store, size_t parts);

// --- zone checks --------------------------------------------------------------------------

/// Cross-record checks, reported to diag as named-checkzone classifies them:
/// errors: no SOA / more than one SOA / SOA not at apex, no NS at apex, CNAME beside other
/// data (RRSIG and NSEC allowed, RFC 2181 s10.1, RFC 4035 s2.5), more than one CNAME or DNAME,
/// CNAME and DNAME together, DS at apex, in-zone NS target without address records;
/// warnings: TTLs differing within an RRset (RFC 2181 s5.2; all set to the lowest, which is
/// deterministic whatever the input order; RRSIGs per covered type), non-address data below a zone
/// cut or any data below a DNAME (occluded: kept in the output, never signed). Mutates only TTLs.
///
/// scope: what check_zone may assume when the store holds one slice of the zone (a spilled
/// compile) rather than all of it; the default is the whole zone.
struct CheckScope {
  /// The store starts at the apex, so the apex checks apply (a slice after the first: false).
  bool has_apex = true;
  /// Set for a slice: an in-zone NS target that is not an owner in the store is handed here
  /// (target, NS owner), in node order, for the caller to settle against the whole zone.
  std::function<void(NameView target, NameView owner)> defer_ns_target;
};
void check_zone(ZoneStore& store, const ZoneIndex& index, Diagnostics& diag,
                const CheckScope& scope = {});

/// named-checkzone's CDS/CDNSKEY consistency check: at the apex, the CDS RRset and the CDNSKEY
/// RRset are each either the RFC 8078 delete record alone ("CDS 0 0 0 00", "CDNSKEY 0 3 0 AA==")
/// or records that each match an apex DNSKEY (a CDS is that key's DS, RFC 7344 s3.1; a CDNSKEY
/// equals it). Errors otherwise, as BIND's later bad-cds.db case expects (BIND 9.18 only asks
/// for an apex DNSKEY of the same algorithm). Digest types zonekiln cannot compute match on key
/// tag and algorithm, with a warning. Run by compile, whose output is the checked zone; sign
/// makes its own CDS/CDNSKEY from its keys.
void check_cds(const ZoneStore& store, const ZoneIndex& index, Diagnostics& diag);

// --- TTLs, old DNSSEC data, serial --------------------------------------------------------

/// Lowers every TTL above max_ttl to max_ttl (0 = off). Returns the number of RRsets changed.
size_t clamp_ttls(ZoneStore& store, uint32_t max_ttl);

struct StripResult {
  size_t removed = 0;                      // RRSIG, NSEC, NSEC3, NSEC3PARAM, replaced DNSKEY/CDS
  std::vector<uint16_t> kept_dnskey_tags;  // apex DNSKEYs not among our keys (kept, published)
};
/// Removes the DNSSEC records the signer regenerates: RRSIG, NSEC, NSEC3, NSEC3PARAM
/// everywhere; at the apex DNSKEYs equal to one of our_dnskeys and, when drop_cds, CDS and
/// CDNSKEY. Other DNSKEYs stay (reported in the result). Keeps the order.
StripResult strip_dnssec(ZoneStore& store, const std::vector<std::vector<uint8_t>>& our_dnskeys,
                         bool drop_cds);

enum class SerialPolicy { Keep, Increment, UnixTime, Date };

/// RFC 1982 serial-number arithmetic: true when a is "less than" b (undefined pairs: false).
bool serial_lt(uint32_t a, uint32_t b) noexcept;

/// The next SOA serial under policy at time now (unix seconds). Never goes backwards in
/// serial arithmetic: if the policy's value is not greater than old, old + 1 is used (and
/// 0 is skipped, as BIND does). Keep returns old.
uint32_t next_serial(uint32_t old, SerialPolicy policy, int64_t now) noexcept;

/// The apex SOA record of a sorted store (the apex is its first owner), or nullptr.
RR* apex_soa(ZoneStore& store) noexcept;

/// Rewrites the apex SOA serial of a sorted store in place (copying the RDATA into the store's
/// arena). Returns the new serial (0 when there is no SOA).
uint32_t update_serial(ZoneStore& store, SerialPolicy policy, int64_t now);

/// Sets the apex SOA serial of a sorted store (copying the RDATA into the store's arena).
void set_serial(ZoneStore& store, uint32_t serial);

// --- NSEC3 (RFC 5155) ---------------------------------------------------------------------

inline constexpr size_t kNsec3HashLen = 20;  // SHA-1
using Nsec3Hash = std::array<uint8_t, kNsec3HashLen>;

/// RFC 5155 s5: IH(salt, x, 0) = H(x || salt), IH(salt, x, k) = H(IH(salt, x, k-1) || salt).
/// name must be lowercase wire form.
Nsec3Hash nsec3_hash(NameView name, const std::vector<uint8_t>& salt, uint16_t iterations);

/// Base32hex without padding, lowercase (RFC 4648 s7), as used in NSEC3 owner labels.
std::string base32hex(const uint8_t* data, size_t len);

// --- compile / sign drivers ---------------------------------------------------------------

struct Nsec3Options {
  bool enabled = false;
  uint16_t iterations = 0;    // RFC 9276 s3.1: 0
  std::vector<uint8_t> salt;  // RFC 9276 s3.1: none
  bool opt_out = false;
};

/// Verify-before-publish (see pipeline/verify.hpp): Full checks structure and every new
/// signature, Structure all but the cryptography, None nothing.
enum class VerifyMode { None, Structure, Full };

struct SignOptions {
  std::string key_dir;
  Nsec3Options nsec3;
  uint32_t max_ttl = 604800;  // 0 = no clamp
  bool csk = false;
  bool cds = true;
  SerialPolicy serial = SerialPolicy::Increment;
  int64_t now = 0;        // unix seconds; the CLI reads the clock, the pipeline never does
  int64_t inception = 0;  // absolute unix seconds
  /// Absolute unix seconds: the latest expiration of new RRSIGs (validity = expiration - now).
  /// With fixed_expiration (`--expiration`) every new RRSIG expires exactly then (no spread);
  /// otherwise expirations are spread (signer/lifecycle/renewal.hpp).
  int64_t expiration = 0;
  bool fixed_expiration = false;
  std::optional<uint32_t> dnskey_ttl;  // default: SOA minimum capped at 3600
  /// Sign with RSASHA1 (5) / RSASHA1-NSEC3-SHA1 (7) keys, which RFC 8624 s3.1 calls NOT
  /// RECOMMENDED for signing; without it a key of theirs in the key set refuses the run.
  bool allow_deprecated_algorithm = false;
  /// The DNSKEY RRset is signed by the KSKs (false) or by the ZSKs as well (true: every active
  /// key, as some operators and signers do). CDS/CDNSKEY stay signed by the KSKs.
  bool dnskey_signed_by_all = false;
  std::string ds_output;  // empty: no DS file
  VerifyMode verify = VerifyMode::Full;
  // Key lifecycle (signer/lifecycle/lifecycle.hpp): refresh window, spread (sig-jitter), ZSK
  // lifetime, propagation delay, run interval, DS TTL; unset ones get signer::derive_policy's
  // defaults. The validity comes from expiration - now, the clamp from max_ttl, the DNSKEY TTL from
  // dnskey_ttl.
  signer::PolicyChoices timing;
  int lock_wait = 60;    // seconds to wait for another run's state lock
  std::string previous;  // an earlier signed version (default: the output file)
  bool full = false;     // sign every RRset anew (no reuse of previous RRSIGs)
  // HSM and offline KSK (signer/pkcs11.hpp, signer/lifecycle/skr.hpp).
  signer::Pkcs11Config pkcs11;  // module and PIN for token keys
  std::string zsk_uri;          // a ZSK in a token (recorded as the zone's ZSK on first use)
  std::string skr;              // signed key response: DNSKEY/CDS/CDNSKEY + RRSIGs come from it
  /// Dry run: decide everything a real run would (key events, which RRsets to sign and why,
  /// serial, TTL clamp, exit code) but write nothing: no zone, DS set, state, key files or lock
  /// file, and no signing or verification (Stats tells what would happen).
  bool dry_run = false;
  /// Fill Stats::changes_json: RRsets added, removed and changed since the previous output.
  bool want_changes = false;
  /// RFC 8976 hash algorithm of the apex ZONEMD to publish (1 SHA-384, 2 SHA-512); 0 = none.
  /// Needs a file output (the digest is patched in before the rename; pipeline/zonemd.hpp).
  uint8_t zonemd_hash = 0;
};

/// Progress of a run: the stage that is running and how much of it is done, in names (owner
/// names written, NSEC3 records included) of total, or in records for a spilled compile's
/// "slices"; a stage that finished reports done == total. Called from the thread that drives the
/// run, never concurrently; cheap calls only (a terminal bar).
using ProgressFn = std::function<void(const char* stage, uint64_t done, uint64_t total)>;
/// A note for the log as soon as it is known (key events before the long signing pass), so that
/// a person watching sees it when it happens. Same threading as ProgressFn.
using NoteFn = std::function<void(const std::string& note)>;

struct CompileOptions {
  std::string zone_file;
  Name origin;
  std::string output = "-";  // "-" = stdout; otherwise written atomically
  bool strict = false;
  bool sign = false;
  SignOptions signing;
  ProgressFn progress;  // optional
  NoteFn note;          // optional: Stats::notes[0, notes_reported) went to it during the run
  /// Directories besides the zone file's own that $INCLUDE may read from (absolute paths).
  std::vector<std::string> include_dirs;
  /// Every file the run may write (output, DS set, metrics, statistics), with its option name.
  /// Checked before anything is written: none may be the zone file, a file it $INCLUDEs, a file
  /// in the key directory or a key or state file anywhere (Errc::Usage).
  std::vector<NamedPath> outputs;
  /// The zone's class (--class); 0: the class written on the zone file's first record, IN
  /// when it states none (parser::ParseOptions::class_set). Signing is for class IN only.
  uint16_t rclass = 0;
  /// What reading the zone may spend (parser.hpp; the CLI's --max-* flags).
  parser::InputBudget budget;
  /// The memory the run may use (--memory-limit, bytes; 0: no limit). A zone whose in-memory
  /// run would need more (about 4 bytes per byte of zone text) is read in waves, spilled to disk
  /// as sorted runs and merged back in slices (pipeline/detail/spill.hpp), with the same output
  /// and diagnostics: compile writes each slice; sign checks the slices, prepares the apex, then
  /// signs slice by slice (NSEC3 records spilled and merged into the chain at the end). An NSEC3
  /// zone with ZONEMD is signed in memory (Stats::notes says so).
  uint64_t memory_limit = 0;
  /// Where a spilling run keeps its files (--temp-dir); they have no names, so nothing is left
  /// behind whatever ends the run. Empty: the output's directory (/tmp for stdout).
  std::string temp_dir;
};

struct StageTime {
  std::string stage;
  double seconds;
};

/// Why RRsets were (or, in a dry run, would be) signed anew instead of keeping their RRSIGs.
struct ResignReasons {
  uint64_t everything = 0;  // no previous output to keep RRSIGs from (first run, --full)
  uint64_t added = 0;       // not in the previous output
  uint64_t changed = 0;     // RDATA or TTL differ from the previous output
  uint64_t new_key = 0;     // a key that signs now has no RRSIG over it in the previous output
  uint64_t expiring = 0;    // a previous RRSIG is inside the refresh window (or not yet valid)
  ResignReasons& operator+=(const ResignReasons& o) {
    everything += o.everything;
    added += o.added;
    changed += o.changed;
    new_key += o.new_key;
    expiring += o.expiring;
    return *this;
  }
};

struct Stats {
  uint64_t records_in = 0, duplicates = 0, out_of_zone = 0;
  uint64_t rrsets = 0, records_out = 0, signatures = 0, clamped_rrsets = 0;
  uint64_t dnssec_removed = 0, nsec = 0, nsec3 = 0, verify_warnings = 0;
  uint32_t max_ttl = 0;  // sign: the TTL clamp (0: none)
  uint64_t rrsets_signed = 0, rrsets_reused = 0, signatures_reused = 0;
  /// Of rrsets_signed: RRsets whose RRSIGs were still good, renewed early to even out the runs.
  uint64_t rrsets_renewed_early = 0;
  /// RRSIGs each of the next runs (one run interval apart) will make if nothing changes
  /// (signer::forecast_renewals), and the share of RRsets a run renews once spread.
  std::vector<uint64_t> renewal_forecast;
  int64_t run_interval = 0;
  double renewal_expected_share = 0;
  bool unchanged = false;  // sign: nothing changed and nothing was due; output left untouched
  uint32_t serial_old = 0, serial_new = 0;
  ResignReasons resign;            // why the rrsets_signed were signed
  std::vector<std::string> notes;  // key actions taken (created ZSK, kept foreign DNSKEYs)
  size_t notes_reported = 0;       // the first notes already given to CompileOptions::note
  // Key lifecycle, for the dry run's plan: this run's key events, what a person must do, and
  // the next scheduled event.
  std::vector<std::string> key_events, owner_actions;
  std::optional<int64_t> next_key_event_at;
  std::string next_key_event;
  /// With SignOptions::want_changes: the JSON object described at changes_json.
  std::string changes_json;
  std::vector<StageTime> times;
  /// A run that spilled (CompileOptions::memory_limit): sorted runs, slices, and the bytes
  /// written to the temp directory (the zone text's copy, the runs, the NS-target files).
  uint64_t spill_runs = 0, spill_slices = 0, spill_bytes = 0;
};

/// What a sign run leaves for its metrics and exit code, filled also when it fails.
struct SignOutcome {
  int exit_code = 0;  // from the key plan (0, 3 ACTION_NEEDED, 4 INTERNAL_FAILURE)
  bool state_known = false;
  bool internal_failure = false;
  unsigned ksk_action_needed = 0;
  int64_t ksk_action_needed_seconds = 0;
  std::vector<std::pair<uint16_t, int64_t>> ksk_ages;
  std::optional<int64_t> last_success;
  std::optional<int64_t> earliest_expiration;
  uint64_t rrsets_signed = 0, rrsets_reused = 0, rrsets_renewed_early = 0;
  std::optional<double> renewal_expected_share;
  bool unchanged = false;       // nothing changed and nothing was due: the output was not rewritten
  bool output_refused = false;  // an output path was refused: write no file at all (no metrics)
};

/// Parses, checks and writes the zone (compile), or additionally signs it (options.sign).
/// Zone-data problems go to diag (exit 1 via Errc::ZoneCheck); the output file is replaced
/// only after everything succeeded. Threading: uses the current TBB arena / global_control.
Result<Stats> compile_zone(const CompileOptions& options, Diagnostics& diag,
                           SignOutcome* outcome = nullptr);

}  // namespace zk::pipeline
