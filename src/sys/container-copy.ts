/**
 * `cp` between the host and a running container, with every path on the
 * container's side resolved inside its root (the `docker cp` CVE class:
 * CVE-2019-14271, CVE-2018-15664): the user's path is opened with openat2
 * RESOLVE_IN_ROOT from /proc/PID/root (its mount namespace's root, so its
 * volumes are there too), where "..", "/" and absolute symlinks stop at the
 * container's root. From that directory fd on, every step is one name
 * (from readdir, or a basename that is neither "." nor ".."), reached as
 * /proc/self/fd/FD/NAME with O_NOFOLLOW: a symlink the container puts (or
 * swaps) in the tree is copied as a symlink, or refused (ELOOP), never
 * followed to the host.
 *
 * Equivalent to: nsenter -t PID -m tar -C / -c SRC | tar -x -C DEST, with
 * the container's symlinks resolved as the container would resolve them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from './native';

const { O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fs.constants;

/** What one copy did: entries written (files, directories, symlinks) and file bytes. */
export interface CopyStats {
  entries: number;
  bytes: number;
}

export const at = (dirFd: number, name: string) => `/proc/self/fd/${dirFd}/${name}`;

export function checkName(name: string, what: string): void {
  if (!name || name === '.' || name === '..' || name.includes('/')) throw Object.assign(new Error(`${what}: ${JSON.stringify(name)} names no entry`), { code: 'EINVAL' });
}

/** Copies the bytes of fd `from` to fd `to`. */
function copyBytes(from: number, to: number): number {
  const buf = Buffer.allocUnsafe(1 << 16);
  let total = 0;
  for (let n; (n = fs.readSync(from, buf, 0, buf.length, null)) > 0; ) {
    for (let off = 0; off < n; ) off += fs.writeSync(to, buf, off, n - off);
    total += n;
  }
  return total;
}

/** Where the copy lands: the directory fd it goes in and the name it gets. */
interface Landing {
  dirFd: number;
  name: string;
}

/** Runs `fn` with `fd`, and closes it. */
export function withFd<T>(fd: number, fn: (fd: number) => T): T {
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The root of a container's mount namespace as a path that stays that
 * directory (/proc/self/fd/N of an fd opened on /proc/PID/root), checked
 * after the open to still be the container's process (`isOurs`: pid and
 * start time), so a pid reused meanwhile can never lend us another root.
 * Call `close` when done.
 */
export function pinContainerRoot(pid: number, isOurs: () => boolean): { root: string; close(): void } {
  const fd = fs.openSync(`/proc/${pid}/root`, O_RDONLY | O_DIRECTORY);
  if (!isOurs()) {
    fs.closeSync(fd);
    throw Object.assign(new Error(`process ${pid} exited: the container is not running`), { code: 'ESRCH' });
  }
  return { root: `/proc/self/fd/${fd}`, close: () => fs.closeSync(fd) };
}

// ---------------------------------------------------------------- out of the container

