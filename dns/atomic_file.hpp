// Whole-file reads and atomic replacement, for state, metrics and output files.
#pragma once

#include <string>
#include <string_view>

#include "dns/result.hpp"

namespace zk {

/// Writes text to path atomically: a temp file in the same directory, fsync, rename over path,
/// fsync of the directory. A reader sees the old or the new file, never a mix. mode applies to
/// the new file. Errc::WriteFailed naming the path and the errno (text and name, e.g. ENOSPC,
/// EROFS, EFBIG) on failure; the old file is untouched.
Result<void> write_file_atomic(const std::string& path, std::string_view text,
                               unsigned mode = 0644);

/// Reads a whole file. Errc::Io naming the path on failure.
Result<std::string> read_whole_file(const std::string& path);

/// A new file in dir that has no name (O_TMPFILE; where the file system has none, a file made
/// from dir + "/" + prefix + "XXXXXX" and unlinked at once): gone however the process ends.
/// Returns a read-write descriptor (O_CLOEXEC), or -1 with errno set.
int open_unnamed_file(const std::string& dir, const std::string& prefix);

/// True when path exists (any type).
bool path_exists(const std::string& path) noexcept;

}  // namespace zk
