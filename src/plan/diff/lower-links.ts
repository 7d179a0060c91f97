/**
 * A container's macvlan/ipvlan interfaces: created on their parent straight
 * into the container's namespace, repaired in place when only state, MTU,
 * MAC or addresses drifted, recreated when the link there is another kind
 * or carries another mark (its parent or mode changed); removed when no
 * attachment wants them any more.
 */
import type { DesiredContainer, DesiredInterface, ObservedNetns } from '../model';
import { addrAdd, ipv4Addresses, ipv6Addresses } from './addresses';
import type { DiffContext } from './context';
import { linkDrift } from './drift';

export interface LowerLinkIds {
  ids: string[];
  added4?: string;
  added6?: string;
}

export const isLowerKind = (kind: string | undefined) => kind === 'macvlan' || kind === 'ipvlan';

export function lowerLinkActions(
  ctx: DiffContext,
  c: DesiredContainer,
  netns: string,
  ns: ObservedNetns | undefined,
  nsReady: string | undefined,
  iface: DesiredInterface,
): LowerLinkIds {
  const ll = iface.lowerLink!;
  const target = `${iface.ifname} of ${c.name}`;
  const link = ns?.links.find((l) => l.name === iface.ifname);
  if (link && link.kind === ll.kind && link.alias === iface.alias) {
    const fix = linkDrift(link, { up: true, mtu: iface.mtu, ...(ll.kind === 'macvlan' ? { mac: iface.mac } : {}) });
    const ids: string[] = [];
    if (fix) {
      ids.push(
        ctx.push({ kind: 'link.update', id: `link.update:${c.name}:${iface.ifname}`, target, reason: fix.reason, container: c.name, netns, ifname: iface.ifname, ...fix.change }),
      );
    }
    const v4 = ipv4Addresses(ctx, c, netns, iface, link);
    const v6 = ipv6Addresses(ctx, c, netns, iface, link);
    return { ids: [...ids, ...v4.ids, ...v6.ids], ...(v4.added ? { added4: v4.added } : {}), ...(v6.added ? { added6: v6.added } : {}) };
  }
  const after = nsReady ? [nsReady] : [];
  // A dummy parent being made (diff/dummy-parents.ts).
  const parentReady = ctx.bridgeReady.get(iface.network);
  if (parentReady) after.push(parentReady);
  if (link) {
    const why = link.kind !== ll.kind ? `${iface.ifname} is a ${link.kind ?? 'plain'} link, not a ${ll.kind}` : `parent or mode changed (${ll.parent}, ${ll.mode})`;
    after.push(ctx.push({ kind: 'lowerlink.delete', id: `lowerlink.delete:${c.name}:${iface.ifname}`, target, reason: why, container: c.name, netns, ifname: iface.ifname }));
  }
  const id = ctx.push({
    kind: 'lowerlink.create',
    id: `lowerlink.create:${c.name}:${iface.network}`,
    target,
    reason: ns ? 'missing' : 'new container',
    after,
    container: c.name,
    network: iface.network,
    netns,
    driver: ll.kind,
    parent: ll.parent,
    mode: ll.mode,
    ...(ll.flag ? { flag: ll.flag } : {}),
    ifname: iface.ifname,
    ...(ll.kind === 'macvlan' ? { mac: iface.mac } : {}),
    mtu: iface.mtu,
    alias: iface.alias,
  });
  const out: LowerLinkIds = { ids: [id] };
  if (iface.address) out.added4 = ctx.push(addrAdd(c, netns, iface, 4, `address ${iface.address}/${iface.prefixLen}`, [id]));
  if (iface.address6) out.added6 = ctx.push(addrAdd(c, netns, iface, 6, `address ${iface.address6}/${iface.prefixLen6}`, [id]));
  out.ids.push(...[out.added4, out.added6].filter((x): x is string => x !== undefined));
  return out;
}
