// For fuzz targets whose reader takes a path: the fuzzer's bytes are written to a file in a
// private scratch directory, which is removed when the process ends.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_common.hpp"

namespace zk::fuzz {

/// A directory only this process uses (under TMPDIR, else /tmp), made on first use and removed
/// when the process exits.
inline const std::string& scratch_dir() {
  struct Scratch {
    std::string dir;
    Scratch() {
      const char* tmp = std::getenv("TMPDIR");
      dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/zk-fuzz-XXXXXX";
      if (::mkdtemp(dir.data()) == nullptr) finding("cannot make a scratch directory");
    }
    ~Scratch() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  };
  static const Scratch scratch;
  return scratch.dir;
}

/// Replaces path with exactly data, with the given mode (keys must be 0600 to be read).
inline void write_file(const std::string& path, std::string_view data, mode_t mode = 0600) {
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) finding("cannot write a scratch file");
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) finding("cannot write a scratch file");
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace zk::fuzz
