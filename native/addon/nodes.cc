// File-system calls Node lacks, for unpacking image layers: device nodes
// (and overlay whiteouts, which are 0/0 character devices) and extended
// attributes on the entry itself, never on what a symlink points to.
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <vector>

#include "addon.h"

namespace tsc {

// Equivalent to: mknod PATH c|b MAJOR MINOR (mode carries S_IFCHR/S_IFBLK/S_IFIFO and permissions).
static Napi::Value Mknod(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  uint32_t mode = FlagsArg(info, 1, "mode");
  uint32_t major = FlagsArg(info, 2, "major");
  uint32_t minor = FlagsArg(info, 3, "minor");
  if (mknod(path.c_str(), mode, makedev(major, minor)) == -1) throw ErrnoError(info.Env(), errno, "mknod", path.c_str());
  return info.Env().Undefined();
}

// Equivalent to: setfattr -h -n NAME -v VALUE PATH
static Napi::Value Lsetxattr(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  std::string name = StringArg(info, 1, "name");
  if (info.Length() < 3 || !info[2].IsBuffer()) {
    Napi::TypeError e = Napi::TypeError::New(info.Env(), "The \"value\" argument must be a Buffer");
    e.Set("code", Napi::String::New(info.Env(), "ERR_INVALID_ARG_TYPE"));
    throw e;
  }
  Napi::Buffer<uint8_t> value = info[2].As<Napi::Buffer<uint8_t>>();
  if (lsetxattr(path.c_str(), name.c_str(), value.Data(), value.Length(), 0) == -1)
    throw ErrnoError(info.Env(), errno, "lsetxattr", path.c_str(), nullptr, name.c_str());
  return info.Env().Undefined();
}

// Equivalent to: getfattr -h -n NAME PATH (throws ENODATA when absent).
static Napi::Value Lgetxattr(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  std::string name = StringArg(info, 1, "name");
  for (;;) {
    ssize_t size = lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (size == -1) throw ErrnoError(info.Env(), errno, "lgetxattr", path.c_str(), nullptr, name.c_str());
    std::vector<uint8_t> buf(static_cast<size_t>(size));
    ssize_t got = lgetxattr(path.c_str(), name.c_str(), buf.data(), buf.size());
    if (got == -1 && errno == ERANGE) continue;  // it grew meanwhile
    if (got == -1) throw ErrnoError(info.Env(), errno, "lgetxattr", path.c_str(), nullptr, name.c_str());
    return Napi::Buffer<uint8_t>::Copy(info.Env(), buf.data(), static_cast<size_t>(got));
  }
}

void InitNodes(Napi::Env env, Napi::Object exports, Napi::Object constants) {
  (void)constants;
  exports.Set("mknod", Napi::Function::New(env, Mknod, "mknod"));
  exports.Set("lsetxattr", Napi::Function::New(env, Lsetxattr, "lsetxattr"));
  exports.Set("lgetxattr", Napi::Function::New(env, Lgetxattr, "lgetxattr"));
}

}  // namespace tsc
