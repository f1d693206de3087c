// The key state file: what zonekiln knows about each zone's keys between runs.
//
// DIR/zonekiln-state.json (DIR = the key directory) holds, per zone, each key's identity, role
// and timeline (RFC 7583 s3 events), the owner's state of each KSK, the zone's state, the last
// successful run and the disable procedure (RFC 8078 s4). Runs take DIR/.zonekiln.lock first
// (StateLock) so two runs never interleave; the file is replaced atomically and the previous
// version is kept as zonekiln-state.json.bak.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/path_guard.hpp"
#include "dns/result.hpp"

namespace zk::signer {

inline constexpr const char* kStateFileName = "zonekiln-state.json";
inline constexpr const char* kStateBackupName = "zonekiln-state.json.bak";
inline constexpr const char* kLockFileName = ".zonekiln.lock";
/// Version 2 records key file paths relative to the key directory (or absolute); version 1
/// recorded them relative to the working directory of the run that added the key and is
/// migrated when read (read_state).
inline constexpr int kStateVersion = 2;

enum class KeyRole : uint8_t { KSK, ZSK, CSK };
/// The owner's intent for a KSK (ZSKs are always Active in this field).
///   Active: published in the DNSKEY RRset and signs it. Inactive: neither.
///   ActionNeeded: the owner wants it active but zonekiln cannot use it (why says what is wrong).
enum class OwnerState : uint8_t { Active, Inactive, ActionNeeded };
enum class ZoneState : uint8_t { Signing, NotSigning, ActionNeeded, InternalFailure };
/// How a new KSK replaces the active one (RFC 6781 s4.1.2).
///   DoubleDs: its DS goes to the parent first; once seen (ds-seen) and the DS TTL has passed,
///     a sign run puts it in the DNSKEY RRset in place of the old KSK; the old DS goes after.
///   DoubleRrset: it is published and signs beside the old KSK (ksk activate); the parent swaps
///     the DS; the old KSK is deactivated one DS TTL after the new DS was seen.
enum class RollMethod : uint8_t { DoubleDs, DoubleRrset };
std::string_view to_string(RollMethod m) noexcept;

std::string_view to_string(KeyRole r) noexcept;
std::string_view to_string(OwnerState s) noexcept;
std::string_view to_string(ZoneState s) noexcept;

/// One key of one zone. Identity: algorithm + tag + source (key file base name, PEM path or
/// PKCS#11 URI). Timeline fields are unix seconds, absent until the event happened
/// (RFC 7583 s3.1: created, published, active, retired, removed).
struct KeyRecord {
  uint8_t algorithm = 0;
  uint16_t tag = 0;
  std::string source;
  KeyRole role = KeyRole::ZSK;
  std::string dnskey;  // base64 of the DNSKEY RDATA recorded when the key was added

  std::optional<int64_t> created, published, active, retired, removed;
  /// Algorithm rollover (RFC 6781 s4.1.4, "new RRSIGs"): the key of the new algorithm signs from
  /// this time while its DNSKEY is not yet published; plan_keys publishes it once the zone's
  /// signatures of its algorithm can be in every cache. Absent for every other key (and in
  /// state files written before the field existed: such keys were published when they began to
  /// sign).
  std::optional<int64_t> signs_unpublished_since;

  // KSK/CSK only: the owner's state, since when and why (ActionNeeded).
  OwnerState owner_state = OwnerState::Inactive;
  int64_t owner_state_since = 0;
  std::string owner_state_why;
  /// Owner confirmed the parent publishes this key's DS (ds-seen), and when.
  bool ds_seen = false;
  std::optional<int64_t> ds_seen_at;
  /// KSK/CSK: how it rolls in when it replaces another (ksk add --method).
  RollMethod roll = RollMethod::DoubleDs;

