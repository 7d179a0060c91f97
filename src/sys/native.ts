/**
 * The native addon (native/addon, built as native/build/Release/tscompose.node)
 * and the path of the shim executable. Loaded lazily: importing this module
 * never fails; the first use does, with "native addon not built: run npm run
 * build:native", when the build is missing.
 *
 * Every function is one syscall (or close to it), synchronous, on the main
 * thread, and throws errors shaped like node:fs ones:
 *   Error { message: "EINVAL: invalid argument, mount '/a' -> '/b'",
 *           errno: -22, code: 'EINVAL', syscall: 'mount', path: '/a', dest: '/b' }
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface NativeConstants {
  readonly CLONE_NEWNET: number;
  readonly CLONE_NEWNS: number;
  readonly CLONE_NEWUTS: number;
  readonly CLONE_NEWIPC: number;
  readonly CLONE_NEWPID: number;
  readonly CLONE_NEWCGROUP: number;
  readonly CLONE_NEWUSER: number;
  readonly CLONE_NEWTIME: number;
  readonly MS_RDONLY: number;
  readonly MS_NOSUID: number;
  readonly MS_NODEV: number;
  readonly MS_NOEXEC: number;
  readonly MS_REMOUNT: number;
  readonly MS_NOATIME: number;
  readonly MS_NODIRATIME: number;
  readonly MS_RELATIME: number;
  readonly MS_STRICTATIME: number;
  readonly MS_BIND: number;
  readonly MS_MOVE: number;
  readonly MS_REC: number;
  readonly MS_PRIVATE: number;
  readonly MS_SLAVE: number;
  readonly MS_SHARED: number;
  readonly MS_UNBINDABLE: number;
  readonly MNT_FORCE: number;
  readonly MNT_DETACH: number;
  readonly MNT_EXPIRE: number;
  readonly UMOUNT_NOFOLLOW: number;
  readonly LOCK_SH: number;
  readonly LOCK_EX: number;
  readonly LOCK_NB: number;
  readonly LOCK_UN: number;
  readonly PIDFD_NONBLOCK: number;
}

/** The addon as built (see native/addon/*.cc). */
interface Addon {
  unshare(flags: number): void;
  setns(fd: number, nstype: number): void;
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  flock(fd: number, operation: number): void;
  pidfdOpen(pid: number, flags?: number): number;
  pidfdSendSignal(pidfd: number, signal: number): void;
  openInRoot(root: string, path: string): number;
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer;
  deviceFilterSupported(): boolean;
  attachDeviceFilter(cgroupDir: string, rules: Int32Array): void;
  getProjectId(path: string): ProjectIdOf;
  setProjectId(path: string, projectId: number, inherit: boolean): void;
  setProjectLimit(path: string, projectId: number, bytes: number): void;
  getProjectQuota(path: string, projectId: number): ProjectQuota;
  constants: NativeConstants;
}

