#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "dns/atomic_file.hpp"
#include "dns/fault.hpp"
#include "emit/emit.hpp"

namespace zk::emit {

namespace {

Unexpected io_error(const std::string& what, const std::string& path, int e) {
  return fail(Errc::WriteFailed, what + " " + path + ": " + errno_message(e));
}

std::pair<std::string, std::string> split_path(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// Temp files are ".BASE.zktmp.PID.XXXXXX"; one whose PID is gone was left by a crashed run.
void remove_stale_temps(const std::string& dir, const std::string& base) {
  const std::string prefix = "." + base + ".zktmp.";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> stale;
  while (const dirent* e = readdir(d)) {
    const std::string_view name = e->d_name;
    if (name.substr(0, prefix.size()) != prefix) continue;
    const long pid = std::strtol(e->d_name + prefix.size(), nullptr, 10);
    if (pid <= 0) continue;
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    stale.emplace_back(name);
  }
  closedir(d);
  for (const auto& s : stale) unlink((dir + "/" + s).c_str());
}

// A temp file name in the target's directory that remove_stale_temps recognises.
std::string temp_template(const std::string& dir, const std::string& base) {
  return dir + "/." + base + ".zktmp." + std::to_string(getpid()) + ".XXXXXX";
}

// mkstemp on a copy of tmpl; the final name is written back to tmpl.
int make_temp(std::string& tmpl) {
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const int fd = mkstemp(buf.data());
  if (fd >= 0) tmpl = buf.data();
  return fd;
}

Result<void> write_all(int fd, const char* p, size_t left, const std::string& what) {
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EFBIG (a file size limit; SIGXFSZ is ignored) and ENOSPC end up here alike.
      return io_error("cannot write", what, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return ok();
}

}  // namespace

OutputFile::~OutputFile() { discard(); }

OutputFile::OutputFile(OutputFile&& o) noexcept
    : path_(std::move(o.path_)),
      temp_(std::move(o.temp_)),
      written_(o.written_),
      flushed_(o.flushed_),
      identity_(o.identity_),
      fd_(o.fd_),
      is_stdout_(o.is_stdout_) {
  o.fd_ = -1;
  o.temp_.clear();
}

OutputFile& OutputFile::operator=(OutputFile&& o) noexcept {
  if (this == &o) return *this;
  discard();
  path_ = std::move(o.path_);
  temp_ = std::move(o.temp_);
  written_ = o.written_;
  flushed_ = o.flushed_;
  identity_ = o.identity_;
  fd_ = o.fd_;
  is_stdout_ = o.is_stdout_;
  o.fd_ = -1;
  o.temp_.clear();
  return *this;
}

void OutputFile::discard() noexcept {
  if (is_stdout_) return;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (!temp_.empty()) unlink(temp_.c_str());
  temp_.clear();
}

Result<OutputFile> OutputFile::open(const std::string& path) {
  OutputFile f;
  f.path_ = path;
  if (path == "-") {
    f.is_stdout_ = true;
    f.fd_ = STDOUT_FILENO;
    return f;
  }
  const auto [dir, base] = split_path(path);
  remove_stale_temps(dir, base);
  std::string tmpl = temp_template(dir, base);
  if (int e = injected_errno("create", path))
    return io_error("cannot create a temporary file for", path, e);
  const int fd = make_temp(tmpl);
  if (fd < 0) return io_error("cannot create a temporary file for", path, errno);
  fchmod(fd, 0644);
  f.fd_ = fd;
  f.temp_ = tmpl;
  return f;
}

Result<void> OutputFile::write(std::string_view bytes) {
  if (!is_stdout_) {
    if (int e = injected_errno("write", path_)) return io_error("cannot write", path_, e);
  }
  if (auto w = write_all(fd_, bytes.data(), bytes.size(), is_stdout_ ? "stdout" : path_); !w) {
    return w;
  }
  written_ += bytes.size();
  start_writeback();
  return ok();
}

void OutputFile::start_writeback() noexcept {
  // Start writeback of what is written so far, so that commit()'s fsync waits only for the
  // tail instead of the whole file (on a 120 MB zone that wait was most of the write stage).
  // SYNC_FILE_RANGE_WRITE only queues the I/O and does not wait for it.
  if (!is_stdout_ && written_ - flushed_ >= kWritebackStep) {
    sync_file_range(fd_, static_cast<off_t>(flushed_), static_cast<off_t>(written_ - flushed_),
                    SYNC_FILE_RANGE_WRITE);
    flushed_ = written_;
  }
}

Result<void> OutputFile::append(const ScratchFile& from) {
  const std::string what = is_stdout_ ? std::string("stdout") : path_;
  if (!is_stdout_) {
    if (int e = injected_errno("write", path_)) return io_error("cannot write", path_, e);
  }
  loff_t in = 0;
  uint64_t left = from.size();
  while (left > 0) {
    const ssize_t n = copy_file_range(from.fd(), &in, fd_, nullptr, left, 0);
    if (n > 0) {
      left -= static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)) {
      return io_error("cannot write", what, n == 0 ? EIO : errno);
    }
    // Not between these two files (another file system, a pipe): copy through a buffer.
    std::vector<char> buf(1 << 20);
    while (left > 0) {
      const ssize_t r = ::pread(from.fd(), buf.data(), std::min<uint64_t>(left, buf.size()), in);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return io_error("cannot read back a scratch file of", what, r == 0 ? EIO : errno);
      if (auto w = write_all(fd_, buf.data(), static_cast<size_t>(r), what); !w) return w;
      in += r;
      left -= static_cast<uint64_t>(r);
    }
  }
  written_ += from.size();
  start_writeback();
  return ok();
}

Result<void> OutputFile::patch(uint64_t offset, std::string_view bytes) {
  if (is_stdout_ || fd_ < 0 || offset + bytes.size() > written_) {
    return fail(Errc::Internal, "cannot patch " + path_ + ": outside what was written");
  }
  if (int e = injected_errno("write", path_)) return io_error("cannot write", path_, e);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write", path_, errno);
    done += static_cast<size_t>(n);
  }
  return ok();
}

ScratchFile::~ScratchFile() {
  if (fd_ >= 0) close(fd_);
}

ScratchFile::ScratchFile(ScratchFile&& o) noexcept
    : path_(std::move(o.path_)), size_(o.size_), fd_(o.fd_) {
  o.fd_ = -1;
}

ScratchFile& ScratchFile::operator=(ScratchFile&& o) noexcept {
  if (this == &o) return *this;
  if (fd_ >= 0) close(fd_);
  path_ = std::move(o.path_);
  size_ = o.size_;
  fd_ = o.fd_;
  o.fd_ = -1;
  return *this;
}

Result<ScratchFile> ScratchFile::beside(const std::string& path) {
  ScratchFile f;
  f.path_ = path;
  if (int e = injected_errno("create", path)) {
    return io_error("cannot create a scratch file for", path, e);
  }
  const auto [dir, base] = split_path(path);
  // The fallback name is one remove_stale_temps knows.
  f.fd_ = open_unnamed_file(dir, "." + base + ".zktmp." + std::to_string(getpid()) + ".");
  if (f.fd_ < 0) return io_error("cannot create a scratch file for", path, errno);
  return f;
}

Result<void> ScratchFile::write(std::string_view bytes) {
  if (int e = injected_errno("write", path_)) return io_error("cannot write", path_, e);
  if (auto w = write_all(fd_, bytes.data(), bytes.size(), path_); !w) return w;
  size_ += bytes.size();
  return ok();
}

Result<void> OutputFile::commit() {
  if (auto r = sync(); !r) return r;
  return publish();
}

Result<void> OutputFile::sync() {
  if (is_stdout_) return ok();
  int e = injected_errno("fsync", path_);
  if (e == 0 && fsync(fd_) != 0) e = errno;
  if (e != 0) return io_error("cannot sync", temp_, e);
  struct stat st {};
  if (fstat(fd_, &st) == 0) {
    identity_ = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                 static_cast<uint64_t>(st.st_size)};
  }
  const int rc = close(fd_);
  fd_ = -1;
  if (rc != 0) return io_error("cannot close", temp_, errno);
  return ok();
}

Result<void> OutputFile::publish() {
  if (is_stdout_) return ok();
  int e = injected_errno("rename", path_);
  if (e == 0 && rename(temp_.c_str(), path_.c_str()) != 0) e = errno;
  if (e != 0) return io_error("cannot rename " + temp_ + " onto", path_, e);
  temp_.clear();
  const int dfd = ::open(split_path(path_).first.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);  // makes the rename durable; failure here cannot undo it, so it is not an error
    close(dfd);
  }
  return ok();
}

Result<void> write_file_atomic(const std::string& path, std::string_view content) {
  auto f = OutputFile::open(path);
  if (!f) return fail(f.error());
  if (auto w = f->write(content); !w) return w;
  return f->commit();
}

}  // namespace zk::emit
