/**
 * Deterministic IPAM. The same file on the same machine gives the same
 * subnets and addresses every time:
 *  - static subnets and addresses are taken as written (reserved first);
 *  - a network without a subnet gets the first free block of Docker's
 *    default pools (172.18.0.0/16 … 172.31.0.0/16, then 192.168.0.0/20 …),
 *    skipping host routes and other projects' subnets;
 *  - containers get the lowest free address in (service, replica) order;
 *  - what a previous `up` allocated is kept while still valid, so editing one
 *    service never renumbers the others.
 */
import { PlanError, type SpecIssue } from '../errors';
import type { Project } from '../compose/types';
import { type Cidr, cidrContains, cidrsOverlap, formatCidr, hostRange, parseCidr, parseIP } from '../net/ip';
import type { ObservedLink, ObservedRoute, OtherProject, ProjectState } from './model';
import { DOCKER0_SUBNET, isExternal } from './shared-bridge';

export interface NetworkAllocation {
  subnet: Cidr;
  gateway: bigint;
}

export interface Attachment {
  container: string;
  network: string;
  /** Static address from the file. */
  static?: string;
  /** Key path of the static address, for messages. */
  path: string;
}

export interface IpamInput {
  project: Project;
  /** network key → kernel bridge name (managed or external). */
  bridges: Record<string, string>;
  /** Networks to allocate (keys), in a stable order. */
  networks: string[];
  attachments: Attachment[];
  hostLinks: ObservedLink[];
  hostRoutes: ObservedRoute[];
  otherProjects: OtherProject[];
  state?: ProjectState;
  /** Subnets taken as they are: another tscompose project's network we join (its journal's). */
  fixed?: Record<string, NetworkAllocation>;
}

export interface IpamResult {
  networks: Record<string, NetworkAllocation>;
  /** `container\0network` → address. */
  addresses: Map<string, bigint>;
}

/** Docker's default address pools, from 172.18 on (172.17 is docker0's). */
export function* defaultPools(): Generator<Cidr> {
  for (let b = 18; b <= 31; b++) yield parseCidr(`172.${b}.0.0/16`)!;
  for (let c = 0; c < 256; c += 16) yield parseCidr(`192.168.${c}.0/20`)!;
}

export const attachmentKey = (container: string, network: string) => `${container}\0${network}`;