export interface Native {
  /**
   * unshare(2) for the calling (main) thread. Only CLONE_NEWNET is accepted
   * (anything else throws EINVAL): Node is multithreaded, and only the network
   * namespace is per thread.
   */
  unshare(flags: number): void;
  /** setns(2) for the main thread; nstype must be CLONE_NEWNET (0 is refused too). */
  setns(fd: number, nstype: number): void;
  /** mount(2). Errors carry `path` = source and `dest` = target (or `path` = target without a source). */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data?: string | null): void;
  /** umount2(2), e.g. with MNT_DETACH. */
  umount2(target: string, flags?: number): void;
  /**
   * flock(2). With LOCK_NB a held lock throws code 'EAGAIN' (== EWOULDBLOCK on
   * Linux; 'EAGAIN' is libuv's and Node's name). Without LOCK_NB it blocks the
   * event loop until granted.
   */
  flock(fd: number, operation: number): void;
  /** pidfd_open(2): an fd (O_CLOEXEC) for PID; close it with fs.closeSync. */
  pidfdOpen(pid: number, flags?: number): number;
  /** pidfd_send_signal(2); signal 0 probes (ESRCH once the process has exited). */
  pidfdSendSignal(pidfd: number, signal: number | NodeJS.Signals): void;
  /**
   * Open PATH read-only inside the directory ROOT as if ROOT were "/"
   * (openat2 RESOLVE_IN_ROOT): a container's /etc/passwd, whatever its
   * symlinks say. Returns an O_CLOEXEC, O_NONBLOCK fd (a FIFO does not
   * block the open); close it with fs.closeSync.
   */
  openInRoot(root: string, path: string): number;
  /** mknod(2): MODE carries the type (S_IFCHR, S_IFBLK, S_IFIFO) and permissions. */
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** lsetxattr(2) on the entry itself (a symlink is not followed). */
  lsetxattr(path: string, name: string, value: Buffer): void;
  /** lgetxattr(2); throws ENODATA when the attribute is absent. */
  lgetxattr(path: string, name: string): Buffer;
  /** Whether the kernel loads cgroup device programs (BPF_PROG_TYPE_CGROUP_DEVICE, CONFIG_CGROUP_BPF). */
  deviceFilterSupported(): boolean;
  /**
   * Loads a device allowlist program and attaches it to the cgroup v2
   * directory (BPF_F_ALLOW_MULTI). RULES: [type, major, minor, access]
   * quadruples, -1 for `a` and `*` (sys/cgroup/device-filter.ts).
   */
  attachDeviceFilter(cgroupDir: string, rules: Int32Array): void;
  /** FS_IOC_FSGETXATTR on a directory: its project ID and whether new entries inherit it (FS_XFLAG_PROJINHERIT). */
  getProjectId(path: string): ProjectIdOf;
  /** FS_IOC_FSSETXATTR on a directory: its project ID, and FS_XFLAG_PROJINHERIT set (inherit) or cleared. */
  setProjectId(path: string, projectId: number, inherit: boolean): void;
  /** quotactl_fd(Q_XSETQLIM, PRJQUOTA) on the filesystem of PATH: the hard block limit of the project (0: none). */
  setProjectLimit(path: string, projectId: number, bytes: number): void;
  /** quotactl_fd(Q_XGETQUOTA, PRJQUOTA): the project's hard limit and usage on the filesystem of PATH. */
  getProjectQuota(path: string, projectId: number): ProjectQuota;
  readonly constants: NativeConstants;
  /** Absolute path of the shim executable (native/build/Release/tsc-shim). */
  readonly shimPath: string;
}

export interface ProjectIdOf {
  projectId: number;
  inherit: boolean;
}

export interface ProjectQuota {
  hardBytes: number;
  usedBytes: number;
}

export const NOT_BUILT = 'native addon not built: run npm run build:native';

/**
 * The repository root: the nearest ancestor with native/binding.gyp, so this
 * works from src/sys/ (ts-node) and from dist/src/sys/ alike.
 */
export function findRepoRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'native', 'binding.gyp'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`${NOT_BUILT} (no native/binding.gyp above ${start})`);
  }
}

/** native/build/Release; computed without throwing, so that importing never fails. */
function releaseDir(): string {
  let root: string;
  try {
    root = findRepoRoot();
  } catch {
    root = path.resolve(__dirname, '..', '..');
  }
  return path.join(root, 'native', 'build', 'Release');
}

/** Absolute path of the shim executable (native/build/Release/tsc-shim); it may not be built yet. */
export const shimPath: string = path.join(releaseDir(), 'tsc-shim');

let loaded: Addon | undefined;
function addon(): Addon {
  if (!loaded) {
    const file = path.join(releaseDir(), 'tscompose.node');
    if (!fs.existsSync(file)) throw new Error(`${NOT_BUILT} (missing ${file})`);
    loaded = require(file) as Addon;
  }
  return loaded;
}

function signalNumber(signal: number | NodeJS.Signals): number {
  if (typeof signal === 'number') return signal;
  const n = os.constants.signals[signal];
  if (n === undefined) throw new TypeError(`unknown signal ${signal}`);
  return n;
}

