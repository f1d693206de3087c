// compile --memory-limit: its default and how sizes are printed.
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

#include "cli/commands.hpp"

namespace zk::cli {

namespace {

// The memory.max of this process's cgroup (v2), or 0 when there is none or it is "max".
uint64_t cgroup_limit() {
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  while (std::getline(self, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::ifstream max("/sys/fs/cgroup" + line.substr(3) + "/memory.max");
    std::string v;
    if (!(max >> v) || v == "max") return 0;
    try {
      return std::stoull(v);
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

}  // namespace

uint64_t default_memory_limit() noexcept {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  uint64_t mem =
      pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
  const uint64_t group = cgroup_limit();
  if (group != 0 && (mem == 0 || group < mem)) mem = group;
  return mem / 2;
}

std::string size_text(uint64_t bytes) {
  constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? std::to_string(bytes) + " bytes" : fmt::format("{:.1f} {}", v, kUnits[u]);
}

}  // namespace zk::cli
