/**
 * Resolve a normalized compose project into concrete desired objects:
 * containers (one per replica), bridges, veths, addresses, routes, generated
 * files and launch settings. Pure: host facts come in through `Observed`.
 */
import { PlanError, type SpecIssue } from '../errors';
import type { Project, ServiceSpec } from '../spec/types';
import { parseResolvConf, renderHostname, renderHosts, renderResolvConf, type HostsEntry } from './files';
import { formatCidr, formatIP } from '../net/ip';
import { allocate, attachmentKey, type Attachment } from './ipam';
import type {
  Desired,
  DesiredContainer,
  DesiredInterface,
  DesiredNetwork,
  LaunchSettings,
  Namespace,
  NetnsPlacement,
  Observed,
} from './model';
import {
  bridgeIfname,
  defaultContainerName,
  deterministicMac,
  netnsName,
  ownerAlias,
  shortHash,
  vethIfname,
} from './names';
import { lookupUser } from './users';
import { attachmentIfnames, checkKernel, isP2p, resolveLinks, resolveRoutes } from './lab';
import { qdiscFor } from './shaping';

export const DEFAULT_MTU = 1500;
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface Replica {
  name: string;
  service: ServiceSpec;
  index: number;
}

export interface ResolveOptions {
  /** `up SERVICE…`: converge only these services and what they depend on. */
  services?: string[];
}

