// getpid() for the whole process, answered from memory.
//
// OpenSSL 3.0's random generator asks getpid() on every call, to notice a fork and reseed
// (providers/implementations/rands/drbg.c), and every ECDSA signature draws its nonce from it:
// one system call per signature. glibc stopped caching the pid in 2.25, and in a virtual
// machine a system call is dear: on this project's KVM guests it was 5 % of a signing run's CPU
// time (bench/README.md). The zonekiln executable exports this definition (the link option in
// cli/CMakeLists.txt), so libcrypto's calls come here.
//
// It stays exact: the pid is read from the kernel once, and a fork() child forgets it before
// it runs any code of its own (pthread_atfork child handler), so the child reads its own pid
// and OpenSSL reseeds there as it would. zonekiln starts other programs only through
// fork/exec or posix_spawn, whose child calls no getpid of ours before exec.
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

namespace {

std::atomic<pid_t> cached_pid{0};

void forget_pid_in_child() { cached_pid.store(0, std::memory_order_relaxed); }

pid_t kernel_pid() { return static_cast<pid_t>(::syscall(SYS_getpid)); }

}  // namespace

extern "C" pid_t getpid(void) noexcept {
  pid_t pid = cached_pid.load(std::memory_order_relaxed);
  if (pid != 0) return pid;
  // Once per process: a child of fork() inherits the registration with the handler.
  static const bool registered = pthread_atfork(nullptr, nullptr, &forget_pid_in_child) == 0;
  pid = kernel_pid();
  // Without the handler a child could see the parent's pid: then never cache.
  if (registered) cached_pid.store(pid, std::memory_order_relaxed);
  return pid;
}
