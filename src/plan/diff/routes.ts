/**
 * A container's default routes through its bridges: replaced when they
 * point elsewhere or their interface's address is (re)added, removed when
 * no network gives one. An `x-routes` default (lab.ts) takes precedence.
 */
import type { Draft } from '../actions';
import type { DesiredContainer, ObservedNetns } from '../model';
import type { DiffContext } from './context';

/** addr.add ids by interface name, IPv4 and IPv6: a default route through one follows it. */
export interface AddressesReady {
  v4: Map<string, string>;
  v6: Map<string, string>;
}

/** IPv6 then IPv4 default route; returns the ids pushed. */
export function defaultRoutes(ctx: DiffContext, c: DesiredContainer, netns: string, ns: ObservedNetns | undefined, ready: AddressesReady): string[] {
  return [...defaultRoute6(ctx, c, netns, ns, ready.v6), ...defaultRoute4(ctx, c, netns, ns, ready.v4)];
}

function defaultRoute4(ctx: DiffContext, c: DesiredContainer, netns: string, ns: ObservedNetns | undefined, ready: Map<string, string>): string[] {
  const current = ns?.routes.find((r) => r.dst === 'default' && (r.family ?? (r.gateway?.includes(':') ? 6 : 4)) === 4);
  // An x-routes default: lab.ts owns it.
  if (c.routes?.some((r) => r.dst === 'default' && r.family === 4)) return [];
  const want = c.defaultRoute;
  if (want) {
    if (current && current.gateway === want.via && current.dev === want.ifname && !ready.has(want.ifname)) return [];
    return [ctx.push(defaultRouteReplace(c, netns, 4, want, current, ready.get(want.ifname)))];
  }
  if (!current) return [];
  return [ctx.push(defaultRouteDelete(c, netns, 4, current, 'no non-internal network gives a default route'))];
}

function defaultRoute6(ctx: DiffContext, c: DesiredContainer, netns: string, ns: ObservedNetns | undefined, ready: Map<string, string>): string[] {
  const current = ns?.routes.find((r) => r.dst === 'default' && r.gateway?.includes(':'));
  const want = c.defaultRoute6;
  if (want) {
    if (current && current.gateway === want.via && current.dev === want.ifname && !ready.has(want.ifname)) return [];
    return [ctx.push(defaultRouteReplace(c, netns, 6, want, current, ready.get(want.ifname)))];
  }
  // No bridge gives one; an x-routes default (lab.ts) is not ours to remove.
  if (!current || c.routes?.some((r) => r.dst === 'default' && r.family === 6)) return [];
  return [ctx.push(defaultRouteDelete(c, netns, 6, current, 'no non-internal IPv6 network gives a default route'))];
}

/** The route.replace of a container's IPv4 (4) or IPv6 (6) default route, after its address (`dep`) when that is being added. */
function defaultRouteReplace(
  c: DesiredContainer,
  netns: string,
  family: 4 | 6,
  want: { via: string; ifname: string },
  current: { gateway?: string; dev?: string } | undefined,
  dep: string | undefined,
): Draft {
  return {
    kind: 'route.replace',
    id: `route.replace:${c.name}:${family === 6 ? 'default6' : 'default'}`,
    target: `${family === 6 ? 'IPv6 default' : 'default'} route of ${c.name}`,
    reason: !current ? `via ${want.via} dev ${want.ifname}` : `was via ${current.gateway} dev ${current.dev}`,
    after: dep ? [dep] : [],
    container: c.name,
    netns,
    dst: 'default',
    via: want.via,
    ifname: want.ifname,
  };
}

function defaultRouteDelete(c: DesiredContainer, netns: string, family: 4 | 6, current: { gateway?: string }, reason: string): Draft {
  return {
    kind: 'route.delete',
    id: `route.delete:${c.name}:${family === 6 ? 'default6' : 'default'}`,
    target: `${family === 6 ? 'IPv6 default' : 'default'} route of ${c.name}`,
    reason,
    container: c.name,
    netns,
    dst: 'default',
    ...(current.gateway ? { via: current.gateway } : {}),
  };
}
