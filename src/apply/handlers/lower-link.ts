import type { Action } from '../../plan/actions';
import { forgetIndex, linkIndex, type ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/**
 * The interface is made on its parent in the host namespace and born in
 * the container's (already named, MAC and MTU set); then it gets its
 * ownership mark and comes up, through the namespace's socket.
 */
// Equivalent to: ip link add link PARENT name IFNAME netns NS address MAC mtu MTU type macvlan mode MODE
//                (ipvlan: ip link add link PARENT name IFNAME netns NS mtu MTU type ipvlan mode MODE FLAG)
//                ip -n NS link set IFNAME alias MARK up
export async function ensureLowerLink(a: Of<'lowerlink.create'>, env: ApplyEnv): Promise<void> {
  const parent = await linkIndex(env, undefined, a.parent);
  const inner = env.sockets.get(a.netns);
  try {
    await env.host.createLowerLink({
      name: a.ifname,
      driver: a.driver,
      parent,
      mode: a.mode,
      ...(a.flag ? { flag: a.flag } : {}),
      netnsFd: env.sockets.fd(a.netns),
      ...(a.mac ? { mac: a.mac } : {}),
      mtu: a.mtu,
    });
  } catch (e: any) {
    // The kernel has no such link type (the plan checks ipvlan, but a module can go away).
    if (e?.code === 'EOPNOTSUPP' || e?.code === 'ENOTSUP') throw Object.assign(new Error(`this kernel has no ${a.driver} driver (EOPNOTSUPP)`), { code: 'EOPNOTSUPP' });
    throw e;
  }
  await inner.setLink(a.ifname, { alias: a.alias, up: true });
}

// Equivalent to: ip -n NS link del IFNAME
export async function removeLowerLink(a: Of<'lowerlink.delete'>, env: ApplyEnv): Promise<void> {
  forgetIndex(env, a.netns, a.ifname);
  const inner = env.sockets.get(a.netns);
  const l = await inner.linkByName(a.ifname);
  if (l) await inner.deleteLink(l.index);
}
