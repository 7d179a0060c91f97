// mount(2) and umount2(2), as they are: the caller composes them.
#include <errno.h>
#include <sys/mount.h>

#include "addon.h"

namespace tsc {

// Equivalent to: mount [-t FSTYPE] [-o DATA] SOURCE TARGET (flags as MS_*)
static Napi::Value Mount(const Napi::CallbackInfo &info) {
  std::optional<std::string> source = OptionalStringArg(info, 0, "source");
  std::string target = StringArg(info, 1, "target");
  std::optional<std::string> fstype = OptionalStringArg(info, 2, "fstype");
  uint32_t flags = FlagsArg(info, 3, "flags");
  std::optional<std::string> data = OptionalStringArg(info, 4, "data");
  if (mount(source ? source->c_str() : nullptr, target.c_str(), fstype ? fstype->c_str() : nullptr,
            flags, data ? data->c_str() : nullptr) == -1) {
    int err = errno;
    // Like fs.rename: path -> dest when there are two paths.
    if (source) throw ErrnoError(info.Env(), err, "mount", source->c_str(), target.c_str());
    throw ErrnoError(info.Env(), err, "mount", target.c_str());
  }
  return info.Env().Undefined();
}

// Equivalent to: umount [-l] TARGET (MNT_DETACH = -l)
static Napi::Value Umount2(const Napi::CallbackInfo &info) {
  std::string target = StringArg(info, 0, "target");
  uint32_t flags = FlagsArg(info, 1, "flags");
  if (umount2(target.c_str(), static_cast<int>(flags)) == -1)
    throw ErrnoError(info.Env(), errno, "umount2", target.c_str());
  return info.Env().Undefined();
}

void InitMounts(Napi::Env env, Napi::Object exports, Napi::Object constants) {
  exports.Set("mount", Napi::Function::New(env, Mount, "mount"));
  exports.Set("umount2", Napi::Function::New(env, Umount2, "umount2"));
  // JS numbers: MS_NOUSER (bit 31) is left out on purpose.
  constants.Set("MS_RDONLY", Napi::Number::New(env, MS_RDONLY));
  constants.Set("MS_NOSUID", Napi::Number::New(env, MS_NOSUID));
  constants.Set("MS_NODEV", Napi::Number::New(env, MS_NODEV));
  constants.Set("MS_NOEXEC", Napi::Number::New(env, MS_NOEXEC));
  constants.Set("MS_REMOUNT", Napi::Number::New(env, MS_REMOUNT));
  constants.Set("MS_NOATIME", Napi::Number::New(env, MS_NOATIME));
  constants.Set("MS_NODIRATIME", Napi::Number::New(env, MS_NODIRATIME));
  constants.Set("MS_RELATIME", Napi::Number::New(env, MS_RELATIME));
  constants.Set("MS_STRICTATIME", Napi::Number::New(env, MS_STRICTATIME));
  constants.Set("MS_BIND", Napi::Number::New(env, MS_BIND));
  constants.Set("MS_MOVE", Napi::Number::New(env, MS_MOVE));
  constants.Set("MS_REC", Napi::Number::New(env, MS_REC));
  constants.Set("MS_PRIVATE", Napi::Number::New(env, MS_PRIVATE));
  constants.Set("MS_SLAVE", Napi::Number::New(env, MS_SLAVE));
  constants.Set("MS_SHARED", Napi::Number::New(env, MS_SHARED));
  constants.Set("MS_UNBINDABLE", Napi::Number::New(env, MS_UNBINDABLE));
  constants.Set("MNT_FORCE", Napi::Number::New(env, MNT_FORCE));
  constants.Set("MNT_DETACH", Napi::Number::New(env, MNT_DETACH));
  constants.Set("MNT_EXPIRE", Napi::Number::New(env, MNT_EXPIRE));
  constants.Set("UMOUNT_NOFOLLOW", Napi::Number::New(env, UMOUNT_NOFOLLOW));
}

}  // namespace tsc
