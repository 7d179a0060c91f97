/**
 * rtnetlink over the `netlink` package: the few link, address and route
 * operations tscompose needs, each documented with its iproute2 equivalent.
 *
 * One `Rtnl` wraps one socket, bound to the network namespace it was opened
 * in (see netns.ts for opening one inside another namespace). Requests are
 * not serialized: callers may issue many at once and the kernel answers each
 * in order, which is where bulk speed comes from.
 */
// The rtnetlink part only: the package's index also loads its nl80211, WireGuard and genl codecs (~15 ms).
import { createRtNetlink, type RtNetlinkSocket } from 'netlink/dist/rt/rt';
import type * as rt from 'netlink/dist/rt/gen_structs';
import { isIPv4 } from 'node:net';
import { constants as osConstants } from 'node:os';
import type { Qdisc } from '../plan/shaping';
import { optionsFor, parseQdisc } from './tc';

// Netlink message flags (linux/netlink.h).
const NLM_F_REPLACE = 0x100;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;

// Attribute numbers used in hand-built nested attributes (linux/if_link.h, veth.h).
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFLA_BR_STP_STATE = 5;
const IFLA_INFO_SLAVE_KIND = 4;
const IFLA_INFO_SLAVE_DATA = 5;
const IFLA_BRPORT_MODE = 4;

/** The root of a link's qdisc tree (TC_H_ROOT). */
const TC_H_ROOT = 0xffffffff;

const AF_INET = 2;
const AF_INET6 = 10;
const RT_TABLE_MAIN = 254;

/** One netlink attribute, padded to 4 bytes (the kernel ignores what follows a misaligned one). */
export function attr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const out = Buffer.alloc(len + ((4 - (len % 4)) % 4));
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}
/** The attributes in `b` from `from` on, as `attr` lays them out (type without NLA_F_NESTED / NLA_F_NET_BYTEORDER). */
export function* attrsOf(b: Buffer, from = 0): Generator<{ type: number; data: Buffer }> {
  for (let off = from; off + 4 <= b.length; ) {
    const len = b.readUInt16LE(off);
    if (len < 4 || off + len > b.length) return;
    yield { type: b.readUInt16LE(off + 2) & 0x3fff, data: b.subarray(off + 4, off + len) };
    off += (len + 3) & ~3;
  }
}

export const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
};
const cstr = (s: string) => Buffer.from(s + '\0');

