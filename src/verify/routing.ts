/**
 * What the file says about reachability, worked out the way the kernel
 * would forward a packet: every container's interfaces, addresses and
 * routing table (connected subnets, `x-routes`, the bridge default route),
 * which containers forward (their ip_forward sysctls), and which segment
 * (bridge or p2p link) each interface sits on. The machine itself holds the
 * bridges' gateways and does not route between the project's networks
 * (Compose networks are isolated). Pure: derived from the resolved plan.
 */
import { formatIP, parseCidr, parseIP, type Family } from '../net/ip';
import type { Desired, DesiredContainer } from '../plan/model';

export interface Address {
  family: Family;
  value: bigint;
  prefix: number;
  text: string;
}

export interface Iface {
  node: string;
  ifname: string;
  /** Network key (bridge) or link key (p2p). */
  segment: string;
  addresses: Address[];
}

export interface Route {
  family: Family;
  first: bigint;
  last: bigint;
  prefix: number;
  via?: bigint;
  ifname: string;
  metric: number;
  /** How it came to be, for explanations. */
  origin: 'connected' | 'x-routes' | 'bridge default';
}

export interface Node {
  /** Container name, or HOST for the machine. */
  name: string;
  /** What to call it: the service name (or container name for replicas). */
  label: string;
  forward: Record<Family, boolean>;
  ifaces: Iface[];
  routes: Route[];
  /** /run/netns name (probes start there); absent for the machine. */
  netns?: string;
}

export const HOST = '(host)';

export interface RoutingModel {
  nodes: Map<string, Node>;
  /** Segment → the interfaces on it. */
  segments: Map<string, Iface[]>;
  /** `family value` → the interfaces holding that address. */
  owners: Map<string, Iface[]>;
}

const key = (family: Family, value: bigint) => `${family} ${value}`;

function address(text: string, prefix: number): Address {
  const ip = parseIP(text)!;
  return { family: ip.family, value: ip.value, prefix, text };
}

function connected(ifname: string, a: Address): Route {
  const c = parseCidr(`${a.text}/${a.prefix}`)!;
  return { family: a.family, first: c.first, last: c.last, prefix: a.prefix, ifname, metric: a.family === 6 ? 256 : 0, origin: 'connected' };
}

const sysctlOn = (s: Record<string, string>, k: string) => s[k] === '1' || s[k] === 'true';

export function routingModel(desired: Desired, labelOf: (c: DesiredContainer) => string): RoutingModel {
  const nodes = new Map<string, Node>();
  const host: Node = { name: HOST, label: 'host', forward: { 4: false, 6: false }, ifaces: [], routes: [] };
  nodes.set(HOST, host);
  for (const net of Object.values(desired.networks)) {
    // An IPv6-only network (no IPv4 gateway) is not part of this IPv4 model.
    if (!net.gateway) continue;
    const gw = address(net.gateway, net.prefixLen!);
    host.ifaces.push({ node: HOST, ifname: net.bridge, segment: net.key, addresses: [gw] });
    host.routes.push(connected(net.bridge, gw));
  }
  const ends = new Map<string, Array<{ link: string; ifname: string; addresses: Address[] }>>();
  for (const l of Object.values(desired.links ?? {})) {
    for (const e of l.ends) {
      const list = ends.get(e.container) ?? [];
      list.push({ link: l.key, ifname: e.ifname, addresses: e.addresses.map((a) => address(a.address, a.prefixLen)) });
      ends.set(e.container, list);
    }
  }
  for (const c of Object.values(desired.containers)) {
    if (c.netns.kind !== 'own') continue;
    const s = c.launch.sysctls;
    const node: Node = {
      name: c.name,
      label: labelOf(c),
      forward: {
        4: sysctlOn(s, 'net.ipv4.ip_forward') || sysctlOn(s, 'net.ipv4.conf.all.forwarding'),
        6: sysctlOn(s, 'net.ipv6.conf.all.forwarding'),
      },
      ifaces: [],
      routes: [],
      netns: c.netns.name,
    };
    for (const i of c.interfaces) node.ifaces.push({ node: c.name, ifname: i.ifname, segment: i.network, addresses: i.address ? [address(i.address, i.prefixLen!)] : [] });
    for (const e of ends.get(c.name) ?? []) node.ifaces.push({ node: c.name, ifname: e.ifname, segment: e.link, addresses: e.addresses });
    for (const i of node.ifaces) for (const a of i.addresses) node.routes.push(connected(i.ifname, a));
    if (c.defaultRoute) {
      node.routes.push({ family: 4, first: 0n, last: (1n << 32n) - 1n, prefix: 0, via: parseIP(c.defaultRoute.via)!.value, ifname: c.defaultRoute.ifname, metric: 0, origin: 'bridge default' });
    }
    for (const r of c.routes ?? []) {
      const width = r.family === 4 ? 32n : 128n;
      const dst = r.dst === 'default' ? { first: 0n, last: (1n << width) - 1n, prefix: 0 } : parseCidr(r.dst)!;
      node.routes.push({
        family: r.family,
        first: dst.first,
        last: dst.last,
        prefix: dst.prefix,
        ...(r.via ? { via: parseIP(r.via)!.value } : {}),
        ifname: r.ifname,
        metric: r.metric ?? (r.family === 6 ? 1024 : 0),
        origin: 'x-routes',
      });
    }
    nodes.set(c.name, node);
  }
  const segments = new Map<string, Iface[]>();
  const owners = new Map<string, Iface[]>();
  for (const n of nodes.values()) {
    for (const i of n.ifaces) {
      segments.set(i.segment, [...(segments.get(i.segment) ?? []), i]);
      for (const a of i.addresses) owners.set(key(a.family, a.value), [...(owners.get(key(a.family, a.value)) ?? []), i]);
    }
  }
  return { nodes, segments, owners };
}

