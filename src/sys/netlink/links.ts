/**
 * IFLA_LINKINFO, the nested attribute that says what kind a link is and
 * carries its kind's own data (linux/if_link.h, linux/veth.h): built for
 * the bridges and veths tscompose creates, parsed back from a link dump.
 */
import type * as rt from 'netlink/dist/rt/gen_structs';
import { attr, bufferToMac, cstr, cstring, ifinfomsg, ipToBuffer, macToBuffer, nested, u32 } from './wire';

// linux/if_link.h
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_INFO_SLAVE_KIND = 4;
const IFLA_INFO_SLAVE_DATA = 5;
const IFLA_BR_STP_STATE = 5;
const IFLA_BRPORT_MODE = 4;
// linux/veth.h
const VETH_INFO_PEER = 1;
// linux/if_link.h, IFLA_VXLAN_*
const IFLA_VXLAN_ID = 1;
const IFLA_VXLAN_GROUP = 2;
const IFLA_VXLAN_LOCAL = 4;
const IFLA_VXLAN_LEARNING = 7;
const IFLA_VXLAN_PORT = 15;
const IFLA_VXLAN_GROUP6 = 16;
const IFLA_VXLAN_LOCAL6 = 17;

export interface LinkInfo {
  index: number;
  name: string;
  kind?: string; // 'bridge', 'veth', … (IFLA_INFO_KIND)
  alias?: string;
  mtu?: number;
  mac?: string;
  up: boolean;
  /** ifindex of the master (bridge port). */
  master?: number;
  /** IFLA_LINK: for a veth, the ifindex of its peer (in the peer's namespace). */
  peerIndex?: number;
  /** A bridge port's hairpin mode (IFLA_BRPORT_MODE); absent on other links. */
  hairpin?: boolean;
}

/** One end of a veth pair created by createVethPair. */
export interface VethEnd {
  name: string;
  /** fd of the namespace the end is born in. */
  netnsFd: number;
  mac?: string;
  mtu?: number;
}

export interface VethSpec {
  /** Host-side name (in this socket's namespace). */
  name: string;
  /** Enslave the host side to this bridge ifindex. */
  master?: number;
  mtu?: number;
  peer: VethEnd;
}

// Equivalent to: type bridge stp_state 0
// Equivalent to: type dummy
export function dummyInfo(): Buffer {
  return attr(IFLA_INFO_KIND, cstr('dummy'));
}

export function bridgeInfo(): Buffer {
  return Buffer.concat([attr(IFLA_INFO_KIND, cstr('bridge')), attr(IFLA_INFO_DATA, attr(IFLA_BR_STP_STATE, u32(0)))]);
}

/**
 * The peer of a veth, named and born in its namespace: VETH_INFO_PEER holds a
 * whole struct ifinfomsg followed by the peer's own IFLA_* attributes.
 */
// Equivalent to: type veth peer name PEER netns NS address MAC mtu MTU
export function vethInfo(peer: VethEnd): Buffer {
  const peerAttrs = [attr(IFLA_IFNAME, cstr(peer.name)), attr(IFLA_NET_NS_FD, u32(peer.netnsFd))];
  if (peer.mac) peerAttrs.push(attr(IFLA_ADDRESS, macToBuffer(peer.mac)));
  if (peer.mtu) peerAttrs.push(attr(IFLA_MTU, u32(peer.mtu)));
  const body = Buffer.concat([ifinfomsg(0, 0), ...peerAttrs]);
  return Buffer.concat([attr(IFLA_INFO_KIND, cstr('veth')), attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, body))]);
}

/** A unicast VXLAN tunnel: its VNI, the peer's and our underlay addresses, and the UDP port. */
export interface VxlanSpec {
  vni: number;
  remote: string;
  local: string;
  port: number;
  /** Learn MAC → remote from what arrives (default: no, every frame goes to `remote`). */
  learning?: boolean;
}

/**
 * A unicast VXLAN device: every frame goes to `remote` (the default
 * all-zeros FDB entry the kernel makes from `remote`), nothing is learnt.
 */
// Equivalent to: type vxlan id VNI remote REMOTE local LOCAL dstport PORT [no]learning
export function vxlanInfo(v: VxlanSpec): Buffer {
  const v6 = v.remote.includes(':');
  const port = Buffer.alloc(2);
  port.writeUInt16BE(v.port);
  const data = Buffer.concat([
    attr(IFLA_VXLAN_ID, u32(v.vni)),
    attr(v6 ? IFLA_VXLAN_GROUP6 : IFLA_VXLAN_GROUP, ipToBuffer(v.remote)),
    attr(v6 ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL, ipToBuffer(v.local)),
    attr(IFLA_VXLAN_LEARNING, Buffer.from([v.learning ? 1 : 0])),
    attr(IFLA_VXLAN_PORT, port),
  ]);
  return Buffer.concat([attr(IFLA_INFO_KIND, cstr('vxlan')), attr(IFLA_INFO_DATA, data)]);
}

// Equivalent to: type bridge_slave hairpin on|off
export function hairpinInfo(on: boolean): Buffer {
  return Buffer.concat([
    attr(IFLA_INFO_SLAVE_KIND, cstr('bridge')),
    attr(IFLA_INFO_SLAVE_DATA, attr(IFLA_BRPORT_MODE, Buffer.from([on ? 1 : 0]))),
  ]);
}

/**
 * What IFLA_LINKINFO says, read once: IFLA_INFO_KIND ('bridge', 'veth', …)
 * and, for a bridge port, its hairpin mode (IFLA_INFO_SLAVE_DATA →
 * IFLA_BRPORT_MODE).
 */
export function parseLinkInfo(linkinfo: Buffer | undefined): { kind?: string; hairpin?: boolean } {
  const info = nested(linkinfo);
  const kind = cstring(info.get(IFLA_INFO_KIND));
  if (cstring(info.get(IFLA_INFO_SLAVE_KIND)) !== 'bridge') return { kind };
  const mode = nested(info.get(IFLA_INFO_SLAVE_DATA)).get(IFLA_BRPORT_MODE);
  return { kind, hairpin: mode && mode.length >= 1 ? mode[0] === 1 : undefined };
}

export function toLinkInfo(m: { data: rt.Link; attrs: any }): LinkInfo {
  const { kind, hairpin } = parseLinkInfo(m.attrs.linkinfo);
  return {
    index: m.data.index!,
    name: m.attrs.ifname,
    kind,
    alias: m.attrs.ifalias || undefined,
    mtu: m.attrs.mtu,
    mac: bufferToMac(m.attrs.address),
    up: !!m.data.flags?.up,
    master: m.attrs.master || undefined,
    peerIndex: Buffer.isBuffer(m.attrs.link) && m.attrs.link.length >= 4 ? m.attrs.link.readUInt32LE(0) : undefined,
    hairpin,
  };
}
