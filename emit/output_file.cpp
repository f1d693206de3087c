#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

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
  std::string tmpl = dir + "/." + base + ".zktmp." + std::to_string(getpid()) + ".XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (int e = injected_errno("create", path))
    return io_error("cannot create a temporary file for", path, e);
  const int fd = mkstemp(buf.data());
  if (fd < 0) return io_error("cannot create a temporary file for", path, errno);
  fchmod(fd, 0644);
  f.fd_ = fd;
  f.temp_ = buf.data();
  return f;
}

Result<void> OutputFile::write(std::string_view bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  if (!is_stdout_) {
    if (int e = injected_errno("write", path_)) return io_error("cannot write", path_, e);
  }
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EFBIG (a file size limit; SIGXFSZ is ignored) and ENOSPC end up here alike.
      return io_error("cannot write", is_stdout_ ? std::string("stdout") : path_, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  written_ += bytes.size();
  // Start writeback of what is written so far, so that commit()'s fsync waits only for the
  // tail instead of the whole file (on a 120 MB zone that wait was most of the write stage).
  // SYNC_FILE_RANGE_WRITE only queues the I/O and does not wait for it.
  if (!is_stdout_ && written_ - flushed_ >= kWritebackStep) {
    sync_file_range(fd_, static_cast<off_t>(flushed_), static_cast<off_t>(written_ - flushed_),
                    SYNC_FILE_RANGE_WRITE);
    flushed_ = written_;
  }
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
