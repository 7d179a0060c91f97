/**
 * What handlers act through: the host socket, sockets into namespaces, the
 * state directory. Built once per run and closed at the end.
 */
import type { Emit } from '../events';
import type { Rtnl } from '../sys/netlink';
import type { NetnsSockets } from '../sys/netns';
import type { StateDir } from '../sys/state';

export interface ApplyEnv {
  project: string;
  state: StateDir;
  /** Socket in the host namespace. */
  host: Rtnl;
  sockets: NetnsSockets;
  emit: Emit;
}

/** ifindex of a host link by name; undefined if it does not exist. */
export async function hostIndex(env: ApplyEnv, name: string): Promise<number | undefined> {
  return (await env.host.linkByName(name))?.index;
}

export async function requireIndex(rtnl: Rtnl, name: string, where: string): Promise<number> {
  const l = await rtnl.linkByName(name);
  if (!l) throw Object.assign(new Error(`${name} not found in ${where}`), { code: 'ENODEV', syscall: 'RTM_GETLINK' });
  return l.index;
}