/** struct ifinfomsg (16 bytes), for the veth peer. */
function ifinfomsg(flags: number, change: number): Buffer {
  // Layout: family u8, pad u8, type u16, index s32, flags u32, change u32.
  const b = Buffer.alloc(16);
  b.writeUInt8(0, 0); // AF_UNSPEC
  b.writeUInt16LE(0, 2); // type
  b.writeInt32LE(0, 4); // index
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

export function macToBuffer(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}
export function bufferToMac(b: Buffer | undefined): string | undefined {
  if (!b || b.length !== 6) return undefined;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
export function ipToBuffer(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand '::'.
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const tl = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}
export function bufferToIp(b: Buffer | undefined): string | undefined {
  if (!b) return undefined;
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Compress the longest run of zero groups, as inet_ntop does.
  let best = -1,
    bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':');
}

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

export interface AddrInfo {
  index: number;
  family: 4 | 6;
  address: string;
  prefixLen: number;
}

export interface RouteInfo {
  family: 4 | 6;
  /** `default` or a CIDR. */
  dst: string;
  gateway?: string;
  oif?: number;
  table: number;
  protocol?: string;
  scope?: string;
  type?: string;
  /** RTA_PRIORITY. */
  metric?: number;
}

export interface QdiscInfo {
  index: number;
  kind?: string;
  /** Parsed when it is a qdisc tscompose makes (tbf, netem). */
  qdisc?: Qdisc;
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
  peer: {
    name: string;
    /** fd of the namespace the peer is created in. */
    netnsFd: number;
    mac?: string;
    mtu?: number;
  };
}

/**
 * The netlink package rejects with a bare `Error('Request rejected: EEXIST')`;
 * give it Node's shape (`code`, `errno`, `syscall`) so callers can branch on
 * the code and messages can say which request failed.
 */
function asErrno(e: unknown, syscall: string): Error & { code?: string; errno?: number; syscall: string } {
  const err = (e instanceof Error ? e : new Error(String(e))) as Error & { code?: string; errno?: number; syscall: string };
  const m = /Request rejected: (\w+)/.exec(err.message);
  if (m && !err.code) {
    err.code = m[1];
    const n = (osConstants.errno as Record<string, number>)[m[1]!];
    if (n !== undefined) err.errno = -n;
  }
  if (!err.syscall) err.syscall = syscall;
  return err;
}

function tag<T>(p: Promise<T>, syscall: string): Promise<T> {
  return p.catch((e: unknown) => {
    throw asErrno(e, syscall);
  });
}

function familyOf(ip: string): 4 | 6 {
  return isIPv4(ip) ? 4 : 6;
}

type P<K extends keyof RtNetlinkSocket> = RtNetlinkSocket[K] extends (...a: infer A) => unknown ? A : never;

export class Rtnl {
  /**
   * The netlink package reassembles one multipart (dump) reply at a time, and
   * an ACK arriving in the middle of a dump breaks it: dumps run alone, and
   * other requests wait while one is in progress. Plain requests still run
   * concurrently with each other.
   */
  private dumping: Promise<unknown> = Promise.resolve();

  /**
   * Requests in flight are bounded: replies (a link is ~1.5 KB) must fit the
   * socket's receive buffer (rmem_max, 208 KiB by default), or the kernel
   * drops them and reports ENOBUFS, which the netlink package cannot survive.
   */
  private inflight = 0;
  private readonly queue: Array<() => void> = [];
  static readonly MAX_IN_FLIGHT = 32;

  /**
   * The socket's netlink port, read once: the package would otherwise ask the
   * kernel (getsockname) for it on every message it sends.
   */
  private readonly port: number;

  private constructor(private readonly sock: RtNetlinkSocket) {
    this.port = sock.socket.address().port;
  }

  private with<O extends object>(o: O | undefined): O & { localPort: number } {
    return { ...(o ?? ({} as O)), localPort: this.port };
  }

  /** The socket's request methods, each going through `call`. */
  private readonly api = {
    newLink: (d: P<'newLink'>[0], a?: P<'newLink'>[1], o?: P<'newLink'>[2]) => this.call((s) => s.newLink(d, a, this.with(o))),
    setLink: (d: P<'setLink'>[0], a?: P<'setLink'>[1], o?: P<'setLink'>[2]) => this.call((s) => s.setLink(d, a, this.with(o))),
    delLink: (d: P<'delLink'>[0], a?: P<'delLink'>[1], o?: P<'delLink'>[2]) => this.call((s) => s.delLink(d, a, this.with(o))),
    newAddress: (d: P<'newAddress'>[0], a?: P<'newAddress'>[1], o?: P<'newAddress'>[2]) => this.call((s) => s.newAddress(d, a, this.with(o))),
    delAddress: (d: P<'delAddress'>[0], a?: P<'delAddress'>[1], o?: P<'delAddress'>[2]) => this.call((s) => s.delAddress(d, a, this.with(o))),
    newRoute: (d: P<'newRoute'>[0], a?: P<'newRoute'>[1], o?: P<'newRoute'>[2]) => this.call((s) => s.newRoute(d, a, this.with(o))),
    delRoute: (d: P<'delRoute'>[0], a?: P<'delRoute'>[1], o?: P<'delRoute'>[2]) => this.call((s) => s.delRoute(d, a, this.with(o))),
    newQdisc: (d: P<'newQdisc'>[0], a?: P<'newQdisc'>[1], o?: P<'newQdisc'>[2]) => this.call((s) => s.newQdisc(d, a, this.with(o))),
    delQdisc: (d: P<'delQdisc'>[0], a?: P<'delQdisc'>[1], o?: P<'delQdisc'>[2]) => this.call((s) => s.delQdisc(d, a, this.with(o))),
    newNeighbor: (d: P<'newNeighbor'>[0], a?: P<'newNeighbor'>[1], o?: P<'newNeighbor'>[2]) =>
      this.call((s) => s.newNeighbor(d, a, this.with(o))),
  };

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inflight >= Rtnl.MAX_IN_FLIGHT) await new Promise<void>((r) => this.queue.push(r));
    this.inflight++;
    try {
      return await fn();
    } finally {
      this.inflight--;
      this.queue.shift()?.();
    }
  }

  private dump<T>(fn: () => Promise<T>, syscall: string): Promise<T> {
    const go = () => this.slot(fn);
    const run = this.dumping.then(go, go);
    this.dumping = run.catch(() => undefined);
    return tag(run, syscall);
  }

  /** Run one request once no dump is in progress, within the in-flight bound. */
  private async call<T>(fn: (s: RtNetlinkSocket) => Promise<T>): Promise<T> {
    // A dump queued while we waited may already be sending: wait for it too.
    for (let d = this.dumping; ; d = this.dumping) {
      await d;
      if (d === this.dumping) break;
    }
    return this.slot(() => fn(this.sock));
  }

  /** A socket in the calling thread's current network namespace. */
  static open(): Rtnl {
    return new Rtnl(createRtNetlink());
  }

  close(): void {
    this.sock.socket.close();
  }

  // Equivalent to: ip -d link show
  async links(): Promise<LinkInfo[]> {
    const msgs = await this.dump(() => this.sock.getLinks(), 'RTM_GETLINK');
    return msgs.map(toLinkInfo);
  }

  async linkByName(name: string): Promise<LinkInfo | undefined> {
    try {
      const [m] = await this.call((s) => s.getLink({}, { ifname: name }, this.with(undefined)));
      return m ? toLinkInfo(m) : undefined;
    } catch (e) {
      const err = asErrno(e, 'RTM_GETLINK');
      if (err.code === 'ENODEV') return undefined;
      throw err;
    }
  }

  // Equivalent to: ip link add NAME address MAC mtu MTU up type bridge stp_state 0
  // A fixed MAC keeps the bridge's address from following its lowest port as ports come and go.
  async createBridge(opts: { name: string; mtu?: number; mac?: string; up?: boolean }): Promise<void> {
    const info = Buffer.concat([
      attr(IFLA_INFO_KIND, cstr('bridge')),
      attr(IFLA_INFO_DATA, attr(IFLA_BR_STP_STATE, u32(0))),
    ]);
    await tag(
      this.api.newLink(
        { flags: opts.up === false ? {} : { up: true }, change: { up: true } },
        {
          ifname: opts.name,
          ...(opts.mtu ? { mtu: opts.mtu } : {}),
          ...(opts.mac ? { address: macToBuffer(opts.mac) } : {}),
          linkinfo: info,
        },
        { flags: NLM_F_CREATE | NLM_F_EXCL },
      ),
      'RTM_NEWLINK',
    );
  }

  /**
   * Create a veth pair whose peer is born inside another namespace, already
   * named, so nothing is ever moved between namespaces (moving costs ~16 ms
   * per link on this kernel; creating in place under 1 ms). The peer cannot
   * be brought up in the same request (the kernel answers ENOTCONN): the
   * caller sets it up through a socket in its namespace.
   */
  // Equivalent to: ip link add NAME mtu MTU master BR up type veth peer name PEER netns NS address MAC mtu MTU
  async createVeth(v: VethSpec): Promise<void> {
    const peerAttrs = [attr(IFLA_IFNAME, cstr(v.peer.name)), attr(IFLA_NET_NS_FD, u32(v.peer.netnsFd))];
    if (v.peer.mac) peerAttrs.push(attr(IFLA_ADDRESS, macToBuffer(v.peer.mac)));
    if (v.peer.mtu) peerAttrs.push(attr(IFLA_MTU, u32(v.peer.mtu)));
    const peer = Buffer.concat([ifinfomsg(0, 0), ...peerAttrs]);
    const info = Buffer.concat([attr(IFLA_INFO_KIND, cstr('veth')), attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, peer))]);
    await tag(
      this.api.newLink(
        { flags: { up: true }, change: { up: true } },
        {
          ifname: v.name,
          ...(v.mtu ? { mtu: v.mtu } : {}),
          ...(v.master !== undefined ? { master: v.master } : {}),
          linkinfo: info,
        },
        { flags: NLM_F_CREATE | NLM_F_EXCL },
      ),
      'RTM_NEWLINK',
    );
  }

  /**
   * Create a veth pair whose two ends are born in two other namespaces (a
   * p2p link between containers), already named: the request goes through
   * this socket but nothing ever appears here, and nothing is moved. The
   * first end comes up in the same request; the caller sets the peer up
   * through a socket in its namespace (the kernel refuses it here: ENOTCONN).
   */
  // Equivalent to: ip link add A netns NS_A address MAC mtu MTU up type veth peer name B netns NS_B address MAC mtu MTU
  async createVethPair(a: VethEnd, b: VethEnd): Promise<void> {
    const peerAttrs = [attr(IFLA_IFNAME, cstr(b.name)), attr(IFLA_NET_NS_FD, u32(b.netnsFd))];
    if (b.mac) peerAttrs.push(attr(IFLA_ADDRESS, macToBuffer(b.mac)));
    if (b.mtu) peerAttrs.push(attr(IFLA_MTU, u32(b.mtu)));
    const peer = Buffer.concat([ifinfomsg(0, 0), ...peerAttrs]);
    const info = Buffer.concat([attr(IFLA_INFO_KIND, cstr('veth')), attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, peer))]);
    await tag(
      this.api.newLink(
        { flags: { up: true }, change: { up: true } },
        {
          ifname: a.name,
          netNsFd: a.netnsFd,
          ...(a.mtu ? { mtu: a.mtu } : {}),
          ...(a.mac ? { address: macToBuffer(a.mac) } : {}),
          linkinfo: info,
        },
        { flags: NLM_F_CREATE | NLM_F_EXCL },
      ),
      'RTM_NEWLINK',
    );
  }

  /** Change a link, named by ifindex or by name (the kernel looks the name up: no extra round trip). */
  // Equivalent to: ip link set dev NAME [up|down] [mtu N] [master BR|nomaster] [alias TEXT] [address MAC]
  async setLink(
    link: number | string,
    change: { up?: boolean; mtu?: number; master?: number; alias?: string; mac?: string },
  ): Promise<void> {
    const data: rt.Link = { index: typeof link === 'number' ? link : 0 };
    if (change.up !== undefined) {
      data.flags = change.up ? { up: true } : {};
      data.change = { up: true };
    }
    await tag(
      this.api.setLink(data, {
        ...(typeof link === 'string' ? { ifname: link } : {}),
        ...(change.mtu !== undefined ? { mtu: change.mtu } : {}),
        ...(change.master !== undefined ? { master: change.master } : {}),
        ...(change.alias !== undefined ? { ifalias: change.alias } : {}),
        ...(change.mac !== undefined ? { address: macToBuffer(change.mac) } : {}),
      }),
      'RTM_SETLINK',
    );
  }

  /**
   * Hairpin mode on a bridge port: with br_netfilter, a container reaching
   * its own published port is DNATed back out of the port it came in on,
   * which a bridge only does in hairpin mode (Docker sets it too). The
   * port's alias (our ownership mark) can ride in the same request: the
   * kernel applies a change to an existing link's bridge-port data, then
   * its other attributes (rtnl_changelink, then do_setlink).
   */
  // Equivalent to: ip link set dev NAME [alias TEXT] type bridge_slave hairpin on
  async setHairpin(name: string, on: boolean, alias?: string): Promise<void> {
    const info = Buffer.concat([
      attr(IFLA_INFO_SLAVE_KIND, cstr('bridge')),
      attr(IFLA_INFO_SLAVE_DATA, attr(IFLA_BRPORT_MODE, Buffer.from([on ? 1 : 0]))),
    ]);
    await tag(this.api.newLink({}, { ifname: name, ...(alias !== undefined ? { ifalias: alias } : {}), linkinfo: info }, { flags: 0 }), 'RTM_NEWLINK');
  }

  /** Delete a link; a link that is already gone counts as deleted (CNI's DEL rule). */
  // Equivalent to: ip link del dev NAME
  async deleteLink(index: number): Promise<void> {
    try {
      await this.api.delLink({ index });
    } catch (e) {
      const err = asErrno(e, 'RTM_DELLINK');
      if (err.code === 'ENODEV') return;
      throw err;
    }
  }

  // Equivalent to: ip -d addr show
  async addresses(): Promise<AddrInfo[]> {
    const msgs = await this.dump(() => this.sock.getAddresses(), 'RTM_GETADDR');
    const out: AddrInfo[] = [];
    for (const m of msgs) {
      const ip = bufferToIp(m.attrs.local ?? m.attrs.address);
      if (!ip || m.data.index === undefined) continue;
      out.push({ index: m.data.index, family: familyOf(ip), address: ip, prefixLen: m.data.prefixlen ?? 0 });
    }
    return out;
  }

  /** Add ADDR/PREFIX; an identical address already there counts as added. */
  // Equivalent to: ip addr add ADDR/PREFIX dev IFINDEX
  async addAddress(index: number, address: string, prefixLen: number): Promise<void> {
    const fam = familyOf(address);
    const raw = ipToBuffer(address);
    try {
      await this.api.newAddress(
        { family: fam === 4 ? AF_INET : AF_INET6, prefixlen: prefixLen, index, ...(fam === 6 ? { flags: { nodad: true } } : {}) },
        { local: raw, address: raw },
        { flags: NLM_F_CREATE | NLM_F_EXCL },
      );
    } catch (e) {
      const err = asErrno(e, 'RTM_NEWADDR');
      if (err.code === 'EEXIST') {
        const have = (await this.addresses()).some((a) => a.index === index && a.address === address && a.prefixLen === prefixLen);
        if (have) return;
      }
      throw err;
    }
  }

  // Equivalent to: ip addr del ADDR/PREFIX dev IFINDEX
  async deleteAddress(index: number, address: string, prefixLen: number): Promise<void> {
    const fam = familyOf(address);
    const raw = ipToBuffer(address);
    try {
      await this.api.delAddress({ family: fam === 4 ? AF_INET : AF_INET6, prefixlen: prefixLen, index }, { local: raw, address: raw });
    } catch (e) {
      const err = asErrno(e, 'RTM_DELADDR');
      if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENODEV') return;
      throw err;
    }
  }

  // Equivalent to: ip route show table main; ip -6 route show table main
  async routes(): Promise<RouteInfo[]> {
    const msgs = await this.dump(() => this.sock.getRoutes(), 'RTM_GETROUTE');
    const out: RouteInfo[] = [];
    for (const m of msgs) {
      const fam = m.data.family === AF_INET6 ? 6 : 4;
      const table = m.attrs.table ?? m.data.table ?? 0;
      const dstIp = bufferToIp(m.attrs.dst);
      const dst = dstIp ? `${dstIp}/${m.data.dstLen}` : m.data.dstLen ? '?' : 'default';
      out.push({
        family: fam,
        dst,
        gateway: bufferToIp(m.attrs.gateway),
        oif: m.attrs.oif,
        table,
        protocol: String(m.data.protocol ?? ''),
        scope: String(m.data.scope ?? ''),
        type: String(m.data.type ?? ''),
        ...(m.attrs.priority !== undefined ? { metric: m.attrs.priority } : {}),
      });
    }
    return out;
  }

  /** Add or replace a route in the main table (`proto boot`, as `ip route` makes them, unless told). */
  // Equivalent to: ip route replace DST [via GW] [dev OIF] [metric N] [proto static]
  async replaceRoute(r: { dst: string; gateway?: string; oif?: number; metric?: number; family?: 4 | 6; protocol?: 'STATIC' }): Promise<void> {
    const { family, dstBuf, dstLen } = routeDst(r.dst, r.gateway, r.family);
    await tag(
      this.api.newRoute(
        {
          family: family === 4 ? AF_INET : AF_INET6,
          dstLen,
          table: RT_TABLE_MAIN,
          protocol: r.protocol ?? 'BOOT',
          scope: r.gateway ? 'UNIVERSE' : 'LINK',
          type: 'UNICAST',
        },
        {
          ...(dstBuf ? { dst: dstBuf } : {}),
          ...(r.gateway ? { gateway: ipToBuffer(r.gateway) } : {}),
          ...(r.oif !== undefined ? { oif: r.oif } : {}),
          ...(r.metric !== undefined ? { priority: r.metric } : {}),
        },
        { flags: NLM_F_CREATE | NLM_F_REPLACE },
      ),
      'RTM_NEWROUTE',
    );
  }

  // Equivalent to: ip route del DST [via GW] [metric N]
  async deleteRoute(r: { dst: string; gateway?: string; family?: 4 | 6; metric?: number }): Promise<void> {
    const { family, dstBuf, dstLen } = routeDst(r.dst, r.gateway, r.family);
    try {
      await this.api.delRoute(
        { family: family === 4 ? AF_INET : AF_INET6, dstLen, table: RT_TABLE_MAIN },
        {
          ...(dstBuf ? { dst: dstBuf } : {}),
          ...(r.gateway ? { gateway: ipToBuffer(r.gateway) } : {}),
          ...(r.metric !== undefined ? { priority: r.metric } : {}),
        },
      );
    } catch (e) {
      const err = asErrno(e, 'RTM_DELROUTE');
      if (err.code === 'ESRCH') return;
      throw err;
    }
  }

  /**
   * A permanent neighbour entry: the kernel never resolves the address,
   * and permanent entries do not count against the neighbour table's
   * gc_thresh3, which all network namespaces share (1024 entries by default).
   */
  // Equivalent to: ip neigh replace ADDRESS lladdr MAC dev IFINDEX nud permanent
  async replaceNeighbor(index: number, address: string, mac: string): Promise<void> {
    await tag(
      this.api.newNeighbor(
        { family: familyOf(address) === 4 ? AF_INET : AF_INET6, ifindex: index, state: { permanent: true } },
        { dst: ipToBuffer(address), lladdr: macToBuffer(mac) },
        { flags: NLM_F_CREATE | NLM_F_REPLACE },
      ),
      'RTM_NEWNEIGH',
    );
  }

  // Equivalent to: tc qdisc show
  async qdiscs(): Promise<QdiscInfo[]> {
    const msgs = await this.dump(() => this.sock.getQdiscs(), 'RTM_GETQDISC');
    const out: QdiscInfo[] = [];
    for (const m of msgs) {
      if (m.data.parent !== TC_H_ROOT || m.data.ifindex === undefined) continue;
      const kind = m.attrs.kind;
      const qdisc = parseQdisc(kind, m.attrs.options);
      out.push({ index: m.data.ifindex, ...(kind ? { kind } : {}), ...(qdisc ? { qdisc } : {}) });
    }
    return out;
  }

  /**
   * Set a link's root qdisc: the same kind is changed in place (packets
   * queued stay queued), another kind replaces it.
   */
  // Equivalent to: tc qdisc replace dev IFINDEX root tbf … | netem …
  async replaceQdisc(index: number, q: Qdisc): Promise<void> {
    await tag(
      this.api.newQdisc(
        { family: 0, ifindex: index, handle: 0, parent: TC_H_ROOT, info: 0 },
        { kind: q.kind, options: optionsFor(q) },
        { flags: NLM_F_CREATE | NLM_F_REPLACE },
      ),
      'RTM_NEWQDISC',
    );
  }

  /** Back to the kernel's default root qdisc; none of ours there counts as removed. */
  // Equivalent to: tc qdisc del dev IFINDEX root
  async deleteQdisc(index: number): Promise<void> {
    try {
      await this.api.delQdisc({ family: 0, ifindex: index, handle: 0, parent: TC_H_ROOT, info: 0 });
    } catch (e) {
      const err = asErrno(e, 'RTM_DELQDISC');
      if (err.code === 'ENOENT' || err.code === 'EINVAL' || err.code === 'ENODEV') return;
      throw err;
    }
  }
}

