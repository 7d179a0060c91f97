// Files inside another root: a container's root filesystem, read without
// letting its symlinks reach the host's files.
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "addon.h"

namespace tsc {

// Equivalent to: chroot ROOT cat PATH (for the open alone): opens PATH
// read-only with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative
// to ROOT, so "..", absolute symlinks and "/" stop at ROOT. Returns an
// O_CLOEXEC fd the caller reads and closes. O_NONBLOCK: a FIFO the
// container put there must not block the open (the caller reads regular
// files only).
static Napi::Value OpenInRoot(const Napi::CallbackInfo &info) {
  std::string root = StringArg(info, 0, "root");
  std::string path = StringArg(info, 1, "path");
  int dir = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir == -1) throw ErrnoError(info.Env(), errno, "open", root.c_str());
  struct open_how how = {};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how));
  int err = errno;
  close(dir);
  if (fd == -1) throw ErrnoError(info.Env(), err, "openat2", path.c_str(), root.c_str());
  return Napi::Number::New(info.Env(), fd);
}

void InitFiles(Napi::Env env, Napi::Object exports, Napi::Object constants) {
  (void)constants;
  exports.Set("openInRoot", Napi::Function::New(env, OpenInRoot, "openInRoot"));
}

}  // namespace tsc
