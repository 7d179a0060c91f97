/**
 * The planned addresses of a bridged interface: added when missing, others
 * (not link-local) removed. IPv4 and IPv6 are separate: each has its own
 * reason and its own default route waiting on it.
 */
import { isLinkLocal } from '../../net/ip';
import type { Draft } from '../actions';
import type { DesiredContainer, DesiredInterface, ObservedLink } from '../model';
import type { DiffContext } from './context';

/** The ids pushed, and the id of the planned address's addr.add when there is one. */
export interface AddressIds {
  ids: string[];
  added?: string;
}

const global = (peer: ObservedLink, family: 4 | 6) => peer.addresses.filter((a) => a.address.includes(':') === (family === 6) && !isLinkLocal(a.address));

/** IPv4 of an interface whose veth stays: the planned address added, other ones removed. */
export function ipv4Addresses(ctx: DiffContext, c: DesiredContainer, netns: string, iface: DesiredInterface, peer: ObservedLink): AddressIds {
  const out: AddressIds = { ids: [] };
  const planned = (a: { address: string; prefixLen: number }) => a.address === iface.address && a.prefixLen === iface.prefixLen;
  const have = global(peer, 4);
  for (const a of have) {
    if (planned(a)) continue;
    const why = iface.address ? `is not the planned ${iface.address}/${iface.prefixLen}` : 'on an IPv6-only network';
    out.ids.push(ctx.push(addrDelete(c, netns, iface, a, `address ${a.address}/${a.prefixLen} ${why}`)));
  }
  if (!iface.address || peer.addresses.some(planned)) return out;
  const reason = have.length ? `address changed to ${iface.address}/${iface.prefixLen}` : `address ${iface.address}/${iface.prefixLen} missing`;
  out.added = ctx.push(addrAdd(c, netns, iface, 4, reason));
  out.ids.push(out.added);
  return out;
}

/** IPv6 of an interface whose veth stays: the planned address added, other global ones removed. */
export function ipv6Addresses(ctx: DiffContext, c: DesiredContainer, netns: string, iface: DesiredInterface, peer: ObservedLink): AddressIds {
  const out: AddressIds = { ids: [] };
  const have = global(peer, 6);
  for (const a of have) {
    if (a.address === iface.address6 && a.prefixLen === iface.prefixLen6) continue;
    const reason = iface.address6
      ? `address ${a.address}/${a.prefixLen} is not the planned ${iface.address6}/${iface.prefixLen6}`
      : `address ${a.address}/${a.prefixLen}: the network has no IPv6`;
    out.ids.push(ctx.push(addrDelete(c, netns, iface, a, reason)));
  }
  if (!iface.address6 || have.some((a) => a.address === iface.address6 && a.prefixLen === iface.prefixLen6)) return out;
  out.added = ctx.push(addrAdd(c, netns, iface, 6, `address ${iface.address6}/${iface.prefixLen6} missing`));
  out.ids.push(out.added);
  return out;
}

/** The addr.add of an interface's planned IPv4 (4) or IPv6 (6) address. */
export function addrAdd(c: DesiredContainer, netns: string, iface: DesiredInterface, family: 4 | 6, reason: string, after?: string[]): Draft {
  const v6 = family === 6;
  return {
    kind: 'addr.add',
    id: `${v6 ? 'addr.add6' : 'addr.add'}:${c.name}:${iface.ifname}`,
    target: `${iface.ifname} of ${c.name}`,
    reason,
    ...(after ? { after } : {}),
    container: c.name,
    netns,
    ifname: iface.ifname,
    address: v6 ? iface.address6! : iface.address!,
    prefixLen: v6 ? iface.prefixLen6! : iface.prefixLen!,
  };
}

function addrDelete(c: DesiredContainer, netns: string, iface: DesiredInterface, a: { address: string; prefixLen: number }, reason: string): Draft {
  return {
    kind: 'addr.delete',
    id: `addr.delete:${c.name}:${iface.ifname}:${a.address}/${a.prefixLen}`,
    target: `${iface.ifname} of ${c.name}`,
    reason,
    container: c.name,
    netns,
    ifname: iface.ifname,
    address: a.address,
    prefixLen: a.prefixLen,
  };
}
