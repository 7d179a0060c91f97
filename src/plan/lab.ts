/**
 * The lab part of resolve(): p2p links (addresses, MACs, MTUs, shaping of
 * each end), `x-routes` resolved to interfaces, and the check that the
 * kernel can do the impairments the file asks for. Pure.
 */
import type { SpecIssue } from '../errors';
import { cidrContains, formatIP, hostRange, parseCidr, parseIP } from '../net/ip';
import type { Cidr } from '../net/ip';
import { needsNetem } from '../compose/lab';
import type { NetemSpec, Project, ServiceSpec } from '../compose/types';
import type { DesiredInterface, DesiredLink, DesiredLinkEnd, DesiredRoute, Observed } from './model';
import { deterministicMac, ownerAlias } from './names';
import { qdiscFor } from './shaping';

/** As resolve/networks.ts: what a link gets without `mtu`, driver_opts or x-mtu. */
const DEFAULT_MTU = 1500;

export interface LabReplica {
  name: string;
  service: ServiceSpec;
  index: number;
}

/**
 * Interface names of a service's attachments, in attachment order:
 * `interface_name` where given, else eth0, eth1, … skipping the given ones.
 */
export function attachmentIfnames(svc: ServiceSpec): Map<string, string> {
  const explicit = new Set(svc.networks.map((n) => n.interfaceName).filter(Boolean));
  const out = new Map<string, string>();
  let next = 0;
  for (const n of svc.networks) {
    let ifname = n.interfaceName;
    if (!ifname) {
      while (explicit.has(`eth${next}`)) next++;
      ifname = `eth${next++}`;
    }
    out.set(n.network, ifname);
  }
  return out;
}

export const isP2p = (project: Project, network: string) => project.networks[network]?.driver === 'p2p';

/** A p2p end as resolve() needs it for /etc/hosts and routes. */
export interface LinkEndOf extends DesiredLinkEnd {
  network: string;
}

export interface LinksResult {
  links: Record<string, DesiredLink>;
  /** Each container's p2p ends, in attachment order. */
  ends: Map<string, LinkEndOf[]>;
  issues: SpecIssue[];
}