function routeDst(dst: string, gateway?: string, family?: 4 | 6): { family: 4 | 6; dstBuf?: Buffer; dstLen: number } {
  if (dst === 'default') {
    return { family: family ?? (gateway ? familyOf(gateway) : 4), dstLen: 0 };
  }
  const [ip, len] = dst.split('/');
  return { family: familyOf(ip!), dstBuf: ipToBuffer(ip!), dstLen: Number(len) };
}

/** The attributes of one level of a nested attribute: type → payload (the first of each type). */
function nested(buf: Buffer | undefined): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  if (buf) for (const a of attrsOf(buf)) if (!out.has(a.type)) out.set(a.type, a.data);
  return out;
}

const cstring = (b: Buffer | undefined) => b?.toString().replace(/\0+$/, '');

/**
 * What IFLA_LINKINFO says, read once: IFLA_INFO_KIND ('bridge', 'veth', …)
 * and, for a bridge port, its hairpin mode (IFLA_INFO_SLAVE_DATA →
 * IFLA_BRPORT_MODE).
 */
function parseLinkInfo(linkinfo: Buffer | undefined): { kind?: string; hairpin?: boolean } {
  const info = nested(linkinfo);
  const kind = cstring(info.get(IFLA_INFO_KIND));
  if (cstring(info.get(IFLA_INFO_SLAVE_KIND)) !== 'bridge') return { kind };
  const mode = nested(info.get(IFLA_INFO_SLAVE_DATA)).get(IFLA_BRPORT_MODE);
  return { kind, hairpin: mode && mode.length >= 1 ? mode[0] === 1 : undefined };
}

function toLinkInfo(m: { data: rt.Link; attrs: any }): LinkInfo {
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
