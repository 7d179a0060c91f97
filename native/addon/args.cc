// Argument validation, with Node's error code for a wrong argument type.
#include <cmath>

#include "addon.h"

namespace tsc {

[[noreturn]] static void ThrowArgType(Napi::Env env, const char *name, const char *expected) {
  Napi::TypeError error =
      Napi::TypeError::New(env, std::string("The \"") + name + "\" argument must be " + expected);
  error.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  throw error;
}

static double IntegerArg(const Napi::CallbackInfo &info, size_t i, const char *name) {
  if (i >= info.Length() || !info[i].IsNumber()) ThrowArgType(info.Env(), name, "an integer");
  double value = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || std::trunc(value) != value) ThrowArgType(info.Env(), name, "an integer");
  return value;
}

int32_t IntArg(const Napi::CallbackInfo &info, size_t i, const char *name) {
  double value = IntegerArg(info, i, name);
  if (value < INT32_MIN || value > INT32_MAX) ThrowArgType(info.Env(), name, "a 32-bit integer");
  return static_cast<int32_t>(value);
}

// Flags may arrive as a negative int32 when bit 31 was set with JS `|`.
uint32_t FlagsArg(const Napi::CallbackInfo &info, size_t i, const char *name) {
  double value = IntegerArg(info, i, name);
  if (value < INT32_MIN || value > UINT32_MAX) ThrowArgType(info.Env(), name, "a 32-bit flag set");
  return value < 0 ? static_cast<uint32_t>(static_cast<int32_t>(value)) : static_cast<uint32_t>(value);
}

std::string StringArg(const Napi::CallbackInfo &info, size_t i, const char *name) {
  if (i >= info.Length() || !info[i].IsString()) ThrowArgType(info.Env(), name, "a string");
  std::string value = info[i].As<Napi::String>().Utf8Value();
  if (value.find('\0') != std::string::npos) ThrowArgType(info.Env(), name, "a string without NUL bytes");
  return value;
}

std::optional<std::string> OptionalStringArg(const Napi::CallbackInfo &info, size_t i, const char *name) {
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined()) return std::nullopt;
  if (!info[i].IsString()) ThrowArgType(info.Env(), name, "a string or null");
  return StringArg(info, i, name);
}

}  // namespace tsc
