/**
 * The fixed header and attributes of each address, route and neighbour
 * request rtnl.ts sends, as plain values: the `netlink` package encodes them
 * (struct ifaddrmsg, rtmsg, ndmsg; linux/if_addr.h, rtnetlink.h,
 * neighbour.h), and the unit tests check the bytes it makes of them.
 */
import type * as rt from 'netlink/dist/rt/gen_structs';
import { isIPv4 } from 'node:net';
import { ipToBuffer, macToBuffer } from './wire';

export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_BRIDGE = 7;
const RT_TABLE_MAIN = 254;

export function familyOf(ip: string): 4 | 6 {
  return isIPv4(ip) ? 4 : 6;
}
const afOf = (ip: string) => (familyOf(ip) === 4 ? AF_INET : AF_INET6);

/** IPv6 addresses skip duplicate address detection (nodad): the plan already made them unique. */
// Equivalent to: ip addr add|del ADDR/PREFIX dev IFINDEX [nodad]
export function addressRequest(index: number, address: string, prefixLen: number, add: boolean): { data: rt.Address; attrs: rt.AddressAttrs } {
  const raw = ipToBuffer(address);
  const nodad = add && familyOf(address) === 6 ? { flags: { nodad: true as const } } : {};
  return { data: { family: afOf(address), prefixlen: prefixLen, index, ...nodad }, attrs: { local: raw, address: raw } };
}

export interface RouteSpec {
  /** `default` or a CIDR. */
  dst: string;
  gateway?: string;
  oif?: number;
  metric?: number;
  /** Of a default route without a gateway (else it follows the addresses). */
  family?: 4 | 6;
  protocol?: 'STATIC';
}

/** A route in the main table (`proto boot`, as `ip route` makes them, unless told); `del` carries only what names it. */
// Equivalent to: ip route replace|del DST [via GW] [dev OIF] [metric N] [proto static]
export function routeRequest(r: RouteSpec, del = false): { data: rt.Route; attrs: rt.RouteAttrs } {
  const { family, dstBuf, dstLen } = routeDst(r.dst, r.gateway, r.family);
  const data: rt.Route = { family: family === 4 ? AF_INET : AF_INET6, dstLen, table: RT_TABLE_MAIN };
  if (!del) Object.assign(data, { protocol: r.protocol ?? 'BOOT', scope: r.gateway ? 'UNIVERSE' : 'LINK', type: 'UNICAST' });
  const attrs: rt.RouteAttrs = {
    ...(dstBuf ? { dst: dstBuf } : {}),
    ...(r.gateway ? { gateway: ipToBuffer(r.gateway) } : {}),
    ...(r.oif !== undefined && !del ? { oif: r.oif } : {}),
    ...(r.metric !== undefined ? { priority: r.metric } : {}),
  };
  return { data, attrs };
}

function routeDst(dst: string, gateway?: string, family?: 4 | 6): { family: 4 | 6; dstBuf?: Buffer; dstLen: number } {
  if (dst === 'default') return { family: family ?? (gateway ? familyOf(gateway) : 4), dstLen: 0 };
  const [ip, len] = dst.split('/');
  return { family: familyOf(ip!), dstBuf: ipToBuffer(ip!), dstLen: Number(len) };
}

// Equivalent to: ip neigh replace ADDRESS lladdr MAC dev IFINDEX nud permanent
export function neighborRequest(index: number, address: string, mac: string): { data: rt.Neighbor; attrs: rt.NeighborAttrs } {
  return {
    data: { family: afOf(address), ifindex: index, state: { permanent: true } },
    attrs: { dst: ipToBuffer(address), lladdr: macToBuffer(mac) },
  };
}
