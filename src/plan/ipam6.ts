/**
 * IPv6 addressing for networks with `enable_ipv6`: the IPv6 subnet from
 * `ipam.config` (or an automatic ULA /64 derived from project + network,
 * as Docker derives one when none is given), the gateway (the first host
 * address, or `gateway`) on the bridge, and container addresses: static
 * `ipv6_address` first, then what the previous `up` gave, then the lowest
 * free one. Deterministic and pure, like ipam.ts.
 */
import { PlanError, type SpecIssue } from '../errors';
import { type Cidr, cidrContains, cidrsOverlap, formatCidr, hostRange, parseCidr, parseIP } from '../net/ip';
import type { Project } from '../compose/types';
import type { ObservedRoute, OtherProject, ProjectState } from './model';
import { shortHash } from './names';
import { attachmentKey, type NetworkAllocation } from './ipam';

export interface Attachment6 {
  container: string;
  network: string;
  static?: string;
  path: string;
}

export interface Ipam6Input {
  project: Project;
  /** Networks with IPv6 (managed ones with enable_ipv6), in a stable order. */
  networks: string[];
  attachments: Attachment6[];
  hostRoutes: ObservedRoute[];
  /** Kernel names of this project's bridges: their routes are ours, not a clash. */
  bridges: Set<string>;
  otherProjects: OtherProject[];
  state?: ProjectState;
  /** Another tscompose project's network we join: its subnet and gateway as they are, and the addresses its users hold. */
  fixed?: Record<string, NetworkAllocation & { taken: bigint[] }>;
}

export interface Ipam6Result {
  networks: Record<string, NetworkAllocation>;
  addresses: Map<string, bigint>;
}

/** The machine's own range (never handed out automatically), and link-local/multicast space. */
const NEVER = ['fd00::/64', 'fe80::/10', 'ff00::/8', '::1/128'].map((c) => parseCidr(c)!);

/** fdXX:XXXX:XXXX::/64 from a hash of project and network (RFC 4193's global ID, made reproducible); `attempt` rehashes on a clash. */
export function ulaSubnet(project: string, network: string, attempt = 0): Cidr {
  const h = shortHash('ula', project, network, String(attempt));
  const g = [`fd${h.slice(0, 2)}`, h.slice(2, 6), h.slice(6, 10)];
  return parseCidr(`${g.join(':')}::/64`)!;
}

export function allocate6(input: Ipam6Input): Ipam6Result {
  const issues: SpecIssue[] = [];
  const { project } = input;
  const loc = (path: string) => project.sources.get(path);
  const foreign: Array<{ cidr: Cidr; what: string }> = NEVER.map((cidr) => ({ cidr, what: 'a reserved range' }));
  for (const r of input.hostRoutes) {
    if (r.dst === 'default') continue;
    const c = parseCidr(r.dst);
    // Link-local and multicast routes exist on every interface; they are in NEVER already.
    if (!c || c.family !== 6 || c.prefix < 8) continue;
    if (r.dev && input.bridges.has(r.dev)) continue;
    foreign.push({ cidr: c, what: `the host route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}` });
  }
  for (const o of input.otherProjects) {
    for (const s of o.subnets) {
      const c = parseCidr(s);
      if (c && c.family === 6) foreign.push({ cidr: c, what: `${s} of project ${o.project}` });
    }
  }
  const networks: Record<string, NetworkAllocation> = {};
  const taken: Cidr[] = [];
  const automatic: string[] = [];
  for (const key of input.networks) {
    const joined = input.fixed?.[key];
    if (joined) {
      networks[key] = { subnet: joined.subnet, gateway: joined.gateway };
      continue;
    }
    const spec = project.networks[key]!;
    const index = spec.ipam.findIndex((p) => p.subnet?.includes(':'));
    if (index < 0) {
      automatic.push(key);
      continue;
    }
    const pool = spec.ipam[index]!;
    const path = `networks.${key}.ipam.config.${index}.subnet`;
    const subnet = parseCidr(pool.subnet!)!;
    const clash = foreign.find((f) => f.what !== 'a reserved range' && cidrsOverlap(f.cidr, subnet));
    if (clash) {
      issues.push({ path, loc: loc(path), message: `${pool.subnet} overlaps ${clash.what}` });
      continue;
    }
    networks[key] = { subnet, gateway: pool.gateway ? parseIP(pool.gateway)!.value : hostRange(subnet).first };
    taken.push(subnet);
  }
  for (const key of automatic) {
    const free = (c: Cidr) => !foreign.some((f) => cidrsOverlap(f.cidr, c)) && !taken.some((t) => cidrsOverlap(t, c));
    const prior = input.state?.networks[key]?.subnet6;
    let subnet = prior ? parseCidr(prior) : undefined;
    if (!subnet || !free(subnet)) {
      subnet = undefined;
      for (let attempt = 0; attempt < 64 && !subnet; attempt++) {
        const c = ulaSubnet(project.name, key, attempt);
        if (free(c)) subnet = c;
      }
    }
    if (!subnet) {
      issues.push({ path: `networks.${key}`, loc: loc(`networks.${key}`), message: 'no free IPv6 subnet found: give this network an IPv6 ipam subnet' });
      continue;
    }
    networks[key] = { subnet, gateway: hostRange(subnet).first };
    taken.push(subnet);
  }
  if (issues.length) throw new PlanError(issues);
  return { networks, addresses: addresses(input, networks) };
}

