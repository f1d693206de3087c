// --memory-limit and --temp-dir: the default limit, how sizes are printed, the flags.
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

void add_memory_options(CLI::App* cmd, uint64_t& limit, std::string& temp_dir,
                        const std::string& what, const std::string& more,
                        const std::string& temp_default) {
  cmd->add_option("--memory-limit", limit,
                  "memory the run may use; " + what +
                      " (default: half of the machine's memory, or of its cgroup's limit: " +
                      size_text(default_memory_limit()) +
                      " where this help was printed; 0 = never spill; suffixes k, M, G = powers "
                      "of 1024)" +
                      (more.empty() ? std::string() : ". " + more))
      ->check(CLI::Validator(
          [](const std::string& v) {
            return v.find('-') != std::string::npos ? "a size cannot be negative: " + v
                                                    : std::string();
          },
          "SIZE"))
      ->transform(CLI::AsSizeValue(false));
  cmd->add_option("--temp-dir", temp_dir,
                  "where a run that spills keeps its files (default: " + temp_default +
                      "); they have no names and vanish with the process, however it ends. "
                      "Needs about three times the zone file's size free")
      ->check(CLI::ExistingDirectory);
}

}  // namespace zk::cli
