// Errors shaped like Node's: libuv names and messages (the same tables Node
// uses for node:fs errors), negative errno, syscall, path and dest.
#include <string.h>
#include <uv.h>

#include "addon.h"

namespace tsc {

Napi::Error ErrnoError(Napi::Env env, int err, const char *syscall, const char *path,
                       const char *dest, const char *why) {
  char code[64];
  char desc[256];
  uv_err_name_r(-err, code, sizeof code);
  uv_strerror_r(-err, desc, sizeof desc);
  // libuv only knows the errnos it maps; fall back to glibc's names for others.
  if (strncmp(code, "Unknown", 7) == 0) {
    const char *name = strerrorname_np(err);
    snprintf(code, sizeof code, "%s", name ? name : "UNKNOWN");
    snprintf(desc, sizeof desc, "%s", strerror(err));
  }
  std::string message = std::string(code) + ": " + desc + ", " + syscall;
  if (path) message += std::string(" '") + path + "'";
  if (dest) message += std::string(" -> '") + dest + "'";
  if (why) message += std::string(" (") + why + ")";

  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("code", Napi::String::New(env, code));
  error.Set("syscall", Napi::String::New(env, syscall));
  if (path) error.Set("path", Napi::String::New(env, path));
  if (dest) error.Set("dest", Napi::String::New(env, dest));
  return error;
}

}  // namespace tsc
