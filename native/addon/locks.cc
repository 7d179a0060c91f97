// flock(2): advisory whole-file locks for the project and IPAM locks.
#include <errno.h>
#include <sys/file.h>

#include "addon.h"

namespace tsc {

// Equivalent to: flock [-s|-x|-u] [-n] FD
// A conflicting LOCK_NB request throws code 'EAGAIN' (EWOULDBLOCK has the same
// value on Linux; 'EAGAIN' is the name libuv and Node use for it). Without
// LOCK_NB this blocks the event loop until the lock is granted.
static Napi::Value Flock(const Napi::CallbackInfo &info) {
  int fd = IntArg(info, 0, "fd");
  int operation = IntArg(info, 1, "operation");
  if (flock(fd, operation) == -1) throw ErrnoError(info.Env(), errno, "flock");
  return info.Env().Undefined();
}

void InitLocks(Napi::Env env, Napi::Object exports, Napi::Object constants) {
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  constants.Set("LOCK_SH", Napi::Number::New(env, LOCK_SH));
  constants.Set("LOCK_EX", Napi::Number::New(env, LOCK_EX));
  constants.Set("LOCK_NB", Napi::Number::New(env, LOCK_NB));
  constants.Set("LOCK_UN", Napi::Number::New(env, LOCK_UN));
}

}  // namespace tsc
