// cli/pid_cache.cpp answers getpid() from memory (it saves a system call per signature). This
// program is linked with it and exports it the way zonekiln does, and checks that it stays exact
// and that OpenSSL still notices a fork: a child must not repeat its parent's random bytes.
// Exit 0 when all holds; otherwise what failed on stderr and exit 1.
#include <openssl/rand.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>

namespace {

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "pid_cache_check: FAILED: %s\n", what);
    ++failures;
  }
}
pid_t kernel_pid() { return static_cast<pid_t>(::syscall(SYS_getpid)); }

using Bytes = std::array<unsigned char, 32>;

}  // namespace

int main() {
  check(getpid() == kernel_pid(), "getpid() is the kernel's pid");
  check(getpid() == getpid(), "getpid() is stable");
  Bytes warm{};
  check(RAND_priv_bytes(warm.data(), warm.size()) == 1, "RAND_priv_bytes in the parent");

  int fds[2];
  check(::pipe(fds) == 0, "pipe");
  const pid_t parent = getpid();
  const pid_t child = ::fork();
  if (child == 0) {
    // The child: its own pid, and fresh random bytes (OpenSSL reseeds after a fork).
    struct {
      pid_t seen, kernel;
      Bytes bytes;
      int rand_ok;
    } msg{getpid(), kernel_pid(), {}, 0};
    msg.rand_ok = RAND_priv_bytes(msg.bytes.data(), msg.bytes.size());
    const ssize_t n = ::write(fds[1], &msg, sizeof msg);
    ::_exit(n == static_cast<ssize_t>(sizeof msg) ? 0 : 1);
  }
  check(child > 0, "fork");
  ::close(fds[1]);
  struct {
    pid_t seen, kernel;
    Bytes bytes;
    int rand_ok;
  } msg{};
  check(::read(fds[0], &msg, sizeof msg) == static_cast<ssize_t>(sizeof msg), "read the child");
  int status = 0;
  check(::waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "the child exits 0");
  Bytes mine{};
  check(RAND_priv_bytes(mine.data(), mine.size()) == 1, "RAND_priv_bytes after the fork");

  check(msg.seen == msg.kernel, "the child's getpid() is its own pid");
  check(msg.seen == child && msg.seen != parent, "the child's pid is not the parent's");
  check(getpid() == parent && parent == kernel_pid(), "the parent's pid is unchanged");
  check(msg.rand_ok == 1, "RAND_priv_bytes in the child");
  check(std::memcmp(msg.bytes.data(), mine.data(), mine.size()) != 0,
        "the child's random bytes differ from the parent's (OpenSSL saw the fork)");
  if (failures == 0)
    std::puts("pid_cache_check: getpid exact in parent and child; OpenSSL reseeds after fork");
  return failures == 0 ? 0 : 1;
}