  bool is_ksk() const noexcept { return role != KeyRole::ZSK; }
  /// Owner wants it in use (Active, or ActionNeeded which means "wanted but unusable").
  bool ksk_wanted() const noexcept { return is_ksk() && owner_state != OwnerState::Inactive; }
  bool is_removed() const noexcept { return removed.has_value(); }
  /// Signing while its DNSKEY is not published yet (the first step of an algorithm rollover).
  bool signs_unpublished() const noexcept {
    return signs_unpublished_since.has_value() && !published.has_value() && !is_removed();
  }
  /// "KSK 12345 (ECDSAP256SHA256, Kexample.com.+013+12345)" style label for messages.
  std::string label() const;
};

/// RFC 8078 s4 disable procedure.
struct DisableState {
  std::optional<int64_t> started_at;               // `unsign` started the procedure
  std::optional<int64_t> cds_delete_published_at;  // a sign run first wrote the delete records
  std::optional<int64_t> parent_ds_removed_at;     // owner confirmed the parent's DS is gone
  uint32_t ds_ttl = 86400;                         // parent's DS TTL used for the wait
  bool active() const noexcept { return started_at.has_value(); }
};

/// A sign run between writing its key state and publishing its zone (the commit order of
/// signer/lifecycle/lifecycle.hpp): the state already holds the run's key events, and previous_json
/// the zone's state before the run. The zone was published when output is the file dev/ino (rename
/// keeps the inode of the temp file that was written); read_state settles it either way.
struct PendingCommit {
  std::string output;  // absolute path of the signed zone
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t at = 0;             // the run's time
  std::string previous_json;  // ZoneKeyState before the run, as JSON
};
/// What the last successful sign run saw of its inputs, for the "nothing changed and nothing
/// due" answer without re-reading the zone (pipeline/detail/fingerprint.hpp). Written after the
/// output was published; a sign run that commits otherwise drops it, and a change by another
/// command (ksk, unsign) changes the zone's key state, which the fingerprint covers.
struct RunFingerprint {
  std::string inputs;              // hex SHA-256 over the inputs' identities and small contents
  std::vector<std::string> files;  // the zone file and every file it $INCLUDEd, as read
  int64_t at = 0;                  // the run's time
  int64_t due = 0;                 // before this, no signature renewal or key event is due
  std::optional<int64_t> earliest_expiration;  // of the RRSIGs published
  std::optional<uint32_t> serial;              // of the zone published
};

/// One run's outcome, kept in the state so that `zonekiln report` can show the last runs.
/// Recorded by sign (commit_run, commit_failure) and by unsign when it writes the zone.
struct RunRecord {
  int64_t at = 0;                  // the run's time (--now)
  int exit_code = 0;               // 0..4, as the process exited
  std::optional<uint32_t> serial;  // SOA serial of the zone it wrote (none: nothing written)
  bool unsigned_zone = false;      // what it wrote was the zone unsigned (unsign, NOT_SIGNING)
  uint64_t rrsets_signed = 0, rrsets_reused = 0, ttl_clamped = 0;
  std::string summary;  // one line: what it did, or why it failed (at most kMaxRunSummary)
};
inline constexpr size_t kMaxRunHistory = 40;    // runs kept (the oldest are dropped)
inline constexpr size_t kMaxRunSummary = 2000;  // characters of one summary kept

struct ZoneKeyState {
  std::string origin;  // absolute, lowercase, with trailing dot
  ZoneState state = ZoneState::Signing;
  int64_t state_since = 0;
  std::string state_why;
  std::optional<int64_t> last_success;
  /// SOA serial of the last zone zonekiln published for the origin (signed by `sign`, or
  /// unsigned by `unsign`): the next one continues from it in RFC 1982 arithmetic.
  std::optional<uint32_t> last_serial;
  /// The last runs, oldest first, at most kMaxRunHistory (add_run keeps the bound).
  std::vector<RunRecord> runs;
  std::vector<KeyRecord> keys;
  DisableState disable;
  /// The timing policy the last plan used, as a JSON object (policy_to_json in policy.hpp), so
  /// that status and the ksk commands judge with the values the sign runs use. Empty: none.
  std::string policy_json;
  /// Set only between commit_prepare and commit_finish (signer/lifecycle/lifecycle.hpp).
  std::optional<PendingCommit> pending;
  std::optional<RunFingerprint> fingerprint;
  /// Not stored: the key directory the state was read from (absolute), for the commands the
  /// hints print (owner_command). Empty when unknown.
  std::string key_dir;

  KeyRecord* find_key(uint16_t tag, uint8_t algorithm = 0);
  const KeyRecord* find_key(uint16_t tag, uint8_t algorithm = 0) const;
  /// KSKs/CSKs not removed from the state (the owner's "at most two").
  size_t ksk_count() const noexcept;
  /// Sets the zone state; state_since changes only when the state does (or was never set).
  void set_state(ZoneState s, int64_t now, std::string why);
  /// True when the last zone published was written unsigned (by unsign, or by sign while
  /// NOT_SIGNING): a later signed output must continue from last_serial, not from the older
  /// signed file.
  bool last_published_unsigned() const noexcept;
  /// Appends a run to the history (summary cut to kMaxRunSummary), dropping the oldest beyond
  /// kMaxRunHistory; a run that wrote a zone also sets last_serial.
  void add_run(RunRecord run);
};

struct KeyStateFile {
  int version = kStateVersion;
  std::vector<ZoneKeyState> zones;
  /// What read_state did to settle runs that stopped between their state write and their zone
  /// rename (resolve_pending), for the log. Not stored.
  std::vector<std::string> recovery_notes;
  /// Not stored: the key directory read_state read (absolute); get_or_add gives it to new zones.
  std::string dir;

