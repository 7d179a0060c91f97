// Network namespace switching for the calling thread.
//
// Node is always multithreaded, so only the network namespace may be changed
// here: it is per thread (unshare(2)/setns(2) on CLONE_NEWNET affect only the
// calling thread), whereas mount, pid and user namespaces would split or
// break the process. Both functions refuse anything but CLONE_NEWNET.
#include <errno.h>
#include <sched.h>

#include "addon.h"

namespace tsc {

// Equivalent to: unshare --net (for the main thread only)
static Napi::Value Unshare(const Napi::CallbackInfo &info) {
  uint32_t flags = FlagsArg(info, 0, "flags");
  if (flags != CLONE_NEWNET)
    throw ErrnoError(info.Env(), EINVAL, "unshare", nullptr, nullptr,
                     "only CLONE_NEWNET is allowed: Node is multithreaded");
  if (unshare(static_cast<int>(flags)) == -1) throw ErrnoError(info.Env(), errno, "unshare");
  return info.Env().Undefined();
}

// Equivalent to: nsenter --net=/proc/self/fd/FD (for the main thread only).
// nstype 0 ("any type") is refused too: the fd could be a mount namespace.
static Napi::Value Setns(const Napi::CallbackInfo &info) {
  int fd = IntArg(info, 0, "fd");
  uint32_t nstype = FlagsArg(info, 1, "nstype");
  if (nstype != CLONE_NEWNET)
    throw ErrnoError(info.Env(), EINVAL, "setns", nullptr, nullptr,
                     "only CLONE_NEWNET is allowed: Node is multithreaded");
  if (setns(fd, static_cast<int>(nstype)) == -1) throw ErrnoError(info.Env(), errno, "setns");
  return info.Env().Undefined();
}

void InitNamespaces(Napi::Env env, Napi::Object exports, Napi::Object constants) {
  exports.Set("unshare", Napi::Function::New(env, Unshare, "unshare"));
  exports.Set("setns", Napi::Function::New(env, Setns, "setns"));
  constants.Set("CLONE_NEWNET", Napi::Number::New(env, CLONE_NEWNET));
  constants.Set("CLONE_NEWNS", Napi::Number::New(env, CLONE_NEWNS));
  constants.Set("CLONE_NEWUTS", Napi::Number::New(env, CLONE_NEWUTS));
  constants.Set("CLONE_NEWIPC", Napi::Number::New(env, CLONE_NEWIPC));
  constants.Set("CLONE_NEWPID", Napi::Number::New(env, CLONE_NEWPID));
  constants.Set("CLONE_NEWCGROUP", Napi::Number::New(env, CLONE_NEWCGROUP));
  constants.Set("CLONE_NEWUSER", Napi::Number::New(env, CLONE_NEWUSER));
  constants.Set("CLONE_NEWTIME", Napi::Number::New(env, CLONE_NEWTIME));
}

}  // namespace tsc
