#include "dns/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "dns/fault.hpp"

namespace zk {

namespace {

std::string errno_text(int e) { return errno_message(e); }

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

Result<void> write_file_atomic(const std::string& path, std::string_view text, unsigned mode) {
  // The pid and a random suffix keep concurrent writers (which should hold a lock anyway) from
  // sharing a temp file.
  std::random_device rd;
  const std::string tmp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd() % 1000000);
  auto failed = [&](const char* what, const std::string& name, int e) {
    return fail(Errc::WriteFailed, std::string(what) + " " + name + ": " + errno_text(e));
  };
  if (int e = injected_errno("create", path)) return failed("cannot create", tmp, e);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return failed("cannot create", tmp, errno);
  // open() applies the umask; set the mode the caller asked for explicitly.
  ::fchmod(fd, mode);
  int e = injected_errno("write", path);
  if (e == 0 && !write_all(fd, text)) e = errno;
  if (e == 0) e = injected_errno("fsync", path);
  if (e == 0 && ::fsync(fd) != 0) e = errno;
  if (e == 0 && ::close(fd) != 0) {
    e = errno;
  } else if (e != 0) {
    ::close(fd);
  }
  if (e != 0) {
    ::unlink(tmp.c_str());
    return failed("cannot write", tmp, e);
  }
  e = injected_errno("rename", path);
  if (e == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) e = errno;
  if (e != 0) {
    ::unlink(tmp.c_str());
    return fail(Errc::WriteFailed, "cannot rename " + tmp + " to " + path + ": " + errno_text(e));
  }
  const int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok();
}

Result<std::string> read_whole_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::Io, "cannot open " + path + ": " + errno_text(errno));
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return fail(Errc::Io, "cannot read " + path + ": " + errno_text(e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

int open_unnamed_file(const std::string& dir, const std::string& prefix) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
  std::string tmpl = dir + "/" + prefix + "XXXXXX";
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(tmpl.c_str());
  return fd;
}

bool path_exists(const std::string& path) noexcept {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace zk
