/**
 * Host facts the planner needs: links with their addresses, main-table
 * routes, resolver configuration and the user database.
 */
import type { ObservedLink, ObservedRoute } from '../plan/model';
import { readIfExists } from '../sys/state';
import type { Rtnl } from '../sys/netlink/rtnl';

const RT_TABLE_MAIN = 254;

/** Links with addresses and master names resolved, as plan/ wants them. */
export async function observeLinks(rtnl: Rtnl): Promise<{ links: ObservedLink[]; routes: ObservedRoute[] }> {
  const [links, addrs, routes] = await Promise.all([rtnl.links(), rtnl.addresses(), rtnl.routes()]);
  const byIndex = new Map(links.map((l) => [l.index, l]));
  const observed = links.map((l) => ({
    name: l.name,
    index: l.index,
    ...(l.kind ? { kind: l.kind } : {}),
    ...(l.alias ? { alias: l.alias } : {}),
    ...(l.mtu !== undefined ? { mtu: l.mtu } : {}),
    ...(l.mac ? { mac: l.mac } : {}),
    up: l.up,
    ...(l.master ? { master: byIndex.get(l.master)?.name } : {}),
    ...(l.peerIndex !== undefined ? { peerIndex: l.peerIndex } : {}),
    ...(l.hairpin !== undefined ? { hairpin: l.hairpin } : {}),
    addresses: addrs.filter((a) => a.index === l.index).map((a) => ({ address: a.address, prefixLen: a.prefixLen })),
  }));
  const main = routes
    .filter((r) => r.table === RT_TABLE_MAIN && (r.type === 'UNICAST' || r.type === '1'))
    .map((r) => ({
      dst: r.dst,
      ...(r.gateway ? { gateway: r.gateway } : {}),
      ...(r.oif !== undefined && byIndex.get(r.oif) ? { dev: byIndex.get(r.oif)!.name } : {}),
      ...(r.family === 6 ? { family: 6 as const } : {}),
      ...(r.protocol ? { protocol: routeProtocol(r.protocol) } : {}),
      ...(r.metric !== undefined ? { metric: r.metric } : {}),
    }));
  return { links: observed, routes: main };
}

/** `static`, `kernel`, `boot`, … whether the netlink package gave a name or a number. */
function routeProtocol(p: string): string {
  const names: Record<string, string> = { '1': 'redirect', '2': 'kernel', '3': 'boot', '4': 'static', '9': 'ra' };
  return names[p] ?? p.toLowerCase();
}

/**
 * The resolv.conf containers should inherit: the host's, or systemd-resolved's
 * upstream list when the host only points at its local stub (as Docker does).
 */
export function hostResolvConf(): string {
  const etc = readIfExists('/etc/resolv.conf') ?? '';
  const onlyLoopback = !/^\s*nameserver\s+(?!127\.|::1)/m.test(etc);
  if (onlyLoopback) {
    const upstream = readIfExists('/run/systemd/resolve/resolv.conf');
    if (upstream) return upstream;
  }
  return etc;
}

/** Who runs tscompose: `$HOME`, and `$SUDO_USER` (the user behind sudo). */
export function invoker(): { home?: string; sudoUser?: string } {
  const { HOME: home, SUDO_USER: sudoUser } = process.env;
  return { ...(home ? { home } : {}), ...(sudoUser ? { sudoUser } : {}) };
}

export function hostUserDb(): { passwd: string; group: string } {
  return { passwd: readIfExists('/etc/passwd') ?? '', group: readIfExists('/etc/group') ?? '' };
}
