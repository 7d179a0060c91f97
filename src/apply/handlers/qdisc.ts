import type { Action } from '../../plan/actions';
import { linkIndex, type ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/** Shaping is changed in place: the link, its addresses and routes stay as they are. */
// Equivalent to: tc [-n NS] qdisc replace dev IFNAME root tbf rate R burst B limit L
//            or: tc [-n NS] qdisc replace dev IFNAME root netem delay D J loss P … [rate R] limit N
export async function ensureQdisc(a: Of<'qdisc.replace'>, env: ApplyEnv): Promise<void> {
  const index = await linkIndex(env, a.netns, a.ifname);
  await (a.netns ? env.sockets.get(a.netns) : env.host).replaceQdisc(index, a.qdisc);
}

// Equivalent to: tc [-n NS] qdisc del dev IFNAME root
export async function removeQdisc(a: Of<'qdisc.delete'>, env: ApplyEnv): Promise<void> {
  const rtnl = a.netns ? env.sockets.get(a.netns) : env.host;
  const l = await rtnl.linkByName(a.ifname);
  if (l) await rtnl.deleteQdisc(l.index);
}