export function resolve(project: Project, observed: Observed, opts: ResolveOptions = {}): Desired {
  const issues: SpecIssue[] = [];
  const replicas = expandReplicas(project);
  const byService = new Map<string, Replica[]>();
  for (const r of replicas) {
    const list = byService.get(r.service.name) ?? [];
    list.push(r);
    byService.set(r.service.name, list);
  }

  // Networks in use, with their kernel bridge names.
  const used = new Set<string>();
  for (const r of replicas) for (const n of r.service.networks) used.add(n.network);
  // p2p networks have no bridge: they are resolved by lab.ts.
  const networkKeys = Object.keys(project.networks).filter((k) => used.has(k) && !isP2p(project, k)).sort();
  const bridges: Record<string, string> = {};
  for (const key of networkKeys) {
    const spec = project.networks[key]!;
    bridges[key] = spec.external ? (spec.externalName ?? key) : (spec.bridgeName ?? bridgeIfname(project.name, key));
  }
  for (const key of networkKeys) {
    const spec = project.networks[key]!;
    if (!spec.external) continue;
    const link = observed.hostLinks.find((l) => l.name === bridges[key]);
    if (!link || link.kind !== 'bridge') {
      issues.push({
        path: `networks.${key}`,
        loc: project.sources.get(`networks.${key}`),
        message: link
          ? `external network ${bridges[key]} is a ${link.kind ?? 'non-bridge'} link, not a bridge`
          : `external network ${bridges[key]} not found: create it first (it must be an existing Linux bridge)`,
      });
    }
  }
  if (issues.length) throw new PlanError(issues);

  const attachments: Attachment[] = [];
  for (const r of replicas) {
    r.service.networks.forEach((n) => {
      if (isP2p(project, n.network)) return;
      attachments.push({
        container: r.name,
        network: n.network,
        static: n.ipv4Address,
        path: `services.${r.service.name}.networks.${n.network}.ipv4_address`,
      });
    });
  }
  const ipam = allocate({
    project,
    bridges,
    networks: networkKeys,
    attachments,
    hostLinks: observed.hostLinks,
    hostRoutes: observed.hostRoutes,
    otherProjects: observed.otherProjects,
    state: observed.state,
  });

  const networks: Record<string, DesiredNetwork> = {};
  for (const key of networkKeys) {
    const spec = project.networks[key]!;
    const alloc = ipam.networks[key]!;
    networks[key] = {
      key,
      displayName: spec.external ? bridges[key]! : `${project.name}_${key}`,
      bridge: bridges[key]!,
      managed: !spec.external,
      internal: spec.internal,
      mtu: spec.mtu ?? DEFAULT_MTU,
      ...(spec.external ? {} : { mac: deterministicMac(project.name, 'bridge', key) }),
      subnet: formatCidr(alloc.subnet),
      prefixLen: alloc.subnet.prefix,
      gateway: formatIP({ family: alloc.subnet.family, value: alloc.gateway }),
      alias: ownerAlias(project.name, `network:${key}`),
    };
  }

  // Interfaces per container.
  const interfaces = new Map<string, DesiredInterface[]>();
  for (const r of replicas) {
    const ifnames = attachmentIfnames(r.service);
    const list = r.service.networks.filter((n) => !isP2p(project, n.network)).map((n) => {
      const ifname = ifnames.get(n.network)!;
      const net = networks[n.network]!;
      const addr = ipam.addresses.get(attachmentKey(r.name, n.network))!;
      const mtu = n.mtu ?? net.mtu;
      return {
        network: n.network,
        ifname,
        hostVeth: vethIfname(project.name, r.name, n.network),
        bridge: net.bridge,
        mac: n.macAddress?.toLowerCase() ?? deterministicMac(project.name, r.name, n.network),
        mtu,
        address: formatIP({ family: 4, value: addr }),
        prefixLen: net.prefixLen,
        gateway: net.gateway,
        alias: ownerAlias(project.name, `veth:${r.name}:${n.network}`),
        ...(n.netem ? { shaping: qdiscFor(n.netem, mtu) } : {}),
      } satisfies DesiredInterface;
    });
    interfaces.set(r.name, list);
  }

  // p2p links, and what /etc/hosts lists: every named interface in attachment order.
  const ownNetns = (r: Replica) => (r.service.networkMode.kind === 'default' ? netnsName(project.name, r.service.name, r.index) : undefined);
  const netnsByContainer = new Map(replicas.map((r) => [r.name, ownNetns(r)]));
  const lab = resolveLinks(project, replicas, (c) => netnsByContainer.get(c));
  issues.push(...lab.issues, ...checkKernel(project, replicas, observed));
  if (issues.length) throw new PlanError(issues);
  const named = new Map<string, NamedIface[]>();
  for (const r of replicas) {
    const bridged = interfaces.get(r.name) ?? [];
    const ends = lab.ends.get(r.name) ?? [];
    const list: NamedIface[] = [];
    for (const n of r.service.networks) {
      const b = bridged.find((i) => i.network === n.network);
      const v4 = b?.address ?? ends.find((e) => e.network === n.network)?.addresses.find((a) => !a.address.includes(':'))?.address;
      if (v4) list.push({ network: n.network, address: v4 });
    }
    named.set(r.name, list);
  }
  const peers = peerIndex(replicas, named);

  const hostResolver = parseResolvConf(observed.host.resolvConf);
  const containers: Record<string, DesiredContainer> = {};
  for (const r of replicas) {
    const svc = r.service;
    const mode = svc.networkMode;
    let placement: NetnsPlacement;
    let ifaces: DesiredInterface[] = [];
    let viewSource = r.name;
    if (mode.kind === 'host') placement = { kind: 'host' };
    else if (mode.kind === 'service') {
      const target = byService.get(mode.service)?.[0];
      if (!target) {
        issues.push(serviceIssue(project, svc, 'network_mode', `service ${mode.service} has no running replica to share a network namespace with`));
        continue;
      }
      placement = { kind: 'container', container: target.name, name: netnsName(project.name, target.service.name, target.index) };
      viewSource = target.name;
    } else {
      placement = { kind: 'own', name: netnsName(project.name, svc.name, r.index) };
      ifaces = interfaces.get(r.name) ?? [];
    }
    if (placement.kind === 'host' && Object.keys(svc.sysctls).length) {
      issues.push(serviceIssue(project, svc, 'sysctls', 'network sysctls cannot be set with network_mode: host (they would change the host)'));
    }

    const hostname = svc.hostname ?? (svc.scale > 1 ? `${svc.name}-${r.index}` : svc.name);
    const viewIfaces = named.get(viewSource) ?? [];
    const ends = placement.kind === 'own' ? (lab.ends.get(r.name) ?? []) : [];
    const routed = resolveRoutes(project, svc, ifaces, ends);
    issues.push(...routed.issues);
    // An x-routes default replaces the one a bridge would give.
    const defaultRoute = routed.routes.some((x) => x.dst === 'default' && x.family === 4) ? undefined : pickDefaultRoute(svc, ifaces, networks);

    const files = {
      hosts: renderHosts(
        selfEntry(viewIfaces[0]?.address, hostname, svc.domainname),
        peers(viewSource, viewIfaces),
        svc.extraHosts,
      ),
      resolvConf: renderResolvConf(hostResolver, svc),
      hostname: renderHostname(hostname),
    };

    let user: { uid: number; gid: number } | undefined;
    if (svc.user !== undefined) {
      const u = lookupUser(svc.user, observed.host.passwd, observed.host.group);
      if ('error' in u) {
        issues.push(serviceIssue(project, svc, 'user', u.error));
        continue;
      }
      user = u;
    }
    const namespaces: Namespace[] = placement.kind === 'host' ? ['mount', 'ipc'] : ['mount', 'uts', 'ipc'];
    const launch: LaunchSettings = {
      argv: [...(svc.entrypoint ?? []), ...(svc.command ?? [])],
      env: {
        PATH: DEFAULT_PATH,
        HOSTNAME: hostname,
        HOME: user && user.uid !== 0 ? '/' : '/root',
        ...svc.environment,
      },
      ...(svc.workingDir ? { cwd: svc.workingDir } : {}),
      ...(user ? { user } : {}),
      hostname,
      ...(svc.domainname ? { domainname: svc.domainname } : {}),
      namespaces,
      sysctls: placement.kind === 'host' ? {} : svc.sysctls,
    };
    const startAfter = new Set<string>();
    for (const dep of Object.keys(svc.dependsOn)) for (const d of byService.get(dep) ?? []) startAfter.add(d.name);
    if (placement.kind === 'container') startAfter.add(placement.container);

    containers[r.name] = {
      name: r.name,
      service: svc.name,
      index: r.index,
      netns: placement,
      interfaces: ifaces,
      ...(defaultRoute ? { defaultRoute } : {}),
      ...(routed.routes.length ? { routes: routed.routes } : {}),
      files,
      launch,
      startAfter: [...startAfter].sort(),
      launchHash: shortHash(JSON.stringify(launch), JSON.stringify(placement)).slice(0, 16),
    };
  }
  if (issues.length) throw new PlanError(issues);

  const desired: Desired = { project: project.name, sources: project.sources, networks, containers };
  if (Object.keys(lab.links).length) desired.links = lab.links;
  if (opts.services?.length) desired.only = selectWithDependencies(opts.services, project, byService);
  return desired;
}

