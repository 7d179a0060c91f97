/**
 * rtnetlink over the `netlink` package: the few link, address, route,
 * neighbour and qdisc operations tscompose needs, each documented with its
 * iproute2 equivalent.
 *
 * One `Rtnl` wraps one socket, bound to the network namespace it was opened
 * in (see netns.ts for opening one inside another namespace). Requests are
 * not serialized: callers may issue many at once and the kernel answers each
 * in order, which is where bulk speed comes from (socket.ts bounds them and
 * recovers from overruns).
 */
import type * as rt from 'netlink/dist/rt/gen_structs';
import type * as ifla from 'netlink/dist/rt/ifla';
import type { Qdisc } from '../../plan/shaping';
import { bridgeInfo, dummyInfo, hairpinInfo, toLinkInfo, vethInfo, vxlanInfo, type LinkInfo, type VethEnd, type VethSpec, type VxlanSpec } from './links';
import { lowerLinkInfo, type LowerLinkSpec } from './lower-links';
import { RtnlSocket } from './socket';
import { deleteRootQdisc, listQdiscs, replaceRootQdisc, type QdiscInfo } from './tc';
import { addressRequest, AF_BRIDGE, AF_INET6, familyOf, neighborRequest, routeRequest, type RouteSpec } from './requests';
import { bufferToIp, ipToBuffer, macToBuffer, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from './wire';

export type { LinkInfo, VethEnd, VethSpec } from './links';
export type { QdiscInfo } from './tc';

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

const codeOf = (e: unknown) => (e as { code?: string }).code;

export class Rtnl extends RtnlSocket {
  /** A socket in the calling thread's current network namespace. */
  static open(): Rtnl {
    return new Rtnl(RtnlSocket.openSocket());
  }

  // Equivalent to: ip -d link show
  async links(): Promise<LinkInfo[]> {
    const msgs = await this.dump('RTM_GETLINK', (s, localPort) => s.getLinks(undefined, undefined, { localPort }));
    return msgs.map(toLinkInfo);
  }

  // Equivalent to: ip -d link show dev NAME
  async linkByName(name: string): Promise<LinkInfo | undefined> {
    try {
      const [m] = await this.call('RTM_GETLINK', (s, localPort) => s.getLink({}, { ifname: name }, { localPort }));
      return m ? toLinkInfo(m) : undefined;
    } catch (e) {
      if (codeOf(e) === 'ENODEV') return undefined;
      throw e;
    }
  }

  // Equivalent to: ip link add NAME address MAC mtu MTU up type bridge stp_state 0
  // A fixed MAC keeps the bridge's address from following its lowest port as ports come and go.
  async createBridge(opts: { name: string; mtu?: number; mac?: string; up?: boolean }): Promise<void> {
    await this.createLink(opts.up !== false, {
      ifname: opts.name,
      ...(opts.mtu ? { mtu: opts.mtu } : {}),
      ...(opts.mac ? { address: macToBuffer(opts.mac) } : {}),
      linkinfo: bridgeInfo(),
    });
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
    await this.createLink(true, {
      ifname: v.name,
      ...(v.mtu ? { mtu: v.mtu } : {}),
      ...(v.master !== undefined ? { master: v.master } : {}),
      linkinfo: vethInfo(v.peer),
    });
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
    await this.createLink(true, {
      ifname: a.name,
      netNsFd: a.netnsFd,
      ...(a.mtu ? { mtu: a.mtu } : {}),
      ...(a.mac ? { address: macToBuffer(a.mac) } : {}),
      linkinfo: vethInfo(b),
    });
  }

  /**
   * A unicast VXLAN device. Its UDP socket lives in this socket's namespace
   * (the underlay) even when the device is born in another (`netnsFd`: a
   * container's namespace, where it is the end of a p2p link).
   */
  // Equivalent to: ip link add NAME [netns NS] [address MAC] mtu MTU [master BR] up type vxlan id VNI remote REMOTE local LOCAL dstport PORT nolearning
  async createVxlan(opts: { name: string; netnsFd?: number; mac?: string; mtu: number; master?: number } & VxlanSpec): Promise<void> {
    await this.createLink(true, {
      ifname: opts.name,
      mtu: opts.mtu,
      ...(opts.netnsFd !== undefined ? { netNsFd: opts.netnsFd } : {}),
      ...(opts.mac ? { address: macToBuffer(opts.mac) } : {}),
      ...(opts.master !== undefined ? { master: opts.master } : {}),
      linkinfo: vxlanInfo(opts),
    });
  }

  /**
   * A macvlan/ipvlan on a parent of this socket's namespace, born in another
   * namespace already named (nothing is moved). Down: the caller marks it
   * and brings it up through a socket in its namespace.
   */
  // Equivalent to: ip link add link PARENT name NAME netns NS address MAC mtu MTU type macvlan mode MODE
  //            or: ip link add link PARENT name NAME netns NS mtu MTU type ipvlan mode MODE FLAG
  /** A dummy link (the parent of a macvlan/ipvlan network without one), in this socket's namespace. */
  // Equivalent to: ip link add NAME [mtu N] [up] type dummy; ip link set NAME alias MARK
  async createDummy(opts: { name: string; mtu?: number; up?: boolean; alias?: string }): Promise<void> {
    await this.createLink(opts.up !== false, { ifname: opts.name, ...(opts.mtu ? { mtu: opts.mtu } : {}), linkinfo: dummyInfo() });
    if (opts.alias) await this.setLink(opts.name, { alias: opts.alias });
  }

  async createLowerLink(s: LowerLinkSpec): Promise<void> {
    const link = Buffer.alloc(4);
    link.writeUInt32LE(s.parent, 0);
    await this.createLink(false, {
      ifname: s.name,
      link,
      ...(s.netnsFd !== undefined ? { netNsFd: s.netnsFd } : {}),
      ...(s.mtu ? { mtu: s.mtu } : {}),
      ...(s.mac ? { address: macToBuffer(s.mac) } : {}),
      linkinfo: lowerLinkInfo(s),
    });
  }

  /**
   * RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL: never re-sent after an
   * overrun (the kernel may have made the link; the next run observes it).
   */
  private async createLink(up: boolean, attrs: ifla.LinkAttrs): Promise<void> {
    const data: rt.Link = { flags: up ? { up: true } : {}, change: { up: true } };
    await this.call('RTM_NEWLINK', (s, localPort) => s.newLink(data, attrs, { flags: NLM_F_CREATE | NLM_F_EXCL, localPort }), 'once');
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
    const attrs = {
      ...(typeof link === 'string' ? { ifname: link } : {}),
      ...(change.mtu !== undefined ? { mtu: change.mtu } : {}),
      ...(change.master !== undefined ? { master: change.master } : {}),
      ...(change.alias !== undefined ? { ifalias: change.alias } : {}),
      ...(change.mac !== undefined ? { address: macToBuffer(change.mac) } : {}),
    };
    await this.call('RTM_SETLINK', (s, localPort) => s.setLink(data, attrs, { localPort }));
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
    const attrs = { ifname: name, ...(alias !== undefined ? { ifalias: alias } : {}), linkinfo: hairpinInfo(on) };
    await this.call('RTM_NEWLINK', (s, localPort) => s.newLink({}, attrs, { flags: 0, localPort }));
  }

  /** Delete a link; a link that is already gone counts as deleted (CNI's DEL rule). */
  // Equivalent to: ip link del dev NAME
  async deleteLink(index: number): Promise<void> {
    try {
      await this.call('RTM_DELLINK', (s, localPort) => s.delLink({ index }, undefined, { localPort }));
    } catch (e) {
      if (codeOf(e) !== 'ENODEV') throw e;
    }
  }

  // Equivalent to: ip -d addr show
  async addresses(): Promise<AddrInfo[]> {
    const msgs = await this.dump('RTM_GETADDR', (s, localPort) => s.getAddresses(undefined, undefined, { localPort }));
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
    const { data, attrs } = addressRequest(index, address, prefixLen, true);
    try {
      await this.call('RTM_NEWADDR', (s, localPort) =>
        s.newAddress(data, attrs, { flags: NLM_F_CREATE | NLM_F_EXCL, localPort }),
      );
    } catch (e) {
      if (codeOf(e) === 'EEXIST') {
        const have = (await this.addresses()).some((a) => a.index === index && a.address === address && a.prefixLen === prefixLen);
        if (have) return;
      }
      throw e;
    }
  }

  // Equivalent to: ip addr del ADDR/PREFIX dev IFINDEX
  async deleteAddress(index: number, address: string, prefixLen: number): Promise<void> {
    const { data, attrs } = addressRequest(index, address, prefixLen, false);
    try {
      await this.call('RTM_DELADDR', (s, localPort) => s.delAddress(data, attrs, { localPort }));
    } catch (e) {
      const code = codeOf(e);
      if (code !== 'EADDRNOTAVAIL' && code !== 'ENODEV') throw e;
    }
  }

  // Equivalent to: ip route show table main; ip -6 route show table main
  async routes(): Promise<RouteInfo[]> {
    const msgs = await this.dump('RTM_GETROUTE', (s, localPort) => s.getRoutes(undefined, undefined, { localPort }));
    return msgs.map((m) => {
      const dstIp = bufferToIp(m.attrs.dst);
      return {
        family: m.data.family === AF_INET6 ? 6 : 4,
        dst: dstIp ? `${dstIp}/${m.data.dstLen}` : m.data.dstLen ? '?' : 'default',
        gateway: bufferToIp(m.attrs.gateway),
        oif: m.attrs.oif,
        table: m.attrs.table ?? m.data.table ?? 0,
        protocol: String(m.data.protocol ?? ''),
        scope: String(m.data.scope ?? ''),
        type: String(m.data.type ?? ''),
        ...(m.attrs.priority !== undefined ? { metric: m.attrs.priority } : {}),
      };
    });
  }

  /** Add or replace a route in the main table (`proto boot`, as `ip route` makes them, unless told). */
  // Equivalent to: ip route replace DST [via GW] [dev OIF] [metric N] [proto static]
  async replaceRoute(r: RouteSpec): Promise<void> {
    const { data, attrs } = routeRequest(r);
    await this.call('RTM_NEWROUTE', (s, localPort) => s.newRoute(data, attrs, { flags: NLM_F_CREATE | NLM_F_REPLACE, localPort }));
  }

  // Equivalent to: ip route del DST [via GW] [metric N]
  async deleteRoute(r: Omit<RouteSpec, 'oif' | 'protocol'>): Promise<void> {
    const { data, attrs } = routeRequest(r, true);
    try {
      await this.call('RTM_DELROUTE', (s, localPort) => s.delRoute(data, attrs, { localPort }));
    } catch (e) {
      if (codeOf(e) !== 'ESRCH') throw e;
    }
  }

  /**
   * A permanent neighbour entry: the kernel never resolves the address,
   * and permanent entries do not count against the neighbour table's
   * gc_thresh3, which all network namespaces share (1024 entries by default).
   */
  // Equivalent to: ip neigh replace ADDRESS lladdr MAC dev IFINDEX nud permanent
  async replaceNeighbor(index: number, address: string, mac: string): Promise<void> {
    const { data, attrs } = neighborRequest(index, address, mac);
    await this.call('RTM_NEWNEIGH', (s, localPort) => s.newNeighbor(data, attrs, { flags: NLM_F_CREATE | NLM_F_REPLACE, localPort }));
  }

  /**
   * One more destination for what a VXLAN device floods (the all-zeros FDB
   * entry that `remote` started): head-end replication to a third machine.
   */
  // Equivalent to: bridge fdb append 00:00:00:00:00:00 dev IFINDEX dst REMOTE self permanent
  async appendFdb(index: number, remote: string): Promise<void> {
    const data: rt.Neighbor = { family: AF_BRIDGE, ifindex: index, state: { permanent: true }, flags: { self: true } };
    const attrs = { lladdr: Buffer.alloc(6), dst: ipToBuffer(remote) };
    await this.call('RTM_NEWNEIGH', (s, localPort) => s.newNeighbor(data, attrs, { flags: NLM_F_CREATE | NLM_F_APPEND, localPort }));
  }

  // Equivalent to: tc qdisc show
  qdiscs(): Promise<QdiscInfo[]> {
    return listQdiscs(this);
  }

  // Equivalent to: tc qdisc replace dev IFINDEX root tbf … | netem …
  replaceQdisc(index: number, q: Qdisc): Promise<void> {
    return replaceRootQdisc(this, index, q);
  }

  // Equivalent to: tc qdisc del dev IFINDEX root
  deleteQdisc(index: number): Promise<void> {
    return deleteRootQdisc(this, index);
  }
}
