// A sign run's key handling as one call into the lifecycle: "plan this run" (lock, read the
// state, settle an interrupted commit, adopt the key directory on the first run, check the
// algorithms, record a token ZSK, plan the key events, create and load the keys). The run then
// publishes with the commit calls of signer/lifecycle/lifecycle.hpp (commit_prepare, the rename,
// commit_finish; commit_run without a file to rename; commit_failure).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/name.hpp"
#include "dns/path_guard.hpp"
#include "dns/result.hpp"
#include "signer/lifecycle/keystate.hpp"
#include "signer/lifecycle/lifecycle.hpp"
#include "signer/lifecycle/policy.hpp"
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

}  // namespace zk::signer
