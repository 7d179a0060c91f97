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

/**
 * Asks the kernel for a feature in a throwaway network namespace: true when
 * `probe` succeeds or is refused for another reason (the feature exists;
 * applying will say what is wrong), false when refused with one of `absent`,
 * undefined when we may not ask (no namespace, EPERM).
 */
async function probeScratch(probe: (rtnl: ReturnType<typeof openScratchRtnl>) => Promise<void>, absent: string[]): Promise<boolean | undefined> {
  let rtnl;
  try {
    rtnl = openScratchRtnl();
  } catch {
    return undefined;
  }
  try {
    await probe(rtnl);
    return true;
  } catch (e: any) {
    if (absent.includes(e?.code)) return false;
    return e?.code === 'EPERM' ? undefined : true;
  } finally {
    rtnl.close();
  }
}

/** true or false when the kernel said so; undefined when it could not be asked (no privileges). */
// Equivalent to: unshare --net tc qdisc add dev lo root netem delay 1ms
export function hasNetem(): Promise<boolean | undefined> {
  netem ??= probeScratch(
    async (rtnl) => {
      await rtnl.setLink(1, { up: true });
      await rtnl.replaceQdisc(1, PROBE);
    },
    // "Specified qdisc kind is unknown": ENOENT (EOPNOTSUPP on some kernels).
    ['ENOENT', 'EOPNOTSUPP'],
  );
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
  ipvlan ??= probeScratch(
    async (rtnl) => {
      await rtnl.createBridge({ name: 'tscprobe0', up: false });
      const parent = await rtnl.linkByName('tscprobe0');
      await rtnl.createLowerLink({ name: 'tscprobe1', driver: 'ipvlan', parent: parent!.index, mode: 'l2' });
    },
    // errno 95: Node names it ENOTSUP.
    ['EOPNOTSUPP', 'ENOTSUP'],
  );
  return ipvlan;
}

let dummy: Promise<boolean | undefined> | undefined;

/**
 * Whether the kernel has the dummy link type (a macvlan/ipvlan network
 * without parent sits on one): one is requested in a throwaway namespace;
 * "Unknown link kind" is EOPNOTSUPP once module autoloading was tried.
 */
// Equivalent to: unshare --net ip link add tscprobe0 type dummy
export function hasDummy(): Promise<boolean | undefined> {
  dummy ??= probeScratch((rtnl) => rtnl.createDummy({ name: 'tscprobe0', up: false }), ['EOPNOTSUPP', 'ENOTSUP']);
  return dummy;
}

/**
 * Which Linux security modules can label a process here: AppArmor (its
 * module says Y; with the loaded profiles' names) and SELinux (selinuxfs
 * mounted); `cat /sys/module/apparmor/parameters/enabled`, `getenforce`.
 */
export function securityModules(): { apparmor: boolean; selinux: boolean; apparmorProfiles?: string[] } {
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
  const profiles = apparmor ? apparmorProfiles() : undefined;
  return { apparmor, selinux, ...(profiles ? { apparmorProfiles: profiles } : {}) };
}

/**
 * The loaded AppArmor profiles: lines "NAME (MODE)" (equivalent to
 * `cat /sys/kernel/security/apparmor/profiles`, what aa-status lists);
 * undefined when securityfs cannot be read.
 */
function apparmorProfiles(): string[] | undefined {
  try {
    const text = readFileSync('/sys/kernel/security/apparmor/profiles', 'utf8');
    return text.split('\n').flatMap((line) => {
      const m = /^(.+) \(([^()]+)\)$/.exec(line.trim());
      return m ? [m[1]!] : [];
    });
  } catch {
    return undefined;
  }
}

/** SELinux is enforcing: /sys/fs/selinux/enforce reads 1 (equivalent to `getenforce`); absent file: no SELinux. */
export function selinuxEnforcing(): boolean {
  try {
    return readFileSync('/sys/fs/selinux/enforce', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}
