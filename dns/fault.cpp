#include "dns/fault.hpp"

#include <cstring>

namespace zk {

namespace {

// The one process-wide setting outside main: written once before threads start, read-only
// afterwards. Null in every production run.
FaultHook g_fault_hook = nullptr;
CrashHook g_crash_hook = nullptr;

}  // namespace

void set_fault_hook(FaultHook hook) noexcept { g_fault_hook = hook; }

int injected_errno(std::string_view op, const std::string& path) noexcept {
  return g_fault_hook ? g_fault_hook(op, path) : 0;
}

void set_crash_hook(CrashHook hook) noexcept { g_crash_hook = hook; }

void crash_point(std::string_view point) noexcept {
  if (g_crash_hook) g_crash_hook(point);
}

std::string errno_message(int e) {
  std::string out = std::strerror(e);
  if (const char* name = strerrorname_np(e)) out += std::string(" (") + name + ")";
  return out;
}

}  // namespace zk
