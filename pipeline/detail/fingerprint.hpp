// Internal: "nothing changed and nothing due" without re-reading the zone.
//
// After a successful sign run the key state records a fingerprint of everything the output
// depends on (RunFingerprint in signer/lifecycle/keystate.hpp) and the time the next signature
// refresh or key event falls due. The next run recomputes the fingerprint from file metadata and
// small contents only; when it matches and nothing is due, the previous output is this run's
// output, and the run ends without parsing the zone.
//
// What the fingerprint covers, each file by device, inode, size, mtime and ctime (ns), and by a
// SHA-256 of its content when it is at most 1 MiB (key files, small $INCLUDEs; a large zone file
// is not read: any write to it moves its ctime, which cannot be set back from user space):
// the zonekiln executable; the zone file and every file it $INCLUDEd at the last run; every file
// in the key directory but the state and its lock; key files the state names elsewhere; the
// zone's key state (without its run bookkeeping); the signed output (and --previous) and the DS
// set; and every option the output depends on.
#pragma once

#if !defined(ZK_INSIDE_PIPELINE) && !defined(ZK_WHITE_BOX)
#error "pipeline/detail/ is private to pipeline/: include its public headers (tests: ZK_WHITE_BOX)"
#endif

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/pipeline.hpp"
#include "signer/lifecycle/keystate.hpp"

namespace zk::pipeline::detail {

/// Whether runs with these options may take the fast path (recording: may record a
/// fingerprint for the next run): signing to a file, keys from files (no PKCS#11, no
/// offline-KSK response), not a dry run; taking it also not --full or --changes, which ask for
/// the long way (a run with them still records: its output is what the next run would keep).
bool fingerprint_eligible(const CompileOptions& options, bool recording = false);

/// The fingerprint (hex SHA-256) of the inputs as they are now: files are the zone file and its
/// $INCLUDEs, zone the zone's key state (without its run bookkeeping: last success, run
/// history, fingerprint, pending mark). Never fails: a file that cannot be read or stat'ed is
/// recorded as missing.
std::string input_fingerprint(const CompileOptions& options, const std::vector<std::string>& files,
                              const signer::ZoneKeyState& zone);

/// Token keys can change without any file changing: zones with one never take the fast path.
bool keys_in_files(const signer::ZoneKeyState& zone);

}  // namespace zk::pipeline::detail
