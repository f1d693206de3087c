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

/// "No space left on device (ENOSPC)": strerror text and the errno's name, for messages that
/// an operator greps or pastes into a search.
std::string errno_message(int e);

}  // namespace zk
