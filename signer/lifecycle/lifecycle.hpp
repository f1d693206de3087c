// One sign run's key handling, on real key files: the glue between the state file, the owner's
// KSK checks, plan_keys and the key loader. The sign pipeline reaches it through the two calls
// of signer/lifecycle/sign_run.hpp (plan_sign_run runs prepare_keys; commit_sign_run runs
// commit_prepare, the rename, commit_finish, or commit_run), and records a failed run with
// commit_failure. The order (LIFECYCLE.md "The sign pipeline's calls"):
//
//   lock, read_state, prepare_keys                   -- plan_sign_run
//   ... build the DNSKEY RRset from keys->dnskey_rdata, sign it (and CDS/CDNSKEY) with
//       keys->dnskey_signers, sign everything else with keys->zone_signers, write the zone ...
//   commit_prepare, rename, commit_finish            -- commit_sign_run
//   (no zone file written, e.g. nothing changed: commit_run, also commit_sign_run)
//   (on failure after prepare_keys: commit_failure(dir, *file, keys->plan, now, why))
//   exit code: run_exit_code(keys->plan)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/ksk.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/signer.hpp"

namespace zk::signer {

struct Pkcs11Config;  // signer/pkcs11.hpp

/// A KeyLoader backed by load_key (BIND key pair, or PEM with the recorded algorithm). With
/// pkcs11, token keys (a PKCS#11 URI or a .pkcs11 descriptor as source) are reached through that
/// module and PIN instead of the defaults.
KeyLoader file_key_loader(NameView origin, const Pkcs11Config* pkcs11 = nullptr);

/// `ksk add --file`: loads the owner's key (BIND pair or PEM; pem_algorithm is needed for PEM
/// files) and records it INACTIVE. The file is not copied: the state refers to it by path.
/// Errc::KeyActionNeeded when it cannot be loaded, Errc::Usage for a ZSK (no SEP flag) or a
/// refused registration (see ksk_register).
Result<KeyRecord> ksk_add_file(ZoneKeyState& zone, const Policy& policy, const std::string& path,
                               NameView origin, uint8_t pem_algorithm, int64_t now,
                               RollMethod roll = RollMethod::DoubleDs,
                               const Pkcs11Config* pkcs11 = nullptr);

/// `ksk add --generate`: makes a new KSK, writes it into dir as a BIND key pair (mode 0600) and
/// records it INACTIVE.
Result<KeyRecord> ksk_add_generated(ZoneKeyState& zone, const Policy& policy,
                                    const std::string& dir, NameView origin, uint8_t algorithm,
                                    int64_t now, RollMethod roll = RollMethod::DoubleDs);

/// This run's keys, loaded and planned.
struct PreparedKeys {
  KeyPlan plan;
  std::vector<KeyProblem> problems;                    // from check_ksk and check_zsk
  std::vector<Key> dnskey_signers;                     // loaded; sign DNSKEY, CDS, CDNSKEY RRsets
  std::vector<Key> zone_signers;                       // loaded; sign all other RRsets
  std::vector<std::vector<uint8_t>> dnskey_rdata;      // the DNSKEY RRset (wire RDATA)
  std::vector<std::vector<uint8_t>> cds_dnskey_rdata;  // make CDS (ds_rdata) + CDNSKEY of these
};

/// Checks the keys (check_ksk, check_zsk with file_key_loader), plans (plan_keys), creates the
/// ZSKs the plan asks for (generate_key + write_key_files into dir; recorded with add_zsk) and
/// loads the keys that sign. Does not write the state. Errc::Internal when a ZSK cannot be
/// created or a planned signer cannot be loaded; owner problems are not errors here (they are
/// in plan.state / plan.owner_actions and run_exit_code). With write_keys false (a dry run) new
/// ZSKs are made in memory only: nothing is written to dir, and their source says so.
Result<PreparedKeys> prepare_keys(const std::string& dir, NameView origin, int64_t now,
                                  const Policy& policy, const ZoneKeyState& zone,
                                  const Pkcs11Config* pkcs11 = nullptr, bool write_keys = true);

/// At the end of a run that wrote the signed zone: stores plan.state and writes the state file
/// (atomically, with .bak); records when the RFC 8078 delete records were first published
/// (disable procedure). last_success moves to now only when the run exits 0 (a run that leaves
/// a key needing its owner, exit 3, is not a success). When plan.can_sign is false (no zone
/// signed), only the zone and KSK owner states are stored, no key event. run goes to the run
/// history (its serial, when set, becomes last_serial: also for an unsigned zone written while
/// NOT_SIGNING).
Result<void> commit_run(const std::string& dir, KeyStateFile& file, const KeyPlan& plan,
                        int64_t now, RunRecord run);

/// The synced temp file that will be renamed over output (emit::OutputFile::identity()).
struct PublishTarget {
  std::string output;
  uint64_t dev = 0, ino = 0, size = 0;
};

/// Commit order, step 1, before the zone is renamed into place: writes the state the published
/// zone needs (as commit_run would) with a pending mark naming target and the zone's state
/// before the run. On failure nothing may be published (the caller then calls commit_failure).
/// A run that dies after this leaves the mark; the next read_state settles it by checking
/// whether output is target's inode. run goes to the history as in commit_run.
Result<void> commit_prepare(const std::string& dir, KeyStateFile& file, const KeyPlan& plan,
                            int64_t now, const PublishTarget& target, RunRecord run);

/// Commit order, step 3, after the rename: drops the pending mark (the .bak stays the state
/// before the run). A failure here leaves the mark, which the next read settles as published:
/// the caller reports it as a warning, not as a failed run.
Result<void> commit_finish(const std::string& dir, KeyStateFile& file, std::string_view origin);

/// After a failed run: keeps the previous key timeline (nothing was published; a pending mark
/// of commit_prepare is undone), records ZSKs created this run as created-only (their files
/// exist), sets the zone INTERNAL_FAILURE with why, and adds an exit-4 entry to the run
/// history. Writes the state file.
Result<void> commit_failure(const std::string& dir, KeyStateFile& file, const KeyPlan& plan,
                            int64_t now, const std::string& why);

/// The latest time recorded for the zone (key events, owner and zone states, last run, the
/// disable procedure); 0 when none.
int64_t latest_recorded_time(const ZoneKeyState& zone) noexcept;

/// The time to plan and record key events at: now, or when the clock is earlier than the latest
/// recorded time, that time (the key timeline never moves backwards) with a warning for the log.
int64_t timeline_now(const ZoneKeyState& zone, int64_t now, std::string* warning);

/// 0 SIGNING / NOT_SIGNING, 3 ACTION_NEEDED, 4 INTERNAL_FAILURE.
int run_exit_code(const KeyPlan& plan) noexcept;

}  // namespace zk::signer
