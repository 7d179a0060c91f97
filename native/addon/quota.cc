// Project quotas, for `storage_opt.size` (as Docker's overlay2 and podman's
// containers/storage do): a directory tagged with a project ID whose new
// entries inherit it, and a hard block limit for that ID on its filesystem.
// XFS keeps the accounting; only a filesystem mounted with prjquota enforces.
// quotactl_fd(2) (Linux 5.14) takes any open file of the filesystem, so no
// block device node is needed (Docker mknods one).
#include <errno.h>
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/quota.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmath>

#include "addon.h"

namespace tsc {

namespace {

// An O_DIRECTORY fd of PATH (a symlink is not followed), closed on scope exit.
struct Dir {
  int fd;
  explicit Dir(const std::string &path) : fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) {}
  ~Dir() {
    if (fd >= 0) close(fd);
  }
};

uint32_t ProjectIdArg(const Napi::CallbackInfo &info, size_t i) {
  return FlagsArg(info, i, "projectId");
}

int QuotactlFd(int fd, unsigned int cmd, uint32_t id, void *addr) {
  return static_cast<int>(syscall(SYS_quotactl_fd, fd, cmd, id, addr));
}

}  // namespace

// Equivalent to: xfs_io -c lsproj -c lsattr DIR
// Returns {projectId, inherit} (inherit: FS_XFLAG_PROJINHERIT).
static Napi::Value GetProjectId(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  Dir dir(path);
  if (dir.fd < 0) throw ErrnoError(info.Env(), errno, "open", path.c_str());
  struct fsxattr fa = {};
  if (ioctl(dir.fd, FS_IOC_FSGETXATTR, &fa) == -1) throw ErrnoError(info.Env(), errno, "ioctl", path.c_str(), nullptr, "FS_IOC_FSGETXATTR");
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("projectId", Napi::Number::New(info.Env(), fa.fsx_projid));
  out.Set("inherit", Napi::Boolean::New(info.Env(), (fa.fsx_xflags & FS_XFLAG_PROJINHERIT) != 0));
  return out;
}

// Equivalent to: xfs_quota -x -c 'project -s -p DIR ID' MOUNT (for DIR itself;
// with inherit, what is made inside it later gets ID); ID 0 without inherit
// is `project -C -p DIR ID`.
static Napi::Value SetProjectId(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  uint32_t id = ProjectIdArg(info, 1);
  bool inherit = info.Length() > 2 && info[2].ToBoolean().Value();
  Dir dir(path);
  if (dir.fd < 0) throw ErrnoError(info.Env(), errno, "open", path.c_str());
  struct fsxattr fa = {};
  if (ioctl(dir.fd, FS_IOC_FSGETXATTR, &fa) == -1) throw ErrnoError(info.Env(), errno, "ioctl", path.c_str(), nullptr, "FS_IOC_FSGETXATTR");
  fa.fsx_projid = id;
  if (inherit)
    fa.fsx_xflags |= FS_XFLAG_PROJINHERIT;
  else
    fa.fsx_xflags &= ~static_cast<uint32_t>(FS_XFLAG_PROJINHERIT);
  if (ioctl(dir.fd, FS_IOC_FSSETXATTR, &fa) == -1) throw ErrnoError(info.Env(), errno, "ioctl", path.c_str(), nullptr, "FS_IOC_FSSETXATTR");
  return info.Env().Undefined();
}

// Equivalent to: xfs_quota -x -c 'limit -p bhard=BYTES ID' MOUNT (MOUNT: the
// filesystem PATH is on; 0 removes the limit). Bytes are rounded up to the
// 512-byte basic blocks the limit is counted in.
static Napi::Value SetProjectLimit(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  uint32_t id = ProjectIdArg(info, 1);
  if (info.Length() < 3 || !info[2].IsNumber() || !(info[2].As<Napi::Number>().DoubleValue() >= 0)) {
    Napi::TypeError e = Napi::TypeError::New(info.Env(), "The \"bytes\" argument must be a number >= 0");
    e.Set("code", Napi::String::New(info.Env(), "ERR_INVALID_ARG_TYPE"));
    throw e;
  }
  double bytes = info[2].As<Napi::Number>().DoubleValue();
  Dir dir(path);
  if (dir.fd < 0) throw ErrnoError(info.Env(), errno, "open", path.c_str());
  struct fs_disk_quota q = {};
  q.d_version = FS_DQUOT_VERSION;
  q.d_flags = FS_PROJ_QUOTA;
  q.d_id = id;
  q.d_fieldmask = FS_DQ_BHARD | FS_DQ_BSOFT;
  q.d_blk_hardlimit = static_cast<__u64>(std::ceil(bytes / 512));
  q.d_blk_softlimit = 0;
  if (QuotactlFd(dir.fd, QCMD(Q_XSETQLIM, PRJQUOTA), id, &q) == -1)
    throw ErrnoError(info.Env(), errno, "quotactl_fd", path.c_str(), nullptr, "Q_XSETQLIM");
  return info.Env().Undefined();
}

// Equivalent to: xfs_quota -x -c 'quota -p -b ID' MOUNT
// Returns {hardBytes, usedBytes}; throws ENOENT when the ID has neither.
static Napi::Value GetProjectQuota(const Napi::CallbackInfo &info) {
  std::string path = StringArg(info, 0, "path");
  uint32_t id = ProjectIdArg(info, 1);
  Dir dir(path);
  if (dir.fd < 0) throw ErrnoError(info.Env(), errno, "open", path.c_str());
  struct fs_disk_quota q = {};
  if (QuotactlFd(dir.fd, QCMD(Q_XGETQUOTA, PRJQUOTA), id, &q) == -1)
    throw ErrnoError(info.Env(), errno, "quotactl_fd", path.c_str(), nullptr, "Q_XGETQUOTA");
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("hardBytes", Napi::Number::New(info.Env(), static_cast<double>(q.d_blk_hardlimit) * 512));
  out.Set("usedBytes", Napi::Number::New(info.Env(), static_cast<double>(q.d_bcount) * 512));
  return out;
}

void InitQuota(Napi::Env env, Napi::Object exports, Napi::Object constants) {
  (void)constants;
  exports.Set("getProjectId", Napi::Function::New(env, GetProjectId, "getProjectId"));
  exports.Set("setProjectId", Napi::Function::New(env, SetProjectId, "setProjectId"));
  exports.Set("setProjectLimit", Napi::Function::New(env, SetProjectLimit, "setProjectLimit"));
  exports.Set("getProjectQuota", Napi::Function::New(env, GetProjectQuota, "getProjectQuota"));
}

}  // namespace tsc