/** The node holding an address, if any. */
export function ownerOf(model: RoutingModel, family: Family, value: bigint): Node | undefined {
  const i = model.owners.get(key(family, value))?.[0];
  return i ? model.nodes.get(i.node) : undefined;
}

/** The kernel's choice: longest prefix, then lowest metric. */
export function lookup(node: Node, family: Family, dst: bigint): Route | undefined {
  let best: Route | undefined;
  for (const r of node.routes) {
    if (r.family !== family || dst < r.first || dst > r.last) continue;
    if (!best || r.prefix > best.prefix || (r.prefix === best.prefix && r.metric < best.metric)) best = r;
  }
  return best;
}

export interface Walk {
  ok: boolean;
  /** Nodes the packet visits, the source first. */
  path: string[];
  /** Why it stops, when it does not arrive. */
  why?: string;
}

/** Linux's default TTL and IPv6 hop limit: a router drops a packet it would forward with TTL 1. */
const DEFAULT_TTL = 64;

/** One direction: does a packet from `from` to `dst` arrive, and through which nodes? */
export function walk(model: RoutingModel, from: string, family: Family, dst: bigint): Walk {
  const path = [from];
  const name = (n: string) => model.nodes.get(n)?.label ?? n;
  const text = formatIP({ family, value: dst });
  const seen = new Set<string>();
  let node = model.nodes.get(from)!;
  let ttl = DEFAULT_TTL;
  for (;;) {
    if (node.ifaces.some((i) => i.addresses.some((a) => a.family === family && a.value === dst))) return { ok: true, path };
    if (node.name !== from) {
      if (!node.forward[family]) {
        return {
          ok: false,
          path,
          why:
            node.name === HOST
              ? `the machine does not route between the project's networks (they are isolated)`
              : `${name(node.name)} does not forward IPv${family} (no net.${family === 4 ? 'ipv4.ip_forward' : 'ipv6.conf.all.forwarding'}: 1)`,
        };
      }
      if (seen.has(node.name)) return { ok: false, path, why: `routing loop through ${name(node.name)}` };
      if (ttl <= 1) return { ok: false, path, why: `more than ${DEFAULT_TTL - 1} routers on the way (the TTL runs out)` };
      seen.add(node.name);
      ttl--;
    }
    const route = lookup(node, family, dst);
    if (!route) return { ok: false, path, why: `${name(node.name)} has no route to ${text}` };
    const nextHop = route.via ?? dst;
    const out = node.ifaces.find((i) => i.ifname === route.ifname);
    const peer = out && (model.segments.get(out.segment) ?? []).find((i) => i !== out && i.addresses.some((a) => a.family === family && a.value === nextHop));
    if (!peer) {
      return { ok: false, path, why: `nothing on ${route.ifname} of ${name(node.name)} holds ${formatIP({ family, value: nextHop })}` };
    }
    node = model.nodes.get(peer.node)!;
    path.push(node.name);
  }
}

/** The source address the kernel picks for `dst` from `node`: one on the outgoing interface, else any of the family. */
export function sourceAddress(node: Node, family: Family, dst: bigint): Address | undefined {
  const route = lookup(node, family, dst);
  const all = node.ifaces.flatMap((i) => i.addresses.filter((a) => a.family === family));
  if (!route) return undefined;
  const out = node.ifaces.find((i) => i.ifname === route.ifname);
  const on = out?.addresses.filter((a) => a.family === family) ?? [];
  const nh = route.via ?? dst;
  const inSubnet = on.find((a) => {
    const c = parseCidr(`${a.text}/${a.prefix}`)!;
    return nh >= c.first && nh <= c.last;
  });
  return inSubnet ?? on[0] ?? all[0];
}

export interface Reachability {
  reach: boolean;
  /** Forward path (and the return one, when it differs). */
  path: string[];
  back?: string[];
  why?: string;
}

/** There and back: an echo needs a reply, a connect needs its SYN-ACK. */
export function reachability(model: RoutingModel, from: string, family: Family, dst: bigint): Reachability {
  const node = model.nodes.get(from)!;
  const src = sourceAddress(node, family, dst);
  if (!src) return { reach: false, path: [from], why: `${node.label} has no IPv${family} route to ${formatIP({ family, value: dst })}` };
  const there = walk(model, from, family, dst);
  if (!there.ok) return { reach: false, path: there.path, ...(there.why ? { why: there.why } : {}) };
  const target = there.path[there.path.length - 1]!;
  const back = walk(model, target, family, src.value);
  if (!back.ok) return { reach: false, path: there.path, back: back.path, why: `no way back to ${src.text}: ${back.why}` };
  const reversed = [...back.path].reverse();
  const same = reversed.length === there.path.length && reversed.every((n, i) => n === there.path[i]);
  return { reach: true, path: there.path, ...(same ? {} : { back: back.path }) };
}
