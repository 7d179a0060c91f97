/**
 * What handlers act through: the host socket, sockets into namespaces, the
 * state directory. Built once per run and closed at the end.
 */
import type { Emit } from '../events';
import type { Cgroups } from '../sys/cgroup';
import type { Rtnl } from '../sys/netlink/rtnl';
import type { NetnsSockets } from '../sys/netns';
import type { StateDir } from '../sys/state';
import type { VolumeStore } from '../sys/volumes';

export interface ApplyEnv {
  project: string;
  state: StateDir;
  /** Socket in the host namespace. */
  host: Rtnl;
  sockets: NetnsSockets;
  emit: Emit;
  /** Link indexes looked up during this run (see linkIndex). */
  indexes: Map<string, Promise<number>>;
  /** Processes by netns inode, read from /proc once per run (teardown's safety net). */
  pidsByNetns(): Map<number, number[]>;
  /** The host's cgroup hierarchies (detected on first use). */
  cgroups(): Cgroups;
  /** Where named volumes live (default: /var/lib/tscompose/volumes). */
  volumes?: VolumeStore;
}

/**
 * ifindex of a link by name (in a namespace, or on the host), looked up once
 * per run: a bridge serves a hundred veths, a peer its address and route.
 * Handlers that delete a link call `forgetIndex`.
 */
export async function linkIndex(env: ApplyEnv, netns: string | undefined, name: string): Promise<number> {
  const key = `${netns ?? ''}/${name}`;
  let p = env.indexes.get(key);
  if (!p) {
    const rtnl = netns ? env.sockets.get(netns) : env.host;
    p = rtnl.linkByName(name).then((l) => {
      if (!l) throw Object.assign(new Error(`${name} not found in ${netns ?? 'the host'}`), { code: 'ENODEV', syscall: 'RTM_GETLINK' });
      return l.index;
    });
    p.catch(() => env.indexes.delete(key));
    env.indexes.set(key, p);
  }
  return p;
}

export function forgetIndex(env: ApplyEnv, netns: string | undefined, name: string): void {
  env.indexes.delete(`${netns ?? ''}/${name}`);
}
