// zk::emit: records -> zone text, and output files that are replaced atomically.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "dns/name.hpp"
#include "dns/result.hpp"

namespace zk::emit {

/// Appends one RR as a line "owner<TAB>ttl<TAB>class<TAB>type<TAB>rdata\n": the owner absolute
/// with a trailing dot, class "IN", "CH", "HS" or CLASSnnn (RFC 3597), RDATA via rdata_to_text
/// in that class (IN-specific types print in generic form in other classes). Pure;
/// thread-safe (writes only to out).
void append_rr(std::string& out, NameView owner, uint32_t ttl, uint16_t rclass, uint16_t type,
               std::span<const uint8_t> rdata);

class ScratchFile;

/// An output that is either stdout ("-") or a file replaced atomically: bytes go to a temp file
/// ".NAME.zktmp.PID.XXXXXX" in the target's directory; commit() fsyncs it, renames it over the
/// target and fsyncs the directory. Until commit() the previous file is untouched; destroying
/// an uncommitted OutputFile removes the temp file. open() also removes temp files left by
/// earlier runs that died (their PID is no longer alive). Not thread-safe; move-only.
class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(OutputFile&& other) noexcept;
  OutputFile& operator=(OutputFile&& other) noexcept;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Errc::WriteFailed (path and errno) when the directory is not writable.
  static Result<OutputFile> open(const std::string& path);
  /// Errc::WriteFailed (path and errno: ENOSPC, EFBIG, EIO, ...).
  Result<void> write(std::string_view bytes);
  /// Appends everything written to from so far (copy_file_range: the bytes are copied by the
  /// kernel, never read back into this process). Errc::WriteFailed as write().
  Result<void> append(const ScratchFile& from);
  /// Overwrites bytes already written, at offset (pwrite), before sync(). The bytes must lie
  /// inside what was written. Not for stdout. Errc::WriteFailed as write().
  Result<void> patch(uint64_t offset, std::string_view bytes);
  /// Bytes written so far (write and append).
  uint64_t size() const noexcept { return written_; }
  /// sync() then publish().
  Result<void> commit();
  /// Makes the written bytes durable (fsync) and closes the temp file; after it, identity()
  /// names the file that publish() puts in place. Nothing is published yet.
  Result<void> sync();
  /// Renames the synced temp file over the target and fsyncs the directory: the moment the
  /// output is published. Errc::WriteFailed when the rename fails (the old file stays).
  Result<void> publish();
  /// Device, inode and size of the synced temp file (zeros for stdout or before sync()).
  /// rename() keeps the inode, so a later run can tell whether the rename happened.
  struct Identity {
    uint64_t dev = 0, ino = 0, size = 0;
  };
  const Identity& identity() const noexcept { return identity_; }
  const std::string& path() const noexcept { return path_; }

 private:
  void discard() noexcept;
  void start_writeback() noexcept;
  static constexpr uint64_t kWritebackStep = 8u << 20;
  std::string path_, temp_;
  uint64_t written_ = 0, flushed_ = 0;
  Identity identity_;
  int fd_ = -1;
  bool is_stdout_ = false;
};

/// A temporary file without a name beside an output (O_TMPFILE; where the file system lacks
/// it, a ".NAME.zktmp.PID.XXXXXX" file unlinked right after it was made, which OutputFile::open
/// of a later run removes if this one died in between). Its blocks are freed when it is
/// destroyed or the process dies, SIGKILL included. For a part of an output made before it can
/// be placed (OutputFile::append). Not thread-safe; move-only.
class ScratchFile {
 public:
  ScratchFile() = default;
  ~ScratchFile();
  ScratchFile(ScratchFile&& other) noexcept;
  ScratchFile& operator=(ScratchFile&& other) noexcept;
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  /// A scratch file in the directory of path (the output it belongs to). Errc::WriteFailed.
  static Result<ScratchFile> beside(const std::string& path);
  /// Errc::WriteFailed (the output's path and errno).
  Result<void> write(std::string_view bytes);
  uint64_t size() const noexcept { return size_; }
  int fd() const noexcept { return fd_; }
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;  // the output it belongs to, for messages and fault injection
  uint64_t size_ = 0;
  int fd_ = -1;
};

/// Writes content to path atomically (or stdout for "-"). Errc::WriteFailed on failure.
Result<void> write_file_atomic(const std::string& path, std::string_view content);

}  // namespace zk::emit
