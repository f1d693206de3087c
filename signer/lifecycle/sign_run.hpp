// A sign run's key handling as two calls into the lifecycle:
//   plan_sign_run    "plan this run": lock, read the state, settle an interrupted commit, adopt
//                    the key directory on the first run, check the algorithms, record a token
//                    ZSK, plan the key events, create and load the keys (plan_skr_run instead
//                    for an offline-KSK run: the response's period and its ZSK);
//   commit_sign_run  "commit this run": the state the published zone needs, written in the
//                    order that keeps exit 4 meaning nothing was published.
// A run that fails after planning records that with commit_failure (lifecycle.hpp); a run that
// finds its inputs unchanged since the last one plans and commits in one, commit_unchanged_run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/path_guard.hpp"
#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/lifecycle/policy.hpp"
#include "signer/lifecycle/skr.hpp"
#include "signer/pkcs11.hpp"

namespace zk::signer {

/// What a sign run asks the lifecycle for.
struct SignRunRequest {
  std::string key_dir;
  Name origin;
  int64_t now = 0;  // the run's time (--now or the clock)
  Policy policy;    // checked by the caller (check_timing)
  int lock_wait = 60;
  bool dry_run = false;  // no lock, nothing written: new ZSKs are made in memory only
  bool csk = false;      // adopted KSKs sign the zone themselves
  bool allow_deprecated_algorithm = false;
  bool nsec3 = false;   // the zone gets NSEC3 (RSASHA1 keys cannot sign it)
  std::string zsk_uri;  // a token ZSK, recorded on first use
  Pkcs11Config pkcs11;
};

/// One sign run's key state: the lock (held until the object dies), the state file as read, the
/// policy and, once planned, the keys. Commit or record a failure through it.
struct SignRun {
  std::optional<StateLock> lock;
  std::string key_dir;
  KeyStateFile file;
  Policy policy;
  std::optional<PreparedKeys> keys;  // the plan: keys loaded, DNSKEY/CDS sets, events due
  std::string origin_text;
  /// The time key events are planned and recorded at: the request's now, or the latest time the
  /// state recorded when the clock is earlier (timeline_now).
  int64_t state_now = 0;
  bool output_refused = false;     // an output path names a key or state file
  std::vector<std::string> notes;  // for the log, in order ("adopted ...", "key: ...", ...)
  std::vector<Error> warnings;     // key files of the directory that could not be loaded
};

/// "Plan this run": takes the StateLock (not for a dry run), reads the state, checks the outputs
/// with guard against the key files the state records (output_refused and Errc::Usage), writes
/// the settled state of an interrupted commit at once, adopts the key directory on the first
/// run (the owner's active KSKs become ACTIVE KSKs, or CSKs with csk; one active ZSK per
/// algorithm is recorded), refuses deprecated algorithms not allowed (Errc::Usage), records a
/// token ZSK, and runs prepare_keys. Notes go to run.notes also when it fails.
Result<void> plan_sign_run(const SignRunRequest& request, SignRun& run, OutputGuard guard,
                           const std::vector<NamedPath>& outputs);

/// An offline-KSK run's keys (plan_skr_run).
struct SkrRunPlan {
  Key zsk;                         // the only zone signer
  std::vector<SkrRecord> records;  // the period's DNSKEY, CDS, CDNSKEY and RRSIG records
  std::string note;                // for the log: the period and its ZSK
};

/// "Plan this run" with a signed key response (--skr FILE, signer/lifecycle/skr.hpp): takes the
/// StateLock into run.lock (not for a dry run; the state is neither read nor changed), selects
/// the period covering the request's now (select_skr_period: Errc::KeyActionNeeded when none
/// does, it runs out within 3 days, or its RRSIGs do not verify) and loads the ZSK it names from
/// the key directory, or the request's zsk_uri (Errc::KeyActionNeeded when it is not there).
Result<SkrRunPlan> plan_skr_run(const SignRunRequest& request, const std::string& skr_path,
                                SignRun& run);

/// A run that ends without reading the zone (commit_unchanged_run).
struct UnchangedRun {
  KeyStateFile file;           // the state as written, with this run recorded
  RunFingerprint fingerprint;  // what the last run recorded
};

/// The fast path, plan and commit in one: the zone's state holds a fingerprint (no pending mark,
/// SIGNING, no KSK needing its owner, no internal failure), now lies in [its at, its due), and
/// inputs_unchanged(zone, fingerprint) says the inputs still hash to it. Then the run is recorded
/// (last success, history: "nothing changed since ...") and the state written without a backup.
/// nullopt when any of that does not hold (the run takes the long way), also when the lock or
/// the state cannot be had; the lock is released on return.
std::optional<UnchangedRun> commit_unchanged_run(
    const std::string& key_dir, const std::string& origin_text, int64_t now, int lock_wait,
    const std::function<bool(const ZoneKeyState&, const RunFingerprint&)>& inputs_unchanged);

/// How a run puts its zone out (commit_sign_run). All empty: the run wrote nothing (its output
/// was left as it was) and only records itself.
struct Publication {
  /// The synced temp file publish renames over the output; none when the zone goes to stdout.
  std::optional<PublishTarget> target;
  /// Puts the zone in place; a failure means nothing was published.
  std::function<Result<void>()> publish;
  /// Once the zone is out and the state records the run (the DS set).
  std::function<void()> after_publish;
  /// With a target, just before the pending mark is dropped: what the run stores with the state
  /// (its fingerprint, into run.file).
  std::function<void()> before_finish;
};

struct CommitResult {
  bool published = false;          // the zone was put in place
  std::optional<Error> error;      // the step that failed (not published: nothing is out)
  std::vector<std::string> notes;  // for the log
};

/// "Commit this run". With keys planned (a dry run records nothing: the caller does not call
/// this) and a target: writes the state the new zone needs with a pending mark (commit_prepare),
/// publishes, runs after_publish and before_finish, and drops the mark (commit_finish; a
/// failure there is a note: the next read settles it). Without a target: publishes, then writes
/// the state (commit_run). Without keys (a compile, an offline-KSK run) only publishes.
CommitResult commit_sign_run(SignRun& run, RunRecord record, const Publication& publication);

}  // namespace zk::signer