function expandReplicas(project: Project): Replica[] {
  const out: Replica[] = [];
  for (const name of Object.keys(project.services).sort()) {
    const svc = project.services[name]!;
    for (let i = 1; i <= svc.scale; i++) {
      const cname = svc.containerName && svc.scale === 1 ? svc.containerName : defaultContainerName(project.name, name, i);
      out.push({ name: cname, service: svc, index: i });
    }
  }
  return out;
}

/** The gateway of the highest `gw_priority` non-internal network; ties go to attachment order. */
function pickDefaultRoute(
  svc: ServiceSpec,
  ifaces: DesiredInterface[],
  networks: Record<string, DesiredNetwork>,
): { via: string; ifname: string } | undefined {
  let best: { prio: number; iface: DesiredInterface } | undefined;
  svc.networks.forEach((n) => {
    const iface = ifaces.find((x) => x.network === n.network);
    if (!iface || networks[n.network]!.internal) return;
    if (!best || n.gwPriority > best.prio) best = { prio: n.gwPriority, iface };
  });
  return best ? { via: best.iface.gateway, ifname: best.iface.ifname } : undefined;
}

function selfEntry(address: string | undefined, hostname: string, domainname?: string): HostsEntry | undefined {
  if (!address) return undefined;
  return { address, names: domainname ? [`${hostname}.${domainname}`, hostname] : [hostname] };
}

/** An interface that /etc/hosts lists: its network and IPv4 address. */
interface NamedIface {
  network: string;
  address: string;
}

/**
 * For a viewer: every other container sharing a network with it (bridge or
 * p2p link), in replica order; on the first shared network (in the viewer's
 * order) its service and container names, plus its aliases on each shared
 * network. Indexed by network, so a lab of point-to-point links costs
 * O(links), not O(containers²).
 */
function peerIndex(replicas: Replica[], named: Map<string, NamedIface[]>): (viewer: string, viewIfaces: NamedIface[]) => HostsEntry[] {
  const order = new Map(replicas.map((r, i) => [r.name, i]));
  const members = new Map<string, Replica[]>();
  for (const r of replicas) {
    for (const i of named.get(r.name) ?? []) {
      const list = members.get(i.network) ?? [];
      list.push(r);
      members.set(i.network, list);
    }
  }
  return (viewer, viewIfaces) => {
    const viewerNets = viewIfaces.map((i) => i.network);
    let inOrder: Replica[];
    if (viewerNets.length === 1) {
      // One network (the usual bridge member): its members are already in replica order.
      inOrder = (members.get(viewerNets[0]!) ?? []).filter((p) => p.name !== viewer);
    } else {
      const candidates = new Set<Replica>();
      for (const net of viewerNets) for (const p of members.get(net) ?? []) if (p.name !== viewer) candidates.add(p);
      // In replica order: sorting a few link peers, or filtering all replicas when most are peers.
      inOrder = candidates.size * 8 < replicas.length ? [...candidates].sort((a, b) => order.get(a.name)! - order.get(b.name)!) : replicas.filter((r) => candidates.has(r));
    }
    const out: HostsEntry[] = [];
    for (const peer of inOrder) {
      const peerIfaces = named.get(peer.name) ?? [];
      let first = true;
      for (const net of viewerNets) {
        const iface = peerIfaces.find((i) => i.network === net);
        if (!iface) continue;
        const attach = peer.service.networks.find((n) => n.network === net)!;
        const names = [...(first ? [peer.service.name, peer.name] : []), ...attach.aliases];
        first = false;
        const unique = [...new Set(names)];
        if (unique.length) out.push({ address: iface.address, names: unique });
      }
    }
    return out;
  };
}

function serviceIssue(project: Project, svc: ServiceSpec, key: string, message: string): SpecIssue {
  const path = `services.${svc.name}.${key}`;
  return { path, loc: project.sources.get(path) ?? project.sources.get(`services.${svc.name}`), message };
}

/** The named services' containers plus everything they depend on, transitively. */
function selectWithDependencies(services: string[], project: Project, byService: Map<string, Replica[]>): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const svc = project.services[name];
    if (!svc) return;
    for (const dep of Object.keys(svc.dependsOn)) visit(dep);
    if (svc.networkMode.kind === 'service') visit(svc.networkMode.service);
  };
  services.forEach(visit);
  return [...seen].flatMap((s) => (byService.get(s) ?? []).map((r) => r.name)).sort();
}
