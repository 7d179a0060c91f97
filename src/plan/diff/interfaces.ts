/**
 * A container's bridged interfaces: veth pairs created (or recreated when
 * an end is missing or paired elsewhere), repaired in place when only their
 * state, MTU, MAC, bridge or addresses drifted; veths no attachment wants
 * any more removed; then the default routes through them.
 */
import type { DesiredContainer, DesiredInterface, ObservedLink, ObservedNetns } from '../model';
import { addrAdd, ipv4Addresses, ipv6Addresses } from './addresses';
import type { DiffContext } from './context';
import { linkDrift } from './drift';
import { isLowerKind, lowerLinkActions } from './lower-links';
import { defaultRoutes, type AddressesReady } from './routes';

/** What one interface's actions give: the ids a start follows, and its addr.add ids. */
interface InterfaceIds {
  ids: string[];
  added4?: string;
  added6?: string;
}

/**
 * Every interface action of a container in namespace `netns` (observed as
 * `ns`; undefined when this plan creates it, after `nsReady`). `keep`:
 * other interface names wanted there (p2p ends). Returns the ids its start follows.
 */
export function interfaceActions(
  ctx: DiffContext,
  c: DesiredContainer,
  netns: string,
  ns: ObservedNetns | undefined,
  nsReady: string | undefined,
  keep: string[],
): string[] {
  const ids = strayVeths(ctx, c, netns, ns, new Set([...c.interfaces.map((i) => i.ifname), ...keep]));
  const ready: AddressesReady = { v4: new Map(), v6: new Map() };
  for (const iface of c.interfaces) {
    if (iface.lowerLink) {
      const r = lowerLinkActions(ctx, c, netns, ns, nsReady, iface);
      ids.push(...r.ids);
      if (r.added4) ready.v4.set(iface.ifname, r.added4);
      if (r.added6) ready.v6.set(iface.ifname, r.added6);
      continue;
    }
    const host = ctx.hostLinks.get(iface.hostVeth);
    const peer = ns?.links.find((l) => l.name === iface.ifname);
    // Both ends exist and are each other's peer (a name can be held by another pair after edits).
    const paired =
      host?.peerIndex === undefined || peer?.peerIndex === undefined || (host.peerIndex === peer.index && peer.peerIndex === host.index);
    const healthy = host?.kind === 'veth' && peer?.kind === 'veth' && paired;
    const r = healthy ? repairVeth(ctx, c, netns, iface, host, peer) : createVeth(ctx, c, netns, ns, nsReady, iface, host, peer);
    ids.push(...r.ids);
    if (r.added4) ready.v4.set(iface.ifname, r.added4);
    if (r.added6) ready.v6.set(iface.ifname, r.added6);
  }
  ids.push(...defaultRoutes(ctx, c, netns, ns, ready));
  return ids;
}

/** Veths inside the namespace that no attachment wants any more. */
function strayVeths(ctx: DiffContext, c: DesiredContainer, netns: string, ns: ObservedNetns | undefined, wanted: Set<string>): string[] {
  const ids: string[] = [];
  for (const l of ns?.links ?? []) {
    if (l.name === 'lo' || wanted.has(l.name)) continue;
    if (isLowerKind(l.kind)) {
      const id = `lowerlink.delete:${c.name}:${l.name}`;
      ids.push(ctx.push({ kind: 'lowerlink.delete', id, target: `${l.name} of ${c.name}`, reason: 'not in the file any more', container: c.name, netns, ifname: l.name }));
      continue;
    }
    if (l.kind !== 'veth') continue;
    ids.push(
      ctx.push({
        kind: 'veth.delete',
        id: `veth.delete:${c.name}:${l.name}`,
        target: `${l.name} of ${c.name}`,
        reason: 'not in the file any more',
        container: c.name,
        netns,
        peer: l.name,
      }),
    );
  }
  return ids;
}

/** A new pair (after removing what is left of a broken one), then its addresses. */
function createVeth(
  ctx: DiffContext,
  c: DesiredContainer,
  netns: string,
  ns: ObservedNetns | undefined,
  nsReady: string | undefined,
  iface: DesiredInterface,
  host: ObservedLink | undefined,
  peer: ObservedLink | undefined,
): InterfaceIds {
  const target = `${iface.ifname} of ${c.name}`;
  const after: string[] = [];
  if (nsReady) after.push(nsReady);
  const br = ctx.bridgeReady.get(iface.network);
  if (br) after.push(br);
  if (host || peer) {
    after.push(
      ctx.push({
        kind: 'veth.delete',
        id: `veth.delete:${c.name}:${iface.network}`,
        target,
        reason: !host
          ? `host end ${iface.hostVeth} missing`
          : !peer
            ? `peer ${iface.ifname} missing in the namespace`
            : `${iface.ifname} in the namespace is not the peer of ${iface.hostVeth}`,
        container: c.name,
        ...(host ? { hostVeth: iface.hostVeth } : { netns, peer: iface.ifname }),
      }),
    );
  }
  const vid = ctx.push({
    kind: 'veth.create',
    id: `veth.create:${c.name}:${iface.network}`,
    target,
    reason: ns ? 'missing' : 'new container',
    after,
    container: c.name,
    network: iface.network,
    netns,
    hostVeth: iface.hostVeth,
    bridge: iface.bridge,
    peer: iface.ifname,
    mac: iface.mac,
    mtu: iface.mtu,
    alias: iface.alias,
  });
  const out: InterfaceIds = { ids: [vid] };
  if (iface.address) {
    out.added4 = ctx.push(addrAdd(c, netns, iface, 4, `address ${iface.address}/${iface.prefixLen}`, [vid]));
    out.ids.push(out.added4);
  }
  if (iface.address6) {
    out.added6 = ctx.push(addrAdd(c, netns, iface, 6, `address ${iface.address6}/${iface.prefixLen6}`, [vid]));
    out.ids.push(out.added6);
  }
  return out;
}

/** Both ends exist: repair what drifted, in place. */
function repairVeth(ctx: DiffContext, c: DesiredContainer, netns: string, iface: DesiredInterface, host: ObservedLink, peer: ObservedLink): InterfaceIds {
  const ids: string[] = [];
  const hostFix = linkDrift(host, { up: true, mtu: iface.mtu, master: iface.bridge, hairpin: true });
  if (hostFix) {
    const br = ctx.bridgeReady.get(iface.network);
    ids.push(
      ctx.push({
        kind: 'link.update',
        id: `link.update:${c.name}:${iface.hostVeth}`,
        target: iface.hostVeth,
        reason: hostFix.reason,
        after: br ? [br] : [],
        container: c.name,
        ifname: iface.hostVeth,
        ...hostFix.change,
      }),
    );
  }
  const peerFix = linkDrift(peer, { up: true, mtu: iface.mtu, mac: iface.mac });
  if (peerFix) {
    ids.push(
      ctx.push({
        kind: 'link.update',
        id: `link.update:${c.name}:${iface.ifname}`,
        target: `${iface.ifname} of ${c.name}`,
        reason: peerFix.reason,
        container: c.name,
        netns,
        ifname: iface.ifname,
        ...peerFix.change,
      }),
    );
  }
  const v4 = ipv4Addresses(ctx, c, netns, iface, peer);
  const v6 = ipv6Addresses(ctx, c, netns, iface, peer);
  return { ids: [...ids, ...v4.ids, ...v6.ids], ...(v4.added ? { added4: v4.added } : {}), ...(v6.added ? { added6: v6.added } : {}) };
}
