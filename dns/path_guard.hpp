// Which files an output may not replace: the inputs, the keys and the key state (issue 11: a
// `--ds-output` naming the KSK's private key replaced it with a DS set).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/result.hpp"

namespace zk {

/// An output option and its path, e.g. {"--ds-output", "keys/K....private"}.
struct NamedPath {
  std::string flag, path;
};

/// Collects what must not be overwritten and checks output paths against it before anything is
/// written. Files are compared by device and inode (a symlink, a hard link, "keys/../keys/x" or
/// another spelling of the same file is the same file); a file that does not exist yet by its
/// directory's device and inode plus its name. Not thread-safe; cheap to copy.
class OutputGuard {
 public:
  /// A file no output may replace; what describes it for the message ("the zone file").
  void protect_file(const std::string& path, std::string what);
  /// A directory no output may be written into (the key directory).
  void protect_dir(const std::string& path, std::string what);
  /// File names refused in every directory (key and state files wherever they are).
  void protect_names(std::function<bool(std::string_view name)> matches, std::string what);

  /// Errc::Usage naming the option, its path and the protected file or directory when path
  /// would replace a protected file or land in a protected directory. "-" (stdout) passes.
  Result<void> check(const NamedPath& output) const;
  /// check() for each output, and that no two of them are the same file.
  Result<void> check_all(const std::vector<NamedPath>& outputs) const;

 private:
  struct Id {
    bool exists = false;
    uint64_t dev = 0, ino = 0;
  };
  struct Place {
    Id file, dir;  // the file itself, and the directory it is (or would be) in
    std::string name;
  };
  static Place place_of(const std::string& path);
  static bool same(const Id& a, const Id& b) {
    return a.exists && b.exists && a.dev == b.dev && a.ino == b.ino;
  }
  static bool same_place(const Place& a, const Place& b);
  struct Protected {
    Place place;
    std::string path, what;
  };
  struct Names {
    std::function<bool(std::string_view)> matches;
    std::string what;
  };
  std::vector<Protected> files_, dirs_;
  std::vector<Names> names_;
};

}  // namespace zk
