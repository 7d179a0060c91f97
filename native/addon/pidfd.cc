// Process file descriptors: signal a process without racing pid reuse.
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <unistd.h>

#include "addon.h"

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

namespace tsc {

// glibc's <sys/pidfd.h> wrappers lack C linkage for C++: call the syscalls.
static int pidfd_open(pid_t pid, unsigned int flags) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, flags));
}
static int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags));
}

// Returns a pidfd (O_CLOEXEC) referring to PID; the caller closes it.
static Napi::Value PidfdOpen(const Napi::CallbackInfo &info) {
  int pid = IntArg(info, 0, "pid");
  uint32_t flags = info.Length() > 1 ? FlagsArg(info, 1, "flags") : 0;
  int fd = pidfd_open(pid, flags);
  if (fd == -1) throw ErrnoError(info.Env(), errno, "pidfd_open");
  return Napi::Number::New(info.Env(), fd);
}

// Equivalent to: kill -SIGNAL PID, on the process the pidfd refers to
// (signal 0 only checks that it still exists: ESRCH once it has exited).
static Napi::Value PidfdSendSignal(const Napi::CallbackInfo &info) {
  int pidfd = IntArg(info, 0, "pidfd");
  int signal = IntArg(info, 1, "signal");
  if (pidfd_send_signal(pidfd, signal, nullptr, 0) == -1)
    throw ErrnoError(info.Env(), errno, "pidfd_send_signal");
  return info.Env().Undefined();
}

void InitPidfd(Napi::Env env, Napi::Object exports, Napi::Object constants) {
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("pidfdSendSignal", Napi::Function::New(env, PidfdSendSignal, "pidfdSendSignal"));
  constants.Set("PIDFD_NONBLOCK", Napi::Number::New(env, PIDFD_NONBLOCK));
}

}  // namespace tsc
