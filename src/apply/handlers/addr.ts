import type { Action } from '../../plan/actions';
import { linkIndex, type ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

// Equivalent to: ip -n NS addr add ADDRESS/PREFIX dev IFNAME
export async function ensureAddress(a: Of<'addr.add'>, env: ApplyEnv): Promise<void> {
  const index = await linkIndex(env, a.netns, a.ifname);
  await env.sockets.get(a.netns).addAddress(index, a.address, a.prefixLen);
}

// Equivalent to: ip -n NS addr del ADDRESS/PREFIX dev IFNAME
export async function removeAddress(a: Of<'addr.delete'>, env: ApplyEnv): Promise<void> {
  const rtnl = env.sockets.get(a.netns);
  const l = await rtnl.linkByName(a.ifname);
  if (l) await rtnl.deleteAddress(l.index, a.address, a.prefixLen);
}

// Equivalent to: ip -n NS route replace DST [via VIA] dev IFNAME [metric N] [proto static]
export async function ensureRoute(a: Of<'route.replace'>, env: ApplyEnv): Promise<void> {
  const index = await linkIndex(env, a.netns, a.ifname);
  await env.sockets.get(a.netns).replaceRoute({
    dst: a.dst,
    ...(a.via ? { gateway: a.via } : {}),
    oif: index,
    ...(a.family ? { family: a.family } : {}),
    ...(a.metric !== undefined ? { metric: a.metric } : {}),
    ...(a.static ? { protocol: 'STATIC' as const } : {}),
  });
}

// Equivalent to: ip -n NS route del DST [via VIA] [metric N]
export async function removeRoute(a: Of<'route.delete'>, env: ApplyEnv): Promise<void> {
  await env.sockets.get(a.netns).deleteRoute({
    dst: a.dst,
    ...(a.via ? { gateway: a.via } : {}),
    ...(a.family ? { family: a.family } : {}),
    ...(a.metric !== undefined ? { metric: a.metric } : {}),
  });
}

// Equivalent to: ip -n NS neigh replace ADDRESS lladdr MAC dev IFNAME nud permanent
export async function ensureNeighbor(a: Of<'neigh.replace'>, env: ApplyEnv): Promise<void> {
  const index = await linkIndex(env, a.netns, a.ifname);
  await env.sockets.get(a.netns).replaceNeighbor(index, a.address, a.mac);
}