function addresses(input: Ipam6Input, networks: Record<string, NetworkAllocation>): Map<string, bigint> {
  const issues: SpecIssue[] = [];
  const out = new Map<string, bigint>();
  const used = new Map<string, Set<bigint>>();
  const use = (net: string, v: bigint) => (used.get(net) ?? used.set(net, new Set()).get(net)!).add(v);
  for (const [key, alloc] of Object.entries(networks)) {
    use(key, alloc.gateway);
    for (const v of input.fixed?.[key]?.taken ?? []) use(key, v);
    for (const pool of input.project.networks[key]!.ipam) {
      for (const aux of Object.values(pool.auxAddresses)) {
        const a = parseIP(aux);
        if (a?.family === 6) use(key, a.value);
      }
    }
  }
  const loc = (path: string) => input.project.sources.get(path);
  // `run` containers the file does not list keep their addresses (see ipam.ts).
  const listed = new Set(input.attachments.map((a) => a.container));
  for (const [name, c] of Object.entries(input.state?.containers ?? {})) {
    if (!c.oneOff || listed.has(name)) continue;
    for (const i of c.interfaces) {
      const p = i.address6 ? parseIP(i.address6) : undefined;
      if (p?.family === 6 && networks[i.network]) use(i.network, p.value);
    }
  }
  for (const a of input.attachments) {
    const alloc = networks[a.network];
    if (!a.static || !alloc) continue;
    const ip = parseIP(a.static)!;
    if (!cidrContains(alloc.subnet, ip)) {
      issues.push({ path: a.path, loc: loc(a.path), message: `${a.static} is outside the IPv6 subnet ${formatCidr(alloc.subnet)} of network ${a.network}` });
      continue;
    }
    if (ip.value === alloc.gateway) {
      issues.push({ path: a.path, loc: loc(a.path), message: `${a.static} is the IPv6 gateway of network ${a.network}` });
      continue;
    }
    use(a.network, ip.value);
    out.set(attachmentKey(a.container, a.network), ip.value);
  }
  const pending: Attachment6[] = [];
  for (const a of input.attachments) {
    const alloc = networks[a.network];
    if (a.static || !alloc) continue;
    const prior = input.state?.containers[a.container]?.interfaces.find((i) => i.network === a.network)?.address6;
    const ip = prior ? parseIP(prior) : undefined;
    const range = hostRange(alloc.subnet);
    if (ip && ip.family === 6 && ip.value >= range.first && ip.value <= range.last && !used.get(a.network)?.has(ip.value)) {
      use(a.network, ip.value);
      out.set(attachmentKey(a.container, a.network), ip.value);
    } else pending.push(a);
  }
  for (const a of pending) {
    const alloc = networks[a.network]!;
    const range = hostRange(alloc.subnet);
    let v = range.first;
    while (v <= range.last && used.get(a.network)?.has(v)) v++;
    if (v > range.last) {
      issues.push({ path: `networks.${a.network}`, loc: loc(`networks.${a.network}`), message: `no free IPv6 address left in ${formatCidr(alloc.subnet)} for ${a.container}` });
      continue;
    }
    use(a.network, v);
    out.set(attachmentKey(a.container, a.network), v);
  }
  if (issues.length) throw new PlanError(issues);
  return out;
}