export function allocate(input: IpamInput): IpamResult {
  const issues: SpecIssue[] = [];
  const { project } = input;
  const loc = (path: string) => project.sources.get(path);
  // A macvlan/ipvlan network's "bridge" is its parent: routes on it are the LAN that network shares, foreign to every other.
  const lowerParent = (key: string) => project.networks[key]?.lowerLink?.parent;
  const ourBridges = new Set(Object.entries(input.bridges).filter(([k]) => !lowerParent(k)).map(([, b]) => b));

  // What is taken on the machine: routes not on our own bridges, and other projects' subnets.
  const foreign: Array<{ cidr: Cidr; what: string; dev?: string }> = [];
  for (const r of input.hostRoutes) {
    if (r.dst === 'default' || (r.dev && ourBridges.has(r.dev))) continue;
    const c = parseCidr(r.dst);
    if (!c || c.family !== 4) continue;
    foreign.push({ cidr: c, what: `the host route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`, ...(r.dev ? { dev: r.dev } : {}) });
  }
  for (const o of input.otherProjects) {
    for (const s of o.subnets) {
      const c = parseCidr(s);
      if (c) foreign.push({ cidr: c, what: `${s} of project ${o.project}` });
    }
  }

  const networks: Record<string, NetworkAllocation> = {};
  const taken: Cidr[] = [];
  const automatic: string[] = [];

  // Static and external subnets first.
  for (const key of input.networks) {
    const spec = project.networks[key]!;
    if (input.fixed?.[key]) {
      networks[key] = input.fixed[key]!;
      continue;
    }
    if (isExternal(spec)) {
      const bridge = input.hostLinks.find((l) => l.name === input.bridges[key]);
      const v4 = bridge?.addresses.find((a) => !a.address.includes(':'));
      if (!v4) {
        issues.push({
          path: `networks.${key}`,
          loc: loc(`networks.${key}`),
          message: `external network bridge ${input.bridges[key]} has no IPv4 address to take a subnet and gateway from`,
        });
        continue;
      }
      const subnet = parseCidr(`${v4.address}/${v4.prefixLen}`)!;
      networks[key] = { subnet, gateway: parseIP(v4.address)!.value };
      continue;
    }
    // The default bridge, when it exists, is on the subnet its first user chose.
    const shared = spec.shared ? input.hostLinks.find((l) => l.name === input.bridges[key])?.addresses.find((a) => !a.address.includes(':')) : undefined;
    if (shared) {
      networks[key] = { subnet: parseCidr(`${shared.address}/${shared.prefixLen}`)!, gateway: parseIP(shared.address)!.value };
      continue;
    }
    const poolIndex = spec.ipam.findIndex((p) => p.subnet && !p.subnet.includes(':'));
    if (poolIndex < 0) {
      automatic.push(key);
      continue;
    }
    const pool = spec.ipam[poolIndex]!;
    const path = `networks.${key}.ipam.config.${poolIndex}.subnet`;
    const subnet = parseCidr(pool.subnet!)!;
    const clash = foreign.find((f) => cidrsOverlap(f.cidr, subnet) && !(f.dev && f.dev === lowerParent(key)));
    if (clash) {
      issues.push({ path, loc: loc(path), message: `${pool.subnet} overlaps ${clash.what}` });
      continue;
    }
    const gateway = pool.gateway ? parseIP(pool.gateway)!.value : hostRange(subnet).first;
    networks[key] = { subnet, gateway };
    taken.push(subnet);
  }

  // Automatic subnets: keep last time's if still free, else the first free pool block.
  for (const key of automatic) {
    const isFree = (c: Cidr) => !foreign.some((f) => cidrsOverlap(f.cidr, c)) && !taken.some((t) => cidrsOverlap(t, c));
    let subnet: Cidr | undefined;
    const prior = input.state?.networks[key];
    const priorCidr = prior?.subnet ? parseCidr(prior.subnet) : undefined;
    if (priorCidr && isFree(priorCidr)) subnet = priorCidr;
    if (!subnet) {
      for (const candidate of project.networks[key]!.shared ? [DOCKER0_SUBNET, ...defaultPools()] : defaultPools()) {
        if (isFree(candidate)) {
          subnet = candidate;
          break;
        }
      }
    }
    if (!subnet) {
      issues.push({
        path: `networks.${key}`,
        loc: loc(`networks.${key}`),
        message: 'the default address pools are exhausted: give this network an ipam subnet',
      });
      continue;
    }
    const gateway = prior && priorCidr && subnet === priorCidr && prior.gateway ? parseIP(prior.gateway)!.value : hostRange(subnet).first;
    networks[key] = { subnet, gateway };
    taken.push(subnet);
  }
  if (issues.length) throw new PlanError(issues);

  const addresses = allocateAddresses(input, networks);
  return { networks, addresses };
}

