/**
 * Resolve a normalized compose project into concrete desired objects:
 * containers (one per replica), bridges, veths, addresses, routes, generated
 * files and launch settings. Pure: host facts come in through `Observed`.
 */
import { PlanError, SpecError, type SpecIssue } from '../errors';
import type { Project, ServiceSpec } from '../compose/types';
import { resolveResources } from './cgroups';
import { parseResolvConf, renderHostname, renderHosts, renderResolvConf, type HostsEntry } from './files';
import { formatCidr, formatIP } from '../net/ip';
import { allocate, attachmentKey, type Attachment } from './ipam';
import { allocate6 } from './ipam6';
import { buildDnsConfig, renderEmbeddedResolvConf } from './dns';
import { desiredSysctls } from './kernel';
import { resolvePorts, type PortReplica } from './ports';
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
import { PeerDirectory } from './hosts';
import { desiredVolumes, HOST_ROOT, launchIsolation } from './isolation';
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

  const v6Keys = networkKeys.filter((k) => project.networks[k]!.enableIpv6 && !project.networks[k]!.external);
  const ipam6 = allocate6({
    project,
    networks: v6Keys,
    attachments: replicas.flatMap((r) =>
      r.service.networks
        .filter((n) => v6Keys.includes(n.network))
        .map((n) => ({
          container: r.name,
          network: n.network,
          static: n.ipv6Address,
          path: `services.${r.service.name}.networks.${n.network}.ipv6_address`,
        })),
    ),
    hostRoutes: observed.hostRoutes,
    bridges: new Set(Object.values(bridges)),
    otherProjects: observed.otherProjects,
    state: observed.state,
  });

  const networks: Record<string, DesiredNetwork> = {};
  for (const key of networkKeys) {
    const spec = project.networks[key]!;
    const alloc = ipam.networks[key]!;
    const alloc6 = ipam6.networks[key];
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
      ...(alloc6
        ? { ipv6: { subnet: formatCidr(alloc6.subnet), prefixLen: alloc6.subnet.prefix, gateway: formatIP({ family: 6, value: alloc6.gateway }) } }
        : {}),
      masquerade: spec.ipMasquerade,
      icc: spec.icc,
      ...(spec.hostBindingIpv4 ? { hostBindingIpv4: spec.hostBindingIpv4 } : {}),
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
      const addr6 = ipam6.addresses.get(attachmentKey(r.name, n.network));
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
        ...(addr6 !== undefined && net.ipv6
          ? { address6: formatIP({ family: 6, value: addr6 }), prefixLen6: net.ipv6.prefixLen, gateway6: net.ipv6.gateway }
          : {}),
        ...(n.netem ? { shaping: qdiscFor(n.netem, mtu) } : {}),
      } satisfies DesiredInterface;
    });
    interfaces.set(r.name, list);
  }

  const volumes = desiredVolumes(project);
  for (const v of Object.values(volumes)) {
    if (v.external && !(observed.volumes ?? []).includes(v.name)) {
      issues.push({ path: `volumes.${v.key}`, loc: project.sources.get(`volumes.${v.key}`), message: `external volume ${v.name} not found: create it first` });
    }
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

  const hostResolver = parseResolvConf(observed.host.resolvConf);
  const peers = new PeerDirectory(
    replicas.map((r, order) => ({
      container: r.name,
      service: r.service.name,
      order,
      on: new Map(
        (named.get(r.name) ?? []).map((i) => [
          i.network,
          { address: i.address, aliases: r.service.networks.find((n) => n.network === i.network)?.aliases ?? [] },
        ]),
      ),
    })),
  );
  const containers: Record<string, DesiredContainer> = {};
  const portReplicas: PortReplica[] = [];
  const resourceIssues: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
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
    const gatewayIface = defaultRoute ? ifaces.find((i) => i.ifname === defaultRoute.ifname) : undefined;
    const routedDefault6 = routed.routes.some((x) => x.dst === 'default' && x.family === 6);
    const defaultRoute6 = !routedDefault6 && gatewayIface?.gateway6 ? { via: gatewayIface.gateway6, ifname: gatewayIface.ifname } : undefined;
    portReplicas.push({ name: r.name, service: svc, ...(gatewayIface ? { gateway: gatewayIface } : {}), interfaces: ifaces });
    const dnsIface = viewIfaces.find((i) => networks[i.network]?.managed);

    const files = {
      hosts: renderHosts(
        selfEntry(viewIfaces[0]?.address, hostname, svc.domainname),
        peers.entriesFor(viewIfaces.map((i) => i.network)),
        svc.extraHosts,
      ),
      // Bridged containers ask the project's DNS server, on the gateway of their first network.
      resolvConf: dnsIface ? renderEmbeddedResolvConf(networks[dnsIface.network]!.gateway, hostResolver, svc) : renderResolvConf(hostResolver, svc),
      hostname: renderHostname(hostname),
    };

    const isolation = launchIsolation(svc, volumes);
    const db = userDbFor(isolation.rootfs, observed);
    if (!db) {
      issues.push(serviceIssue(project, svc, 'x-rootfs', `${isolation.rootfs} is not a directory`));
      continue;
    }
    let user: { uid: number; gid: number } | undefined;
    if (svc.user !== undefined) {
      const u = lookupUser(svc.user, db.passwd, db.group);
      if ('error' in u) {
        issues.push(serviceIssue(project, svc, 'user', u.error));
        continue;
      }
      user = u;
    }
    const namespaces: Namespace[] = placement.kind === 'host' ? ['mount', 'ipc', 'pid', 'cgroup'] : ['mount', 'uts', 'ipc', 'pid', 'cgroup'];
    // One check per service (not per replica) for host limits: the issues would repeat.
    const resources = resolveResources(project, svc, r.index, observed, r.index === 1 ? resourceIssues : []);
    if (r.index === 1) warnings.push(...resources.warnings);
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
      ...resources.launch,
      isolation,
      ...(svc.stopSignal ? { stopSignal: svc.stopSignal } : {}),
      ...(svc.stopGracePeriodSec !== undefined ? { stopGraceSec: svc.stopGracePeriodSec } : {}),
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
      ...(defaultRoute6 ? { defaultRoute6 } : {}),
      ...(routed.routes.length ? { routes: routed.routes } : {}),
      files,
      launch,
      startAfter: [...startAfter].sort(),
      launchHash: shortHash(JSON.stringify(launch), JSON.stringify(placement)).slice(0, 16),
      ...(resources.cgroup ? { cgroup: resources.cgroup } : {}),
    };
  }
  // Limits this host cannot give are errors in the file, at their key.
  if (resourceIssues.length) throw new SpecError(resourceIssues);
  if (issues.length) throw new PlanError(issues);

  const ports = resolvePorts({
    project,
    replicas: portReplicas,
    networks,
    otherProjects: observed.otherProjects,
    ...(observed.hostSockets ? { hostSockets: observed.hostSockets } : {}),
    ...(observed.state ? { state: observed.state } : {}),
  });
  const dns = buildDnsConfig(
    project.name,
    networks,
    replicas.filter((r) => r.service.networkMode.kind === 'default').map((r) => ({ ...r, interfaces: interfaces.get(r.name) ?? [] })),
    hostResolver,
  );
  const desired: Desired = { project: project.name, sources: project.sources, networks, containers, ports, ...(dns ? { dns } : {}) };
  desired.sysctls = desiredSysctls(desired);
  if (Object.keys(volumes).length) desired.volumes = volumes;
  if (Object.keys(lab.links).length) desired.links = lab.links;
  if (opts.services?.length) desired.only = selectWithDependencies(opts.services, project, byService);
  if (warnings.length) desired.warnings = warnings;
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

/** The user database of a root filesystem: the host's for "/", else what observe read inside x-rootfs. */
function userDbFor(rootfs: string, observed: Observed): { passwd: string; group: string } | undefined {
  if (rootfs === HOST_ROOT) return observed.host;
  return observed.rootfsUsers?.[rootfs];
}
