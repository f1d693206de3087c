// Test-only failure injection at the writes of a run (the fault-injection test of the commit
// order, tests/e2e/lifecycle/fault_injection.sh). The installed zonekiln never sets a hook: only
// the test build of the executable (zonekiln-test, compiled with ZK_TEST_HOOKS, see
// cli/test_hooks.cpp) installs one. Writers ask injected_errno before each system call of a
// write and fail as if that call had returned the errno.
#pragma once

#include <string>
#include <string_view>

namespace zk {

/// op is "create", "write", "fsync" or "rename"; path is the file being replaced (not its temp
/// file). Returns the errno to fail with, or 0.
using FaultHook = int (*)(std::string_view op, const std::string& path);

/// Installs the hook; called once by a test build's main before any other thread starts.
void set_fault_hook(FaultHook hook) noexcept;

/// 0 unless a test build installed a hook that fails this call.
int injected_errno(std::string_view op, const std::string& path) noexcept;

/// A crash point: the test build kills the process here (SIGKILL, as a power cut would) when
/// ZK_TEST_KILL_AT names the point; used by tests/e2e/lifecycle/crash_safety.sh.
using CrashHook = void (*)(std::string_view point);

/// Installs the crash hook; called once by a test build's main before any other thread starts.
void set_crash_hook(CrashHook hook) noexcept;

/// Does nothing unless a test build installed a crash hook. Points: the stage names of
/// pipeline::Stats::times (parse, sort, check, keys, prepare, compare, chain, slices), "slice"
/// (a spilled compile wrote a slice to the temp file), "write" (after a
/// chunk reached the temp file), "commit" (output complete and synced, key state not yet
/// written), "pending" (key state written with its pending mark, output not yet renamed),
/// "state" (output and DS set renamed, pending mark not yet dropped).
void crash_point(std::string_view point) noexcept;

/// "No space left on device (ENOSPC)": strerror text and the errno's name, for messages that
/// an operator greps or pastes into a search.
std::string errno_message(int e);

}  // namespace zk
