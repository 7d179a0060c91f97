// The cgroup v2 device allowlist: a BPF_PROG_TYPE_CGROUP_DEVICE program
// attached to the container's cgroup, what v1's devices.deny/devices.allow
// are on cgroup v1 (runc's libcontainer/cgroups/devices does the same).
//
// The program is generated from the rules, one block per rule, first match
// allows; nothing matched denies:
//
//   r2 = ctx->access_type & 0xffff     device type (1 block, 2 char)
//   r3 = ctx->access_type >> 16        access asked (1 mknod, 2 read, 4 write)
//   r4 = ctx->major; r5 = ctx->minor
//   per rule:  if r2 != TYPE goto next            (not for `a`)
//              r1 = r3; r1 &= ~ACCESS; if r1 != 0 goto next   (not for rwm)
//              if r4 != MAJOR goto next           (not for *)
//              if r5 != MINOR goto next           (not for *)
//              r0 = 1; exit
//   r0 = 0; exit
//
// A rule that matches everything (`a *:* rwm`) ends the program.
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "addon.h"

namespace tsc {

namespace {

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i;
  memset(&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

const int kAny = -1;
const uint32_t kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

struct Rule {
  int32_t type;  // BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_DEV_CHAR, or kAny (`a`)
  int32_t major;  // kAny: `*`
  int32_t minor;
  uint32_t access;  // BPF_DEVCG_ACC_* bits
};

// A conditional jump to the end of the block, patched once its length is known.
void JumpIfNot(std::vector<bpf_insn> &block, std::vector<size_t> &jumps, uint8_t reg, int32_t value) {
  jumps.push_back(block.size());
  block.push_back(Insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, value));
}

std::vector<bpf_insn> Program(const std::vector<Rule> &rules) {
  std::vector<bpf_insn> p = {
      Insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0),  // r2 = access_type
      Insn(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff),
      Insn(BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0),  // r3 = access_type >> 16
      Insn(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16),
      Insn(BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0),  // r4 = major
      Insn(BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0),  // r5 = minor
  };
  for (const Rule &r : rules) {
    std::vector<bpf_insn> block;
    std::vector<size_t> jumps;
    if (r.type != kAny) JumpIfNot(block, jumps, 2, r.type);
    if ((r.access & kAllAccess) != kAllAccess) {
      block.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_X, 1, 3, 0, 0));
      block.push_back(Insn(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, static_cast<int32_t>(~r.access & kAllAccess)));
      JumpIfNot(block, jumps, 1, 0);
    }
    if (r.major != kAny) JumpIfNot(block, jumps, 4, r.major);
    if (r.minor != kAny) JumpIfNot(block, jumps, 5, r.minor);
    block.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1));
    block.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    for (size_t j : jumps) block[j].off = static_cast<int16_t>(block.size() - j - 1);
    p.insert(p.end(), block.begin(), block.end());
    // `a *:* rwm` allows everything: what follows could never run, and the verifier refuses unreachable code.
    if (jumps.empty()) return p;
  }
  p.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
  p.push_back(Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return p;
}

int Bpf(int cmd, bpf_attr *attr) { return static_cast<int>(syscall(SYS_bpf, cmd, attr, sizeof *attr)); }

// bpf(BPF_PROG_LOAD) of a device program; -1 and errno on failure, with the
// verifier's words in `log` when it refused the program.
int Load(const std::vector<bpf_insn> &insns, std::string *log) {
  static const char license[] = "GPL";
  std::vector<char> buf(log ? 16384 : 0);
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uintptr_t>(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(insns.size());
  attr.license = reinterpret_cast<uintptr_t>(license);
  if (log) {
    attr.log_buf = reinterpret_cast<uintptr_t>(buf.data());
    attr.log_size = static_cast<uint32_t>(buf.size());
    attr.log_level = 1;
  }
  int fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0 && log) *log = std::string(buf.data(), strnlen(buf.data(), buf.size()));
  return fd;
}

// Whether this kernel loads cgroup device programs (CONFIG_CGROUP_BPF): a
// program that allows everything is loaded and closed, never attached.
Napi::Value DeviceFilterSupported(const Napi::CallbackInfo &info) {
  int fd = Load(Program({{kAny, kAny, kAny, kAllAccess}}), nullptr);
  if (fd >= 0) close(fd);
  return Napi::Boolean::New(info.Env(), fd >= 0);
}

// attachDeviceFilter(cgroupDir, rules): rules is an Int32Array of
// [type, major, minor, access] quadruples (-1 for `a` and `*`).
// Equivalent to what runc does for a cgroup v2 container: bpftool prog load
// FILTER.o; bpftool cgroup attach CGROUP device pinned FILTER multi
Napi::Value AttachDeviceFilter(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string dir = StringArg(info, 0, "cgroupDir");
  if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    Napi::TypeError e = Napi::TypeError::New(env, "The \"rules\" argument must be an Int32Array");
    e.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
    throw e;
  }
  Napi::Int32Array flat = info[1].As<Napi::Int32Array>();
  if (flat.ElementLength() % 4 != 0) throw ErrnoError(env, EINVAL, "bpf", dir.c_str(), nullptr, "rules are [type, major, minor, access] quadruples");
  std::vector<Rule> rules;
  for (size_t i = 0; i < flat.ElementLength(); i += 4)
    rules.push_back({flat[i], flat[i + 1], flat[i + 2], static_cast<uint32_t>(flat[i + 3])});
  std::vector<bpf_insn> insns = Program(rules);
  int prog = Load(insns, nullptr);
  if (prog < 0) {
    int err = errno;
    // Again with the verifier's log, for the error (logging makes a load 5x slower: only on failure).
    std::string log;
    Load(insns, &log);
    throw ErrnoError(env, err, "bpf", dir.c_str(), nullptr, log.empty() ? "BPF_PROG_LOAD of the device program" : log.c_str());
  }
  int cgroup = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup < 0) {
    int err = errno;
    close(prog);
    throw ErrnoError(env, err, "open", dir.c_str());
  }
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog);
  attr.attach_type = BPF_CGROUP_DEVICE;
  // Several programs may hold on one cgroup (an ancestor's, systemd's): each must allow.
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  int rc = Bpf(BPF_PROG_ATTACH, &attr);
  int err = errno;
  close(cgroup);
  close(prog);  // the attachment holds the program until the cgroup is removed
  if (rc < 0) throw ErrnoError(env, err, "bpf", dir.c_str(), nullptr, "BPF_PROG_ATTACH of the device program");
  return env.Undefined();
}

}  // namespace

void InitDeviceFilter(Napi::Env env, Napi::Object exports, Napi::Object constants) {
  (void)constants;
  exports.Set("deviceFilterSupported", Napi::Function::New(env, DeviceFilterSupported, "deviceFilterSupported"));
  exports.Set("attachDeviceFilter", Napi::Function::New(env, AttachDeviceFilter, "attachDeviceFilter"));
}

}  // namespace tsc
