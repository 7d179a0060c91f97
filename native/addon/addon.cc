// Module entry point: registers each group's functions and constants.
#include "addon.h"

namespace tsc {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Object constants = Napi::Object::New(env);
  InitNamespaces(env, exports, constants);
  InitMounts(env, exports, constants);
  InitLocks(env, exports, constants);
  InitPidfd(env, exports, constants);
  InitFiles(env, exports, constants);
  InitNodes(env, exports, constants);
  InitDeviceFilter(env, exports, constants);
  InitQuota(env, exports, constants);
  constants.Freeze();
  exports.Set("constants", constants);
  return exports;
}

}  // namespace tsc

// The macro pastes its argument into identifiers: it needs a plain name.
static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return tsc::Init(env, exports); }
NODE_API_MODULE(tscompose, InitModule)
