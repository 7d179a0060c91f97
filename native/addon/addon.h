// Shared declarations of the tscompose N-API addon.
//
// Every exported function wraps one syscall (or close to it), runs
// synchronously on the calling (main) thread and throws errors shaped like
// Node's own: Error{message, errno (negative), code, syscall, path?, dest?}.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

namespace tsc {

// An Error like the ones node:fs throws, for `err` (a positive errno):
//   "EINVAL: invalid argument, mount '/a' -> '/b'"
// `why` is appended in parentheses when the refusal is ours, not the kernel's.
Napi::Error ErrnoError(Napi::Env env, int err, const char *syscall,
                       const char *path = nullptr, const char *dest = nullptr,
                       const char *why = nullptr);

// Argument checks: throw TypeError{code: 'ERR_INVALID_ARG_TYPE'} like Node.
int32_t IntArg(const Napi::CallbackInfo &info, size_t i, const char *name);
uint32_t FlagsArg(const Napi::CallbackInfo &info, size_t i, const char *name);
std::string StringArg(const Napi::CallbackInfo &info, size_t i, const char *name);
std::optional<std::string> OptionalStringArg(const Napi::CallbackInfo &info, size_t i, const char *name);

void InitNamespaces(Napi::Env env, Napi::Object exports, Napi::Object constants);
void InitMounts(Napi::Env env, Napi::Object exports, Napi::Object constants);
void InitLocks(Napi::Env env, Napi::Object exports, Napi::Object constants);
void InitPidfd(Napi::Env env, Napi::Object exports, Napi::Object constants);
void InitFiles(Napi::Env env, Napi::Object exports, Napi::Object constants);
void InitNodes(Napi::Env env, Napi::Object exports, Napi::Object constants);
void InitDeviceFilter(Napi::Env env, Napi::Object exports, Napi::Object constants);
void InitQuota(Napi::Env env, Napi::Object exports, Napi::Object constants);

}  // namespace tsc
