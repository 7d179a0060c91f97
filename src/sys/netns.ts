/**
 * Persistent network namespaces under /run/netns (the iproute2 convention, so
 * `ip netns exec NAME …` works for debugging), and rtnetlink sockets inside
 * them.
 *
 * Network namespaces are per thread, so the main thread may switch briefly:
 * enter, open a socket (the netlink package creates it synchronously), switch
 * back. The socket stays bound to the namespace it was opened in. Nothing
 * asynchronous runs in between, so no other code ever sees the switch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InternalError } from '../errors';
import { native } from './native';
import { Rtnl } from './netlink/rtnl';

export const NETNS_DIR = '/run/netns';

let homeNetnsFd: number | undefined;

/** fd of the namespace this process started in, kept open to return to. */
function homeFd(): number {
  if (homeNetnsFd === undefined) homeNetnsFd = fs.openSync('/proc/thread-self/ns/net', fs.constants.O_RDONLY);
  return homeNetnsFd;
}

function returnHome(): void {
  try {
    native.setns(homeFd(), native.constants.CLONE_NEWNET);
  } catch (e) {
    // The main thread would keep acting in the wrong namespace: never continue.
    throw new InternalError('could not return to the host network namespace', e);
  }
}

export function netnsPath(name: string): string {
  return path.join(NETNS_DIR, name);
}

/**
 * Make /run/netns a shared mount point, as iproute2 does, so that removing a
 * namespace's bind mount also reaches mount namespaces copied from this one.
 */
// Equivalent to: mount --make-shared /run/netns || { mount --bind /run/netns /run/netns; mount --make-shared /run/netns; }
export function ensureNetnsDir(): void {
  fs.mkdirSync(NETNS_DIR, { recursive: true, mode: 0o755 });
  const { MS_SHARED, MS_REC, MS_BIND } = native.constants;
  try {
    native.mount(null, NETNS_DIR, null, MS_SHARED | MS_REC, null);
  } catch (e: any) {
    if (e?.code !== 'EINVAL') throw e;
    native.mount(NETNS_DIR, NETNS_DIR, null, MS_BIND | MS_REC, null);
    native.mount(null, NETNS_DIR, null, MS_SHARED | MS_REC, null);
  }
}

/**
 * Create a persistent namespace and return a socket inside it with `lo` up
 * requested (await the returned promise for that).
 */
// Equivalent to: ip netns add NAME && ip -n NAME link set lo up
export function createNetns(name: string): { rtnl: Rtnl; ready: Promise<void> } {
  const file = netnsPath(name);
  fs.closeSync(fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0));
  let rtnl: Rtnl;
  homeFd(); // opened before the first switch, or "home" would be the new namespace
  try {
    native.unshare(native.constants.CLONE_NEWNET);
    try {
      native.mount('/proc/thread-self/ns/net', file, null, native.constants.MS_BIND, null);
      rtnl = Rtnl.open();
    } finally {
      returnHome();
    }
  } catch (e) {
    try {
      native.umount2(file, native.constants.MNT_DETACH);
    } catch {
      /* not mounted */
    }
    fs.rmSync(file, { force: true });
    throw e;
  }
  // In a new namespace lo is always ifindex 1.
  return { rtnl, ready: rtnl.setLink(1, { up: true }) };
}

/**
 * A socket in a new, empty, unnamed namespace that lives only as long as the
 * socket: for probing what the kernel can do without touching any real link.
 */
// Equivalent to: unshare --net (the namespace goes when the socket closes)
export function openScratchRtnl(): Rtnl {
  homeFd(); // opened before the first switch, or "home" would be the new namespace
  native.unshare(native.constants.CLONE_NEWNET);
  try {
    return Rtnl.open();
  } finally {
    returnHome();
  }
}

/** Open a socket inside an existing namespace. */
export function openRtnlIn(name: string): Rtnl {
  const fd = fs.openSync(netnsPath(name), fs.constants.O_RDONLY);
  homeFd(); // opened before the first switch, or "home" would be the other namespace
  try {
    native.setns(fd, native.constants.CLONE_NEWNET);
    try {
      return Rtnl.open();
    } finally {
      returnHome();
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Remove a namespace's bind mount and file; a missing one counts as removed. */
// Equivalent to: ip netns del NAME
export function deleteNetns(name: string): void {
  const file = netnsPath(name);
  try {
    native.umount2(file, native.constants.MNT_DETACH);
  } catch (e: any) {
    if (e?.code !== 'EINVAL' && e?.code !== 'ENOENT') throw e;
  }
  fs.rmSync(file, { force: true });
}

/** Names under /run/netns starting with `prefix`. */
export function listNetns(prefix: string): string[] {
  try {
    return fs.readdirSync(NETNS_DIR).filter((n) => n.startsWith(prefix)).sort();
  } catch (e: any) {
    if (e?.code === 'ENOENT') return [];
    throw e;
  }
}

/** Inode of a namespace file, to find the processes inside it. */
export function netnsInode(name: string): number | undefined {
  try {
    return fs.statSync(netnsPath(name)).ino;
  } catch {
    return undefined;
  }
}

/** Open fd of a namespace (for IFLA_NET_NS_FD); the caller closes it. */
export function openNetnsFd(name: string): number {
  return fs.openSync(netnsPath(name), fs.constants.O_RDONLY);
}

/**
 * Sockets into namespaces, opened once per run and closed together. The
 * netns fds stay open too (IFLA_NET_NS_FD needs one per veth).
 */
export class NetnsSockets {
  private readonly socks = new Map<string, Rtnl>();
  private readonly fds = new Map<string, number>();

  get(name: string): Rtnl {
    let s = this.socks.get(name);
    if (!s) {
      s = openRtnlIn(name);
      this.socks.set(name, s);
    }
    return s;
  }

  adopt(name: string, rtnl: Rtnl): void {
    this.socks.get(name)?.close();
    this.socks.set(name, rtnl);
  }

  fd(name: string): number {
    let fd = this.fds.get(name);
    if (fd === undefined) {
      fd = openNetnsFd(name);
      this.fds.set(name, fd);
    }
    return fd;
  }

  forget(name: string): void {
    this.socks.get(name)?.close();
    this.socks.delete(name);
    const fd = this.fds.get(name);
    if (fd !== undefined) fs.closeSync(fd);
    this.fds.delete(name);
  }

  closeAll(): void {
    for (const name of [...this.socks.keys(), ...this.fds.keys()]) this.forget(name);
  }
}
