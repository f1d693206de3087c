// Test hooks of the zonekiln-test executable (built from the same sources with ZK_TEST_HOOKS);
// in the installed zonekiln install_test_hooks does nothing and reads no environment.
//
// ZK_TEST_FAIL_AT=OP:SUFFIX:ERRNO[:N][,...] makes the OP ("create", "write", "fsync",
// "rename") of every file whose path ends with SUFFIX fail with ERRNO (ENOSPC, EROFS, EFBIG,
// EIO, EACCES, EDQUOT), or only the Nth such call of the run (1-based). Used by
// tests/e2e/lifecycle/fault_injection.sh to fail each write of a sign run in turn.
//
// ZK_TEST_KILL_AT=POINT raises SIGKILL at that crash point of the run (dns/fault.hpp lists the
// points), as a power cut would; used by tests/e2e/lifecycle/crash_safety.sh.
#include "cli/commands.hpp"

#ifdef ZK_TEST_HOOKS
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dns/fault.hpp"
#endif

namespace zk::cli {

#ifdef ZK_TEST_HOOKS
namespace {

struct FailRule {
  std::string op, suffix;
  int error = 0;
  unsigned nth = 0;  // 0: every matching call
  unsigned seen = 0;
};

// Test build only: parsed once in main before any thread starts; the hook runs on the thread
// that writes files (the pipeline's driver), never concurrently.
std::vector<FailRule> g_rules;
std::string g_kill_at;

void kill_hook(std::string_view point) {
  if (point == g_kill_at) ::raise(SIGKILL);
}

int errno_named(const std::string& name) {
  static constexpr struct {
    const char* name;
    int value;
  } kNames[] = {{"ENOSPC", ENOSPC}, {"EROFS", EROFS},   {"EFBIG", EFBIG},
                {"EIO", EIO},       {"EACCES", EACCES}, {"EDQUOT", EDQUOT}};
  for (const auto& n : kNames) {
    if (name == n.name) return n.value;
  }
  return 0;
}

int fail_hook(std::string_view op, const std::string& path) {
  for (FailRule& r : g_rules) {
    if (r.op != op || path.size() < r.suffix.size() ||
        path.compare(path.size() - r.suffix.size(), r.suffix.size(), r.suffix) != 0) {
      continue;
    }
    ++r.seen;
    if (r.nth == 0 || r.nth == r.seen) return r.error;
  }
  return 0;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

}  // namespace
#endif

std::string_view build_variant() {
#ifdef ZK_TEST_HOOKS
  return " [test build: ZK_TEST_HOOKS, never installed]";
#else
  return {};
#endif
}

Result<void> install_test_hooks() {
#ifdef ZK_TEST_HOOKS
  if (const char* kill = std::getenv("ZK_TEST_KILL_AT"); kill != nullptr && *kill != '\0') {
    g_kill_at = kill;
    set_crash_hook(kill_hook);
  }
  const char* spec = std::getenv("ZK_TEST_FAIL_AT");
  if (spec == nullptr || *spec == '\0') return ok();
  for (const std::string& item : split(spec, ',')) {
    const std::vector<std::string> f = split(item, ':');
    FailRule r;
    if (f.size() == 3 || f.size() == 4) {
      r.op = f[0];
      r.suffix = f[1];
      r.error = errno_named(f[2]);
      if (f.size() == 4) r.nth = static_cast<unsigned>(std::strtoul(f[3].c_str(), nullptr, 10));
    }
    if (r.error == 0 || r.op.empty() || (f.size() == 4 && r.nth == 0)) {
      return fail(Errc::Usage, "bad ZK_TEST_FAIL_AT item '" + item +
                                   "' (want OP:SUFFIX:ERRNO[:N], e.g. rename:.signed:EROFS)");
    }
    g_rules.push_back(std::move(r));
  }
  set_fault_hook(fail_hook);
#endif
  return ok();
}

}  // namespace zk::cli