/** Copies the entry `name` of container directory `dirFd` to host path `dest` (which must not exist). */
function copyOutEntry(dirFd: number, name: string, dest: string, stats: CopyStats): void {
  const st = fs.lstatSync(at(dirFd, name));
  if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(at(dirFd, name)), dest);
  } else if (st.isDirectory()) {
    const fd = fs.openSync(at(dirFd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    withFd(fd, (sub) => copyOutDir(sub, dest, st.mode, stats));
    return;
  } else if (st.isFile()) {
    const fd = fs.openSync(at(dirFd, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    withFd(fd, (src) => copyOutFile(src, dest, stats));
  } else {
    // Devices, FIFOs and sockets are not copied (as docker cp copies them through tar, we skip them: reading a FIFO would block).
    return;
  }
  stats.entries++;
}

function copyOutFile(src: number, dest: string, stats: CopyStats): void {
  const st = fs.fstatSync(src);
  if (!st.isFile()) throw Object.assign(new Error(`${dest}: the container changed the entry while it was copied`), { code: 'EAGAIN' });
  const out = fs.openSync(dest, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, st.mode & 0o7777);
  withFd(out, (o) => {
    stats.bytes += copyBytes(src, o);
    fs.fchmodSync(o, st.mode & 0o7777);
    fs.futimesSync(o, st.atime, st.mtime);
  });
}

function copyOutDir(src: number, dest: string, mode: number, stats: CopyStats): void {
  if (!fs.existsSync(dest)) fs.mkdirSync(dest, { mode: mode & 0o7777 });
  stats.entries++;
  for (const name of fs.readdirSync(`/proc/self/fd/${src}`).sort()) copyOutEntry(src, name, path.join(dest, name), stats);
}

/**
 * `cp SERVICE:SRC DEST`: SRC resolved in `root` (/proc/PID/root); DEST a
 * host path: an existing directory receives SRC's last name, otherwise
 * DEST is the copy's name, as cp(1) and docker cp do.
 */
export function copyFromContainer(root: string, src: string, dest: string): CopyStats {
  const stats: CopyStats = { entries: 0, bytes: 0 };
  const base = path.posix.basename(path.posix.resolve('/', src));
  const srcParent = base ? path.posix.dirname(path.posix.resolve('/', src)) : '/';
  const target = fs.existsSync(dest) && fs.statSync(dest).isDirectory() && base ? path.join(dest, base) : dest;
  if (!base) {
    // The container's root itself.
    withFd(native.openInRoot(root, '/'), (fd) => copyOutDir(fd, target, 0o755, stats));
    return stats;
  }
  // The last name is resolved inside the root too (a symlink to /etc means the container's /etc).
  const fd = native.openInRoot(root, path.posix.join(srcParent, base));
  withFd(fd, (f) => {
    const st = fs.fstatSync(f);
    if (st.isDirectory()) copyOutDir(f, target, st.mode, stats);
    else if (st.isFile()) {
      copyOutFile(f, target, stats);
      stats.entries++;
    } else throw Object.assign(new Error(`${src}: not a regular file or directory`), { code: 'EINVAL' });
  });
  return stats;
}

// ---------------------------------------------------------------- into the container

/** Copies host path `src` to the entry `name` of container directory `dirFd` (replacing a file or symlink there; merging into a directory). */
export function copyInEntry(src: string, dirFd: number, name: string, stats: CopyStats): void {
  const st = fs.lstatSync(src);
  const dest = at(dirFd, name);
  if (st.isSymbolicLink()) {
    // A symlink is made as it is; it is never followed by this copy (nor by any later step of it).
    fs.rmSync(dest, { force: true });
    fs.symlinkSync(fs.readlinkSync(src), dest);
  } else if (st.isDirectory()) {
    try {
      fs.mkdirSync(dest, { mode: st.mode & 0o7777 });
    } catch (e: any) {
      if (e?.code !== 'EEXIST') throw e;
    }
    // O_NOFOLLOW: an existing symlink in the container where the directory goes is refused, not followed.
    const fd = refuseLink(() => fs.openSync(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW), dest, name);
    withFd(fd, (sub) => {
      for (const n of fs.readdirSync(src).sort()) copyInEntry(path.join(src, n), sub, n, stats);
    });
  } else if (st.isFile()) {
    const from = fs.openSync(src, O_RDONLY);
    withFd(from, (f) => {
      // O_NOFOLLOW: a symlink the container left at this name is refused (ELOOP), never written through.
      const out = refuseLink(() => fs.openSync(dest, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, st.mode & 0o7777), dest, name);
      withFd(out, (o) => {
        if (!fs.fstatSync(o).isFile()) throw Object.assign(new Error(`${name}: not a regular file in the container`), { code: 'EINVAL' });
        stats.bytes += copyBytes(f, o);
        fs.fchmodSync(o, st.mode & 0o7777);
        fs.futimesSync(o, st.atime, st.mtime);
      });
    });
  } else return;
  stats.entries++;
}

/** An open that O_NOFOLLOW refused (ELOOP, or ENOTDIR with O_DIRECTORY) because the container has a symlink there: said so. */
export function refuseLink(open: () => number, dest: string, name: string): number {
  try {
    return open();
  } catch (e: any) {
    if ((e?.code === 'ELOOP' || e?.code === 'ENOTDIR') && fs.lstatSync(dest, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw Object.assign(new Error(`${name} is a symbolic link in the container: not followed (ELOOP)`), { code: 'ELOOP' });
    }
    throw e;
  }
}

/**
 * `cp SRC SERVICE:DEST`: DEST resolved in `root`; an existing directory
 * (a symlink to one counts, resolved inside the root) receives SRC's last
 * name, otherwise DEST's parent must be a directory and DEST is the name.
 */
export function copyToContainer(src: string, root: string, dest: string): CopyStats {
  const stats: CopyStats = { entries: 0, bytes: 0 };
  fs.lstatSync(src); // ENOENT names the source before anything is opened
  const abs = path.posix.resolve('/', dest);
  const landing = landingIn(root, abs, path.basename(path.resolve(src)));
  withFd(landing.dirFd, (dirFd) => copyInEntry(src, dirFd, landing.name, stats));
  return stats;
}

function landingIn(root: string, dest: string, srcName: string): Landing {
  let fd: number | undefined;
  try {
    fd = native.openInRoot(root, dest);
  } catch (e: any) {
    if (e?.code !== 'ENOENT') throw e;
  }
  if (fd !== undefined) {
    if (fs.fstatSync(fd).isDirectory()) {
      checkName(srcName, 'source');
      return { dirFd: fd, name: srcName };
    }
    fs.closeSync(fd);
  }
  const name = path.posix.basename(dest);
  checkName(name, 'destination');
  const parent = native.openInRoot(root, path.posix.dirname(dest));
  if (!fs.fstatSync(parent).isDirectory()) {
    fs.closeSync(parent);
    throw Object.assign(new Error(`${path.posix.dirname(dest)}: not a directory in the container`), { code: 'ENOTDIR' });
  }
  return { dirFd: parent, name };
}