function allocateAddresses(input: IpamInput, networks: Record<string, NetworkAllocation>): Map<string, bigint> {
  const issues: SpecIssue[] = [];
  const { project } = input;
  const out = new Map<string, bigint>();
  const reserved = new Map<string, Set<bigint>>();
  const reserve = (net: string, v: bigint) => {
    let s = reserved.get(net);
    if (!s) reserved.set(net, (s = new Set()));
    s.add(v);
  };

  for (const [key, alloc] of Object.entries(networks)) {
    reserve(key, alloc.gateway);
    const spec = project.networks[key]!;
    for (const pool of spec.ipam) {
      for (const aux of Object.values(pool.auxAddresses)) {
        const a = parseIP(aux);
        if (a) reserve(key, a.value);
      }
    }
    const bridge = input.bridges[key];
    for (const link of input.hostLinks) {
      if (link.name !== bridge) continue;
      for (const a of link.addresses) {
        const p = parseIP(a.address);
        if (p && p.family === 4) reserve(key, p.value);
      }
    }
    for (const o of input.otherProjects) {
      for (const a of o.addresses) {
        if (a.bridge !== bridge) continue;
        const p = parseIP(a.address);
        if (p?.family === 4) reserve(key, p.value);
      }
    }
  }

  // `run` containers the file does not list keep their addresses (up leaves them running).
  const listed = new Set(input.attachments.map((a) => a.container));
  for (const [name, c] of Object.entries(input.state?.containers ?? {})) {
    if (!c.oneOff || listed.has(name)) continue;
    for (const i of c.interfaces) {
      const p = i.address ? parseIP(i.address) : undefined;
      if (p && networks[i.network]) reserve(i.network, p.value);
    }
  }

  // Static addresses are reserved before any dynamic allocation.
  for (const a of input.attachments) {
    if (!a.static || !networks[a.network]) continue;
    const p = parseIP(a.static)!;
    const alloc = networks[a.network]!;
    if (!cidrContains(alloc.subnet, p)) {
      issues.push({
        path: a.path,
        loc: project.sources.get(a.path),
        message: `${a.static} is outside the subnet ${formatCidr(alloc.subnet)} of network ${a.network}`,
      });
      continue;
    }
    if (p.value === alloc.gateway) {
      issues.push({ path: a.path, loc: project.sources.get(a.path), message: `${a.static} is the gateway of network ${a.network}` });
      continue;
    }
    reserve(a.network, p.value);
    out.set(attachmentKey(a.container, a.network), p.value);
  }

  // Previous allocations, while still valid.
  const dynamic = input.attachments.filter((a) => !a.static && networks[a.network]);
  const pending: Attachment[] = [];
  for (const a of dynamic) {
    const prior = input.state?.containers[a.container]?.interfaces.find((i) => i.network === a.network);
    const p = prior?.address ? parseIP(prior.address) : undefined;
    const alloc = networks[a.network]!;
    const range = allocationRange(input.project, a.network, alloc);
    if (p && p.value >= range.first && p.value <= range.last && !reserved.get(a.network)?.has(p.value)) {
      reserve(a.network, p.value);
      out.set(attachmentKey(a.container, a.network), p.value);
    } else {
      pending.push(a);
    }
  }

  // Then the lowest free address for the rest, in the stable order given.
  const cursor = new Map<string, bigint>();
  for (const a of pending) {
    const alloc = networks[a.network]!;
    const range = allocationRange(input.project, a.network, alloc);
    const used = reserved.get(a.network) ?? new Set<bigint>();
    let v = cursor.get(a.network) ?? range.first;
    while (v <= range.last && used.has(v)) v++;
    if (v > range.last) {
      const path = `networks.${a.network}`;
      issues.push({
        path,
        loc: project.sources.get(path),
        message: `no free address left in ${formatCidr(alloc.subnet)} for ${a.container}`,
      });
      continue;
    }
    reserve(a.network, v);
    cursor.set(a.network, v + 1n);
    out.set(attachmentKey(a.container, a.network), v);
  }
  if (issues.length) throw new PlanError(issues);
  return out;
}

/** Where dynamic addresses come from: `ip_range` if set, else the whole subnet. */
function allocationRange(project: Project, network: string, alloc: NetworkAllocation): { first: bigint; last: bigint } {
  const host = hostRange(alloc.subnet);
  const spec = project.networks[network];
  const pool = spec?.ipam.find((p) => p.subnet && parseCidr(p.subnet)?.first === alloc.subnet.first);
  const ipRange = pool?.ipRange ? parseCidr(pool.ipRange) : undefined;
  if (!ipRange) return host;
  // Every address of ip_range is usable, as long as it is a host address of the subnet.
  return { first: ipRange.first > host.first ? ipRange.first : host.first, last: ipRange.last < host.last ? ipRange.last : host.last };
}
