/**
 * What this kernel can do that the file may ask for. Probed, not guessed
 * from config files or module lists: a netem qdisc is requested on `lo` of a
 * throwaway namespace (which disappears with its socket), so module
 * autoloading counts. Asked only when the file wants netem (asking may load
 * the module, as `tc` would).
 */
import type { NetemQdisc } from '../plan/shaping';
import { readFileSync } from 'node:fs';
import { openScratchRtnl } from './netns';

let netem: Promise<boolean | undefined> | undefined;

const PROBE: NetemQdisc = { kind: 'netem', latencyNs: 1_000_000, jitterNs: 0, loss: 0, duplicate: 0, corrupt: 0, reorder: 0, rate: 0, limit: 1000 };

/** true or false when the kernel said so; undefined when it could not be asked (no privileges). */
// Equivalent to: unshare --net tc qdisc add dev lo root netem delay 1ms
export function hasNetem(): Promise<boolean | undefined> {
  netem ??= (async () => {
    let rtnl;
    try {
      rtnl = openScratchRtnl();
    } catch {
      return undefined;
    }
    try {
      await rtnl.setLink(1, { up: true });
      await rtnl.replaceQdisc(1, PROBE);
      return true;
    } catch (e: any) {
      // "Specified qdisc kind is unknown": ENOENT (EOPNOTSUPP on some kernels).
      if (e?.code === 'ENOENT' || e?.code === 'EOPNOTSUPP') return false;
      // The kind exists but refused something else: applying will say what.
      return e?.code === 'EPERM' ? undefined : true;
    } finally {
      rtnl.close();
    }
  })();
  return netem;
}

let ipvlan: Promise<boolean | undefined> | undefined;

/**
 * Whether the kernel has the ipvlan link type: one is requested on a bridge
 * of a throwaway namespace. "Unknown link kind" is EOPNOTSUPP (after module
 * autoloading was tried); anything else means the kind exists.
 */
// Equivalent to: unshare --net sh -c 'ip link add p0 type bridge && ip link add link p0 name p1 type ipvlan mode l2'
export function hasIpvlan(): Promise<boolean | undefined> {
  ipvlan ??= (async () => {
    let rtnl;
    try {
      rtnl = openScratchRtnl();
    } catch {
      return undefined;
    }
    try {
      await rtnl.createBridge({ name: 'tscprobe0', up: false });
      const parent = await rtnl.linkByName('tscprobe0');
      await rtnl.createLowerLink({ name: 'tscprobe1', driver: 'ipvlan', parent: parent!.index, mode: 'l2' });
      return true;
    } catch (e: any) {
      // errno 95: Node names it ENOTSUP.
      if (e?.code === 'EOPNOTSUPP' || e?.code === 'ENOTSUP') return false;
      return e?.code === 'EPERM' ? undefined : true;
    } finally {
      rtnl.close();
    }
  })();
  return ipvlan;
}

/** Which Linux security modules can label a process here: AppArmor (its module says Y) and SELinux (selinuxfs mounted); `cat /sys/module/apparmor/parameters/enabled`, `getenforce`. */
export function securityModules(): { apparmor: boolean; selinux: boolean } {
  let apparmor = false;
  try {
    apparmor = readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    /* no AppArmor in this kernel */
  }
  let selinux = false;
  try {
    readFileSync('/sys/fs/selinux/enforce', 'utf8');
    selinux = true;
  } catch {
    /* no SELinux */
  }
  return { apparmor, selinux };
}

/** SELinux is enforcing: /sys/fs/selinux/enforce reads 1 (equivalent to `getenforce`); absent file: no SELinux. */
export function selinuxEnforcing(): boolean {
  try {
    return readFileSync('/sys/fs/selinux/enforce', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