/** Every p2p network with its two ends. Members are counted by the loader; here each has exactly two. */
export function resolveLinks(project: Project, replicas: LabReplica[], netnsOf: (container: string) => string | undefined): LinksResult {
  const issues: SpecIssue[] = [];
  const loc = (path: string) => project.sources.get(path);
  const members = new Map<string, LabReplica[]>();
  for (const r of replicas) {
    for (const a of r.service.networks) {
      if (!isP2p(project, a.network)) continue;
      const list = members.get(a.network) ?? [];
      list.push(r);
      members.set(a.network, list);
    }
  }
  const links: Record<string, DesiredLink> = {};
  const ends = new Map<string, LinkEndOf[]>();
  for (const key of Object.keys(project.networks).sort()) {
    const net = project.networks[key]!;
    const pair = members.get(key);
    if (net.driver !== 'p2p' || !pair || pair.length !== 2) continue;
    const made: LinkEndOf[] = [];
    // Addresses: static ones first, then the lowest free of each subnet, in member order.
    const addresses: Array<Array<{ address: string; prefixLen: number }>> = [[], []];
    for (const pool of net.ipam) {
      const subnet = pool.subnet ? parseCidr(pool.subnet) : undefined;
      if (!subnet) continue;
      const staticOf = (r: LabReplica) => {
        const a = r.service.networks.find((n) => n.network === key)!;
        return subnet.family === 4 ? a.ipv4Address : a.ipv6Address;
      };
      const taken = new Set<bigint>(Object.values(pool.auxAddresses).flatMap((x) => (parseIP(x) ? [parseIP(x)!.value] : [])));
      const chosen: Array<bigint | undefined> = pair.map((r) => {
        const s = staticOf(r);
        const ip = s ? parseIP(s) : undefined;
        if (ip) taken.add(ip.value);
        return ip?.value;
      });
      const range = hostRange(subnet);
      let v = range.first;
      for (let i = 0; i < 2; i++) {
        if (chosen[i] !== undefined) continue;
        while (v <= range.last && taken.has(v)) v++;
        if (v > range.last) {
          const path = `networks.${key}`;
          issues.push({ path, loc: loc(path), message: `no free address left in ${pool.subnet} for ${pair[i]!.name}` });
          break;
        }
        chosen[i] = v;
        taken.add(v++);
      }
      chosen.forEach((c, i) => {
        if (c !== undefined) addresses[i]!.push({ address: formatIP({ family: subnet.family, value: c }), prefixLen: subnet.prefix });
      });
    }
    pair.forEach((r, i) => {
      const a = r.service.networks.find((n) => n.network === key)!;
      const netns = netnsOf(r.name)!;
      const mtu = a.mtu ?? net.mtu ?? DEFAULT_MTU;
      // The network's x-netem shapes both directions; an attachment's shapes what leaves that end.
      const netem = a.netem ?? net.netem;
      const end: LinkEndOf = {
        network: key,
        container: r.name,
        netns,
        ifname: attachmentIfnames(r.service).get(key)!,
        mac: a.macAddress?.toLowerCase() ?? deterministicMac(project.name, r.name, key),
        mtu,
        addresses: addresses[i]!,
        ...(netem ? { shaping: qdiscFor(netem, mtu) } : {}),
      };
      made.push(end);
      const list = ends.get(r.name) ?? [];
      list.push(end);
      ends.set(r.name, list);
    });
    const strip = ({ network: _n, ...rest }: LinkEndOf): DesiredLinkEnd => rest;
    links[key] = { key, alias: ownerAlias(project.name, `p2p:${key}`), ends: [strip(made[0]!), strip(made[1]!)] };
  }
  // Keep each container's ends in its attachment order.
  const byName = new Map(replicas.map((r) => [r.name, r]));
  for (const [container, list] of ends) {
    const order = byName.get(container)!.service.networks.map((n) => n.network);
    list.sort((x, y) => order.indexOf(x.network) - order.indexOf(y.network));
  }
  return { links, ends, issues };
}

/** An interface of a container, for route resolution. */
interface RouteIface {
  ifname: string;
  addresses: Array<{ address: string; prefixLen: number }>;
}

