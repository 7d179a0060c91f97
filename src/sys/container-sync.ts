/**
 * `watch`'s sync (develop.watch): a host file or directory made the same
 * at a path of a running container, or removed there, with every path on
 * the container's side resolved inside its root as `cp` does
 * (container-copy.ts): parents are made one name at a time and entered
 * with O_NOFOLLOW, removal walks directory fds, so a symlink the container
 * plants is never followed to the host.
 *
 * Equivalent to: docker compose watch's `tar -C / -x` (sync) and `rm -rf` (a deleted path) in the container.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from './native';
import { at, checkName, copyInEntry, refuseLink, withFd, type CopyStats } from './container-copy';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

/** The container directory `dir` (absolute), made with its missing parents (mode 0755), as an open fd. */
function makeDirs(root: string, dir: string): number {
  let fd = native.openInRoot(root, '/');
  for (const name of dir.split('/').filter(Boolean)) {
    checkName(name, 'target');
    try {
      fs.mkdirSync(at(fd, name), { mode: 0o755 });
    } catch (e: any) {
      if (e?.code !== 'EEXIST') {
        fs.closeSync(fd);
        throw e;
      }
    }
    const next = withFd(fd, (parent) => refuseLink(() => fs.openSync(at(parent, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW), at(parent, name), name));
    fd = next;
  }
  return fd;
}

/** Copies host path `src` to `target` in the container (root: pinContainerRoot's), making its parents. */
export function syncInto(root: string, src: string, target: string): CopyStats {
  const stats: CopyStats = { entries: 0, bytes: 0 };
  const abs = path.posix.resolve('/', target);
  const name = path.posix.basename(abs);
  checkName(name, 'target');
  withFd(makeDirs(root, path.posix.dirname(abs)), (dirFd) => copyInEntry(src, dirFd, name, stats));
  return stats;
}

/** Removes the entry `name` of `dirFd` and, for a directory, everything below it; never through a symlink. */
function removeEntry(dirFd: number, name: string): number {
  const st = fs.lstatSync(at(dirFd, name), { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) {
    fs.unlinkSync(at(dirFd, name));
    return 1;
  }
  let n = 0;
  withFd(refuseLink(() => fs.openSync(at(dirFd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW), at(dirFd, name), name), (sub) => {
    for (const child of fs.readdirSync(`/proc/self/fd/${sub}`)) n += removeEntry(sub, child);
  });
  fs.rmdirSync(at(dirFd, name));
  return n + 1;
}

/** Removes `target` in the container (a file, a symlink, or a directory and its contents); entries removed, 0 when it was not there. */
export function removeFrom(root: string, target: string): number {
  const abs = path.posix.resolve('/', target);
  const name = path.posix.basename(abs);
  checkName(name, 'target');
  let parent: number;
  try {
    parent = native.openInRoot(root, path.posix.dirname(abs));
  } catch (e: any) {
    if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return 0;
    throw e;
  }
  return withFd(parent, (fd) => removeEntry(fd, name));
}
