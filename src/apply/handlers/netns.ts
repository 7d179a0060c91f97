import type { Action } from '../../plan/actions';
import { createNetns, deleteNetns, netnsInode } from '../../sys/netns';
import { killAll } from '../../sys/procs';
import type { ApplyEnv } from '../env';
import { faultPoint } from '../fault';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

// Equivalent to: ip netns add NAME && ip -n NAME link set lo up
export async function ensureNetns(a: Of<'netns.create'>, env: ApplyEnv): Promise<void> {
  let made: ReturnType<typeof createNetns>;
  try {
    made = createNetns(a.netns);
  } catch (e: any) {
    if (e?.code !== 'EEXIST') throw e;
    // A stale entry (file without a namespace behind it) from a crash: replace it.
    deleteNetns(a.netns);
    made = createNetns(a.netns);
  }
  env.sockets.adopt(a.netns, made.rtnl);
  faultPoint('mid:netns.create');
  await made.ready;
}

/**
 * Kill whatever still runs inside, then remove the entry; the kernel destroys
 * the namespace (and the veth ends in it) once nothing holds it.
 */
// Equivalent to: ip netns pids NAME | xargs -r kill -9; ip netns del NAME
export async function removeNetns(a: Of<'netns.delete'>, env: ApplyEnv): Promise<void> {
  env.sockets.forget(a.netns);
  for (const key of env.indexes.keys()) if (key.startsWith(`${a.netns}/`)) env.indexes.delete(key);
  const inode = netnsInode(a.netns);
  if (inode !== undefined) killAll(env.pidsByNetns().get(inode) ?? []);
  deleteNetns(a.netns);
}