export const native: Native = {
  unshare: (flags) => addon().unshare(flags),
  setns: (fd, nstype) => addon().setns(fd, nstype),
  mount: (source, target, fstype, flags, data = null) => addon().mount(source, target, fstype, flags, data),
  umount2: (target, flags = 0) => addon().umount2(target, flags),
  flock: (fd, operation) => addon().flock(fd, operation),
  pidfdOpen: (pid, flags = 0) => addon().pidfdOpen(pid, flags),
  pidfdSendSignal: (pidfd, signal) => addon().pidfdSendSignal(pidfd, signalNumber(signal)),
  openInRoot: (root, file) => openInRootRetrying(root, file),
  mknod: (file, mode, major, minor) => addon().mknod(file, mode, major, minor),
  lsetxattr: (file, name, value) => addon().lsetxattr(file, name, value),
  lgetxattr: (file, name) => addon().lgetxattr(file, name),
  deviceFilterSupported: () => addon().deviceFilterSupported(),
  attachDeviceFilter: (dir, rules) => addon().attachDeviceFilter(dir, rules),
  getProjectId: (dir) => addon().getProjectId(dir),
  setProjectId: (dir, id, inherit) => addon().setProjectId(dir, id, inherit),
  setProjectLimit: (dir, id, bytes) => addon().setProjectLimit(dir, id, bytes),
  getProjectQuota: (dir, id) => addon().getProjectQuota(dir, id),
  get constants() {
    return addon().constants;
  },
  shimPath,
};

/**
 * openat2 RESOLVE_IN_ROOT fails with EAGAIN when a rename or a mount anywhere
 * on the machine raced its walk through `..` (openat2(2): "the caller should
 * retry"); under parallel mounts (other containers starting) that happens.
 */
function openInRootRetrying(root: string, file: string): number {
  for (let attempt = 1; ; attempt++) {
    try {
      return addon().openInRoot(root, file);
    } catch (e: any) {
      if (e?.code !== 'EAGAIN' || attempt >= 100) throw e;
    }
  }
}

/** The main thread's own network namespace file. */
const THREAD_NETNS = '/proc/thread-self/ns/net';

/**
 * Run `fn` with the main thread inside the network namespace `nsFd`, then
 * switch back, even if `fn` throws. For creating sockets there (they stay in
 * the namespace they were created in): `fn` must be synchronous and must not
 * start threads, because a thread created meanwhile (the libuv threadpool on
 * its first use: fs callbacks, dns.lookup, crypto, zlib) would be born, and
 * stay, in that namespace.
 */
export function inNetns<T>(nsFd: number, fn: () => T): T {
  const { CLONE_NEWNET } = native.constants;
  const home = fs.openSync(THREAD_NETNS, 'r');
  try {
    native.setns(nsFd, CLONE_NEWNET);
    let result: T;
    try {
      result = fn();
    } finally {
      native.setns(home, CLONE_NEWNET);
    }
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      throw new TypeError('inNetns: fn must be synchronous (it returned a promise)');
    }
    return result;
  } finally {
    fs.closeSync(home);
  }
}

/** What readFileInRoot reads at most: a passwd or group file is far smaller. */
export const MAX_FILE_IN_ROOT = 4 * 1024 * 1024;

/**
 * The text of PATH inside ROOT (see openInRoot); undefined if it does not
 * exist there. A container controls these files: anything but a regular
 * file (a FIFO would block the caller forever) or one over
 * MAX_FILE_IN_ROOT is refused with an error naming it.
 */
export function readFileInRoot(root: string, file: string): string | undefined {
  let fd: number;
  try {
    fd = native.openInRoot(root, file);
  } catch (e: any) {
    if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return undefined;
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error(`${file} in ${root} is not a regular file`);
    if (st.size > MAX_FILE_IN_ROOT) throw new Error(`${file} in ${root} is larger than ${MAX_FILE_IN_ROOT} bytes`);
    const buf = Buffer.alloc(MAX_FILE_IN_ROOT + 1);
    let len = 0;
    for (let n; len < buf.length && (n = fs.readSync(fd, buf, len, buf.length - len, null)) > 0; ) len += n;
    if (len > MAX_FILE_IN_ROOT) throw new Error(`${file} in ${root} is larger than ${MAX_FILE_IN_ROOT} bytes`);
    return buf.toString('utf8', 0, len);
  } finally {
    fs.closeSync(fd);
  }
}
