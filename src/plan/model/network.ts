/**
 * The network side of `Desired`: bridges, container interfaces, p2p links,
 * routes, published ports and the sysctls they need.
 */
import type { LowerLink, PortProtocol } from '../../compose/types';
import type { Qdisc } from '../shaping';

export interface DesiredNetwork {
  /** Key in the compose file's `networks:`. */
  key: string;
  /** Display name, as Docker Compose prints it: `PROJECT_NETWORK`. */
  displayName: string;
  bridge: string;
  /** false for `external: true` networks: we attach to them, never create or delete them. */
  managed: boolean;
  internal: boolean;
  mtu: number;
  /** Fixed bridge MAC (managed bridges). */
  mac?: string;
  /** IPv4 subnet and the bridge's gateway; absent on an IPv6-only network (`enable_ipv4: false`). */
  subnet?: string;
  prefixLen?: number;
  gateway?: string;
  /** ifalias ownership mark. */
  alias: string;
  /** `enable_ipv6`: the IPv6 subnet and the bridge's IPv6 gateway. */
  ipv6?: { subnet: string; prefixLen: number; gateway: string };
  /** Masquerade traffic from this subnet that leaves the host (not for internal networks). */
  masquerade: boolean;
  /** Containers of this bridge may talk to each other (`enable_icc`). */
  icc: boolean;
  /** `host_binding_ipv4`: where its containers' ports are published when they name no address. */
  hostBindingIpv4?: string;
  /** `up --host`: its members sit on two machines; a VXLAN device is a port of its bridge. */
  tunnel?: DesiredTunnel;
  /**
   * `driver: macvlan|ipvlan`: no bridge of ours (`bridge` is the parent link,
   * `managed` false); each container's interface sits on the parent.
   */
  lowerLink?: LowerLink;
  /** The machine's default bridge (plan/shared-bridge.ts): other projects use it too; no DNS server of ours on it. */
  shared?: true;
  /** `external: true` naming another tscompose project's network: that project (its DNS server answers on the gateway). */
  joined?: string;
}

export interface DesiredInterface {
  network: string;
  /** Name inside the container (`eth0`, or `interface_name`). */
  ifname: string;
  /** Host end of the veth ('' for a macvlan/ipvlan interface: it has none). */
  hostVeth: string;
  bridge: string;
  mac: string;
  mtu: number;
  /** IPv4 address, prefix length and gateway; absent on an IPv6-only network. */
  address?: string;
  prefixLen?: number;
  gateway?: string;
  /** ifalias mark of the host end. */
  alias: string;
  /** IPv6 address, prefix length and gateway (networks with enable_ipv6). */
  address6?: string;
  prefixLen6?: number;
  gateway6?: string;
  /** `x-netem` of the attachment: the root qdisc of both ends. */
  shaping?: Qdisc;
  /** A macvlan/ipvlan interface on this parent link (diff/lower-links.ts), instead of a veth. */
  lowerLink?: LowerLink;
}

/** One end of a p2p link: a veth end inside a container's namespace. */
export interface DesiredLinkEnd {
  container: string;
  /** /run/netns name. */
  netns: string;
  ifname: string;
  mac: string;
  mtu: number;
  /** IPv4 and IPv6 addresses (none: an unnumbered link). */
  addresses: Array<{ address: string; prefixLen: number }>;
  /** Root qdisc shaping what leaves this end. */
  shaping?: Qdisc;
}

/** A `driver: p2p` network: a veth pair whose two ends live in two containers. */
export interface DesiredLink {
  /** Key in the compose file's `networks:` (for x-links: `r1:eth1--r2:eth1`). */
  key: string;
  /** ifalias mark of both ends. */
  alias: string;
  ends: [DesiredLinkEnd, DesiredLinkEnd];
  /**
   * `up --host`: the two ends sit on different machines. Only `ends[localEnd]`
   * is made here, as a VXLAN device in its container's namespace.
   */
  tunnel?: DesiredTunnel;
}

/**
 * A kernel VXLAN tunnel to the peer machine (x-hosts): unicast, one VNI per
 * link or network, UDP `port`, the socket in this machine's namespace.
 */
export interface DesiredTunnel {
  vni: number;
  port: number;
  /** This machine (x-hosts name) and its underlay address. */
  host: string;
  local: string;
  /** The machine of the other end (or other members) and its address. */
  peerHost: string;
  remote: string;
  /** A bridge network on three machines or more: the other peers, each sent a copy of what floods (head-end replication). */
  extraRemotes?: Array<{ host: string; address: string }>;
  /** Which end of a p2p link is on this machine. */
  localEnd?: 0 | 1;
  /** The MTU of the stitched interfaces, and why (the VXLAN overhead). */
  mtu: number;
  mtuReason: string;
  /** A bridge network's VXLAN port on this machine (absent for p2p links: the container's own interface). */
  device?: string;
}

/** An `x-routes` entry, resolved to an interface. */
export interface DesiredRoute {
  /** `default` or a CIDR. */
  dst: string;
  family: 4 | 6;
  via?: string;
  ifname: string;
  metric?: number;
}

export type NetnsPlacement =
  /** Its own namespace under /run/netns (bridged networks, or `network_mode: none`). */
  | { kind: 'own'; name: string }
  /** `network_mode: host`. */
  | { kind: 'host' }
  /** `network_mode: service:X`: the namespace of another container. */
  | { kind: 'container'; container: string; name: string };

/** One published host port (ranges are expanded), DNATed to a container address. */
export interface DesiredPort {
  container: string;
  service: string;
  protocol: PortProtocol;
  family: 4 | 6;
  /** Host address it is published on; absent: every address of the family. */
  hostIp?: string;
  hostPort: number;
  /** The container's address and port it reaches. */
  address: string;
  port: number;
  network: string;
  bridge: string;
  /** The `ports` entry as written (short form), for messages. */
  spec: string;
}

/** A host-wide or per-bridge kernel setting `up` needs (`sysctl -w KEY=VALUE`). */
export interface DesiredSysctl {
  key: string;
  value: string;
  /** Why it is needed, for the plan. */
  why: string;
}
