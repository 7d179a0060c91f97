/**
 * The lab extensions of the normalized model (see lab.ts): link shaping,
 * static routes and reachability expectations, already in kernel units.
 */

/**
 * `x-netem`: how one direction of a link is shaped. Rates in bits per
 * second, times in microseconds, probabilities in percent (0–100).
 */
export interface NetemSpec {
  rate?: number;
  delayUs?: number;
  jitterUs?: number;
  loss?: number;
  duplicate?: number;
  corrupt?: number;
  reorder?: number;
  /** Queue length in packets. */
  limit?: number;
}

/** One `x-routes` entry of a service. */
export interface RouteSpec {
  /** `default` or a canonical CIDR (`10.0.3.0/24`, `fd00:3::/64`). */
  to: string;
  family: 4 | 6;
  via?: string;
  /** Interface name inside the container. */
  dev?: string;
  metric?: number;
  /** Position in the service's `x-routes` (for messages). */
  index: number;
}

export type VerifyExpect = 'reach' | 'blocked';

/** One `x-verify` entry: a reachability the user expects. */
export interface VerifySpec {
  /** Service (its first replica) or container name. */
  from: string;
  /** Service, container name, or an IP address. */
  to: string;
  /** TCP port: the probe is a TCP connect instead of an ICMP echo. */
  port?: number;
  expect: VerifyExpect;
  index: number;
}

/** `x-hosts` and `x-vxlan`: machines by name, and how their halves of the lab are stitched. */
export interface HostsSpec {
  hosts: Record<string, { address: string; family: 4 | 6; mtu: number }>;
  /** UDP port of every tunnel (`x-vxlan.port`, default 4789, IANA's). */
  port: number;
  /** `x-vxlan.vni`: tunnels take BASE, BASE+1, … in link-name order instead of a hash. */
  vniBase?: number;
  /** `x-vxlan.links.KEY.vni`. */
  linkVni: Record<string, number>;
}
