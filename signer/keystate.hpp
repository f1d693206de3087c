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

#include "dns/result.hpp"

namespace zk::signer {

inline constexpr const char* kStateFileName = "zonekiln-state.json";
inline constexpr const char* kStateBackupName = "zonekiln-state.json.bak";
inline constexpr const char* kLockFileName = ".zonekiln.lock";

enum class KeyRole : uint8_t { KSK, ZSK, CSK };
/// The owner's intent for a KSK (ZSKs are always Active in this field).
///   Active: published in the DNSKEY RRset and signs it. Inactive: neither.
///   ActionNeeded: the owner wants it active but zonekiln cannot use it (why says what is wrong).
enum class OwnerState : uint8_t { Active, Inactive, ActionNeeded };
enum class ZoneState : uint8_t { Signing, NotSigning, ActionNeeded, InternalFailure };

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

  // KSK/CSK only: the owner's state, since when and why (ActionNeeded).
  OwnerState owner_state = OwnerState::Inactive;
  int64_t owner_state_since = 0;
  std::string owner_state_why;
  /// Owner confirmed the parent publishes this key's DS (ds-seen), and when.
  bool ds_seen = false;
  std::optional<int64_t> ds_seen_at;

  bool is_ksk() const noexcept { return role != KeyRole::ZSK; }
  /// Owner wants it in use (Active, or ActionNeeded which means "wanted but unusable").
  bool ksk_wanted() const noexcept { return is_ksk() && owner_state != OwnerState::Inactive; }
  bool is_removed() const noexcept { return removed.has_value(); }
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

struct ZoneKeyState {
  std::string origin;  // absolute, lowercase, with trailing dot
  ZoneState state = ZoneState::Signing;
  int64_t state_since = 0;
  std::string state_why;
  std::optional<int64_t> last_success;
  std::vector<KeyRecord> keys;
  DisableState disable;
  /// The timing policy the last plan used, as a JSON object (policy_to_json in policy.hpp), so
  /// that status and the ksk commands judge with the values the sign runs use. Empty: none.
  std::string policy_json;

  KeyRecord* find_key(uint16_t tag, uint8_t algorithm = 0);
  const KeyRecord* find_key(uint16_t tag, uint8_t algorithm = 0) const;
  /// KSKs/CSKs not removed from the state (the owner's "at most two").
  size_t ksk_count() const noexcept;
  /// Sets the zone state; state_since changes only when the state does (or was never set).
  void set_state(ZoneState s, int64_t now, std::string why);
};

struct KeyStateFile {
  int version = 1;
  std::vector<ZoneKeyState> zones;

  ZoneKeyState* find(std::string_view origin);
  const ZoneKeyState* find(std::string_view origin) const;
  /// The zone's entry, created (state Signing, no keys) when missing.
  ZoneKeyState& get_or_add(std::string_view origin);
};

/// Normalises an origin for use as the state key: lowercase, trailing dot added.
std::string normalize_origin(std::string_view origin);

/// Reads DIR/zonekiln-state.json. A missing file gives an empty KeyStateFile (first run).
/// A file that cannot be read or does not parse: Errc::Internal naming the path and the problem
/// and pointing at the .bak copy; it is never reset silently.
Result<KeyStateFile> read_state(const std::string& dir);

/// Serialises and writes DIR/zonekiln-state.json atomically: the previous file is copied to
/// zonekiln-state.json.bak, the new one is written to a temp file in DIR, fsynced, renamed over
/// the old one, and DIR is fsynced. Errc::Internal on any I/O failure (the old file stays).
/// The caller holds the StateLock.
Result<void> write_state(const std::string& dir, const KeyStateFile& state);

/// JSON text of a state (what write_state writes) and back (what read_state parses; errors
/// name source_name).
std::string state_to_json(const KeyStateFile& state);
Result<KeyStateFile> state_from_json(std::string_view text, const std::string& source_name);

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

/// Base64 (RFC 4648 s4) without line breaks, and back (whitespace ignored); nullopt when invalid.
std::string base64_encode(const uint8_t* data, size_t len);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace zk::signer