/** `x-routes` of one replica → routes with their interface; problems point at the file. */
export function resolveRoutes(
  project: Project,
  svc: ServiceSpec,
  bridgeIfaces: DesiredInterface[],
  linkEnds: LinkEndOf[],
): { routes: DesiredRoute[]; issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  const routes: DesiredRoute[] = [];
  if (!svc.routes?.length) return { routes, issues };
  const base = `services.${svc.name}.x-routes`;
  const err = (path: string, message: string) => issues.push({ path, loc: project.sources.get(path) ?? project.sources.get(base), message });
  if (svc.networkMode.kind !== 'default') {
    err(base, `x-routes cannot be set with network_mode ${svc.networkMode.kind === 'service' ? `service:${svc.networkMode.service}` : svc.networkMode.kind}`);
    return { routes, issues };
  }
  const ifaces: RouteIface[] = [
    ...bridgeIfaces.map((i) => ({
      ifname: i.ifname,
      addresses: [...(i.address ? [{ address: i.address, prefixLen: i.prefixLen! }] : []), ...(i.address6 ? [{ address: i.address6, prefixLen: i.prefixLen6! }] : [])],
    })),
    ...linkEnds.map((e) => ({ ifname: e.ifname, addresses: e.addresses })),
  ];
  const subnetsOf = (i: RouteIface, family: 4 | 6) =>
    i.addresses.flatMap((a) => {
      const c = parseCidr(`${a.address}/${a.prefixLen}`)!;
      return c.family === family ? [c] : [];
    });
  const describe = (family: 4 | 6) =>
    ifaces
      .map((i) => `${i.ifname}${subnetsOf(i, family).map((c) => ` ${formatIP({ family, value: c.first })}/${c.prefix}`).join(',')}`)
      .join('; ') || 'no interfaces';
  for (const r of svc.routes) {
    const path = `${base}.${r.index}`;
    let iface: RouteIface | undefined;
    if (r.dev !== undefined) {
      iface = ifaces.find((i) => i.ifname === r.dev);
      if (!iface) {
        err(`${path}.dev`, `service ${svc.name} has no interface ${r.dev} (it has ${ifaces.map((i) => i.ifname).join(', ') || 'none'})`);
        continue;
      }
    }
    if (r.via !== undefined) {
      const via = parseIP(r.via)!;
      const own = ifaces.some((i) => i.addresses.some((a) => a.address === r.via));
      if (own) {
        err(`${path}.via`, `${r.via} is an address of ${svc.name} itself; the gateway must be a neighbour`);
        continue;
      }
      const onLink = (i: RouteIface) => subnetsOf(i, r.family).some((c: Cidr) => cidrContains(c, via));
      const found = iface ? (onLink(iface) ? iface : undefined) : ifaces.find(onLink);
      if (!found) {
        err(
          `${path}.via`,
          iface
            ? `gateway ${r.via} is not in a subnet of ${iface.ifname} (${describe(r.family)})`
            : `gateway ${r.via} is not on any network of ${svc.name} (${describe(r.family)})`,
        );
        continue;
      }
      iface = found;
    }
    if (r.to !== 'default') {
      const dst = parseCidr(r.to)!;
      const connected = ifaces.find((i) => subnetsOf(i, r.family).some((c) => c.first === dst.first && c.prefix === dst.prefix));
      if (connected) {
        err(`${path}.to`, `${r.to} is the subnet of ${connected.ifname}: it is reached directly, without a route`);
        continue;
      }
    }
    routes.push({
      dst: r.to,
      family: r.family,
      ...(r.via !== undefined ? { via: r.via } : {}),
      ifname: iface!.ifname,
      ...(r.metric !== undefined ? { metric: r.metric } : {}),
    });
  }
  return { routes, issues };
}

/** Every `x-netem` in use, with the key path that set it. */
function netemUses(project: Project, replicas: LabReplica[]): Array<{ path: string; netem: NetemSpec }> {
  const out: Array<{ path: string; netem: NetemSpec }> = [];
  const usedNets = new Set<string>();
  const seenServices = new Set<string>();
  for (const r of replicas) {
    for (const a of r.service.networks) usedNets.add(a.network);
    if (seenServices.has(r.service.name)) continue;
    seenServices.add(r.service.name);
    for (const a of r.service.networks) if (a.netem) out.push({ path: `services.${r.service.name}.networks.${a.network}.x-netem`, netem: a.netem });
  }
  for (const n of Object.values(project.networks)) {
    if (!n.netem || !usedNets.has(n.name)) continue;
    out.push({ path: n.fromLink ? `x-links.${n.fromLink.index}.x-netem` : `networks.${n.name}.x-netem`, netem: n.netem });
  }
  return out;
}

/** Delay, loss and the like need sch_netem: a plan error when the kernel has none. */
export function checkKernel(project: Project, replicas: LabReplica[], observed: Observed): SpecIssue[] {
  if (observed.kernel?.netem !== false) return [];
  return netemUses(project, replicas)
    .filter((u) => needsNetem(u.netem))
    .map((u) => {
      const asked = (['delayUs', 'jitterUs', 'loss', 'duplicate', 'corrupt', 'reorder'] as const)
        .filter((k) => u.netem[k] !== undefined)
        .map((k) => (k === 'delayUs' ? 'delay' : k === 'jitterUs' ? 'jitter' : k));
      return {
        path: u.path,
        loc: project.sources.get(u.path),
        message:
          `${asked.join(', ')} need${asked.length === 1 ? 's' : ''} the netem qdisc, and this kernel has no sch_netem ` +
          '(not built in, and no sch_netem module can be loaded: CONFIG_NET_SCH_NETEM); ' +
          'load the module or use a kernel that has it. A rate alone works without it (tbf).',
      };
    });
}