  ZoneKeyState* find(std::string_view origin);
  const ZoneKeyState* find(std::string_view origin) const;
  /// The zone's entry, created (state Signing, no keys) when missing.
  ZoneKeyState& get_or_add(std::string_view origin);
};

/// Normalises an origin for use as the state key: lowercase, trailing dot added.
std::string normalize_origin(std::string_view origin);

/// Errc::Usage "no key directory DIR (create it with `zonekiln keygen ...` or check --keys)"
/// when dir does not exist or is not a directory; origin (may be empty) fills in the command.
Result<void> require_key_dir(const std::string& dir, std::string_view origin = {});

/// s as one shell word: unchanged when it holds only characters no shell treats specially,
/// else in single quotes (a quote inside written as '\'').
std::string shell_quote(std::string_view s);

/// A whole command the owner can paste: "zonekiln SUBCOMMAND --origin O --keys DIR ARGS", with
/// the origin and zone.key_dir shell-quoted ("DIR" when the directory is unknown). args is
/// appended as given (quote paths in it with shell_quote).
std::string owner_command(const ZoneKeyState& zone, std::string_view subcommand,
                          std::string_view args = {});

/// Reads DIR/zonekiln-state.json. A missing file gives an empty KeyStateFile (first run), unless
/// its .bak is there (the state was deleted): Errc::Internal saying how to restore it. A file
/// that cannot be read, does not parse or holds a value out of range (a key tag over 65535, a
/// negative time, an unknown algorithm or state, a DNSKEY that is not the key's): Errc::Internal
/// naming the path and the field and pointing at the .bak copy; it is never reset silently.
/// Key sources come back as paths usable from the current directory (DIR joined with the
/// recorded name); version 1 files are migrated (see migrate rule in
/// signer/lifecycle/LIFECYCLE.md). Pending commits are settled (resolve_pending) and described in
/// recovery_notes.
Result<KeyStateFile> read_state(const std::string& dir);

/// Serialises and writes DIR/zonekiln-state.json atomically: the previous file is copied to
/// zonekiln-state.json.bak (unless keep_backup is false: the second write of one run), the new
/// one is written to a temp file in DIR, fsynced, renamed over the old one, and DIR is fsynced.
/// Key paths inside DIR are stored by name, others as absolute paths. Errc::Internal on any
/// I/O failure (the old file stays). The caller holds the StateLock.
Result<void> write_state(const std::string& dir, const KeyStateFile& state,
                         bool keep_backup = true);

/// Settles each zone's pending commit: when its output is the file the run wrote, the run's
/// state stands; else the zone returns to its previous state (ZSKs the run created kept as
/// created-only) marked INTERNAL_FAILURE. Returns one note per settled zone.
std::vector<std::string> resolve_pending(KeyStateFile& file);

/// JSON text of a state (what write_state writes) and back (what read_state parses; errors
/// name source_name).
std::string state_to_json(const KeyStateFile& state);
Result<KeyStateFile> state_from_json(std::string_view text, const std::string& source_name);
/// One zone's state as a JSON object (without a pending mark) and back, checked like a zone of
/// the file (PendingCommit::previous_json).
std::string zone_state_to_json(const ZoneKeyState& zone);
Result<ZoneKeyState> zone_state_from_json(std::string_view text);

/// An exclusive flock on DIR/.zonekiln.lock, released by the destructor. One per run; a second
/// run (another process, or another StateLock in this process) waits up to wait_seconds for it,
/// polling, then fails with Errc::Internal saying who to look for. wait_seconds = 0 tries once.
class StateLock {
 public:
  static Result<StateLock> acquire(const std::string& dir, int wait_seconds);
  StateLock(StateLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  StateLock& operator=(StateLock&& o) noexcept;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Adds the key material to guard: the key directory (no output may land in it), the files of
/// every key state records (state may be null: not read yet) wherever they are, and, in every
/// directory, the names of key and state files (K<zone>.+AAA+TTTTT.key/.private/.pkcs11,
/// zonekiln-state.json, its .bak and the lock file). key_dir may be empty (no key directory).
void protect_keys(OutputGuard& guard, const std::string& key_dir, const KeyStateFile* state);

}  // namespace zk::signer
