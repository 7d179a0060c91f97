/**
 * One replica → one desired container: where its network namespace is,
 * its interfaces and routes, generated files (/etc/hosts, resolv.conf,
 * hostname) and launch settings (argv, env, user, namespaces, limits,
 * isolation).
 */
import { launchHook } from './hooks';
import type { SpecIssue } from '../../errors';
import type { Project, ServiceSpec } from '../../compose/types';
import { resolveResources } from '../cgroups';
import { dnsGatewayFor, renderEmbeddedResolvConf } from '../dns';
import { renderHostname, renderHosts, renderResolvConf, resolveHostGateway, type HostResolver, type HostsEntry } from '../files';
import type { PeerDirectory } from '../hosts';
import { imageRun, launchImage } from '../image';
import { devicePolicy } from '../devices';
import { endpointSysctls } from '../endpoint-sysctls';
import { externalLinkHosts } from './external-links';
import { HOST_SECRET_DIRS, HOST_SECRET_FILES, hostSecrets } from '../host-secrets';
import { HOST_ROOT, launchIsolation } from '../isolation';
import { resolveRoutes, type LinksResult } from '../lab';
import { containerMetadata } from '../metadata';
import type { DesiredContainer, DesiredInterface, DesiredNetwork, DesiredVolume, GeneratedFiles, LaunchSettings, NetnsPlacement, Observed, ObservedImage } from '../model';
import { processSettings, type ProcessIssue } from '../process';
import { netnsName, shortHash } from '../names';
import type { PortReplica } from '../ports';
import { lookupUser } from '../users';
import type { NamedIface } from './peers';
import { resolveHealthcheck } from '../health';
import { serviceIssue, type Replica } from './replicas';
import { storageQuota } from '../storage-quota';
import { lsmPolicy } from '../security-labels';
import { volumesFromMounts } from '../volumes-from';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What every container is resolved against. */
export interface ContainerContext {
  project: Project;
  observed: Observed;
  byService: Map<string, Replica[]>;
  networks: Record<string, DesiredNetwork>;
  interfaces: Map<string, DesiredInterface[]>;
  lab: LinksResult;
  named: Map<string, NamedIface[]>;
  peers: PeerDirectory;
  hostResolver: HostResolver;
  volumes: Record<string, DesiredVolume>;
  /** Problems in the file, at their keys. */
  issues: SpecIssue[];
  /** Limits this host cannot give (one check per service). */
  resourceIssues: SpecIssue[];
  /** Limits this host cannot enforce, left out (one warning per service). */
  warnings: SpecIssue[];
  /** Containers with their gateway interface, for published ports. */
  portReplicas: PortReplica[];
  /** SELinux MCS levels given out so far (plan/security-labels.ts). */
  mcsTaken: Set<string>;
  /** XFS project IDs given to writable layers so far (plan/storage-quota.ts). */
  projectIds: number[];
}

/** The desired container of replica `r`, or undefined (with an issue) when it cannot be realised. */
export function resolveContainer(ctx: ContainerContext, r: Replica): DesiredContainer | undefined {
  const { project } = ctx;
  const svc = r.service;
  const place = placement(ctx, r);
  if (!place) return undefined;
  const { netns, ifaces, viewSource } = place;
  if (netns.kind === 'host' && Object.keys(svc.sysctls).some((k) => k.startsWith('net.'))) {
    ctx.issues.push(serviceIssue(project, svc, 'sysctls', 'network sysctls cannot be set with network_mode: host (they would change the host)'));
  }
  // uts: host: the host's name, in HOSTNAME and /etc/hostname too (as Docker).
  const hostname = (svc.process?.utsHost ? ctx.observed.host.hostname : undefined) ?? svc.hostname ?? defaultHostname(ctx, r);
  const ends = netns.kind === 'own' ? (ctx.lab.ends.get(r.name) ?? []) : [];
  const routed = resolveRoutes(project, svc, ifaces, ends);
  ctx.issues.push(...routed.issues);
  // An x-routes default replaces the one a bridge would give.
  const routedDefault = (family: 4 | 6) => routed.routes.some((x) => x.dst === 'default' && x.family === family);
  const defaultRoute = routedDefault(4) ? undefined : pickDefaultRoute(svc, ifaces, ctx.networks, 4);
  const defaultRoute6 = routedDefault(6) ? undefined : pickDefaultRoute(svc, ifaces, ctx.networks, 6);
  // Published ports go to the IPv4 gateway's interface, else (a container only on IPv6-only networks) the IPv6 one.
  const portsVia = defaultRoute ?? (routedDefault(4) ? undefined : defaultRoute6);
  const gatewayIface = portsVia ? ifaces.find((i) => i.ifname === portsVia.ifname) : undefined;
  ctx.portReplicas.push({ name: r.name, service: svc, ...(gatewayIface ? { gateway: gatewayIface } : {}), interfaces: ifaces });
  const files = generatedFiles(ctx, svc, hostname, ctx.named.get(viewSource) ?? []);
  const launch = launchSettings(ctx, r, netns, hostname);
  if (!launch) return undefined;
  const startAfter = new Set<string>();
  for (const dep of Object.keys(svc.dependsOn)) for (const d of ctx.byService.get(dep) ?? []) startAfter.add(d.name);
  if (netns.kind === 'container') startAfter.add(netns.container);
  for (const j of launch.settings.join ?? []) startAfter.add(j.container);
  const launchHash = shortHash(JSON.stringify(launch.settings), JSON.stringify(netns)).slice(0, 16);
  return {
    name: r.name,
    service: svc.name,
    index: r.index,
    netns,
    interfaces: ifaces,
    ...(defaultRoute ? { defaultRoute } : {}),
    ...(defaultRoute6 ? { defaultRoute6 } : {}),
    ...(routed.routes.length ? { routes: routed.routes } : {}),
    files,
    launch: launch.settings,
    startAfter: [...startAfter].sort(),
    launchHash,
    ...(launch.cgroup ? { cgroup: launch.cgroup } : {}),
    ...containerMetadata(project, svc, r.index, launchHash),
  };
}

/**
 * `web` for a lone replica, `web-N` among several. A running replica keeps
 * the default it was made with, so `up --scale` never recreates the
 * replicas that stay (their uts namespace holds the name).
 */
function defaultHostname(ctx: ContainerContext, r: Replica): string {
  const svc = r.service;
  const made = ctx.observed.state?.containers[r.name]?.launch.hostname;
  const defaults = [svc.name, `${svc.name}-${r.index}`];
  if (made !== undefined && defaults.includes(made)) return made;
  return svc.scale > 1 ? defaults[1]! : defaults[0]!;
}

/** Its network namespace, its bridged interfaces, and whose interfaces its /etc/hosts names. */
function placement(ctx: ContainerContext, r: Replica): { netns: NetnsPlacement; ifaces: DesiredInterface[]; viewSource: string } | undefined {
  const { project } = ctx;
  const mode = r.service.networkMode;
  if (mode.kind === 'host') return { netns: { kind: 'host' }, ifaces: [], viewSource: r.name };
  if (mode.kind === 'service') {
    const target = ctx.byService.get(mode.service)?.[0];
    if (!target) {
      ctx.issues.push(serviceIssue(project, r.service, 'network_mode', `service ${mode.service} has no running replica to share a network namespace with`));
      return undefined;
    }
    const netns: NetnsPlacement = { kind: 'container', container: target.name, name: netnsName(project.name, target.service.name, target.index) };
    return { netns, ifaces: [], viewSource: target.name };
  }
  return { netns: { kind: 'own', name: netnsName(project.name, r.service.name, r.index) }, ifaces: ctx.interfaces.get(r.name) ?? [], viewSource: r.name };
}

function generatedFiles(ctx: ContainerContext, svc: ServiceSpec, hostname: string, view: NamedIface[]): GeneratedFiles {
  const dnsGateway = dnsGatewayFor(ctx.networks, view);
  const first = view[0] ? ctx.networks[view[0].network] : undefined;
  const extra = resolveHostGateway(svc.extraHosts, first?.gateway ?? first?.ipv6?.gateway);
  for (const h of extra.unresolved) {
    ctx.issues.push(serviceIssue(ctx.project, svc, 'extra_hosts', `${h}:host-gateway needs a bridge network (the gateway of the container's first network); this container has none`));
  }
  return {
    hosts: renderHosts(selfEntry(view[0]?.address, hostname, svc.domainname), ctx.peers.entriesFor(view.map((i) => i.network)), [...linkHosts(ctx, svc, view), ...externalLinks(ctx, svc, view), ...extra.hosts]),
    // Bridged containers ask the project's DNS server, on the gateway of their first network.
    resolvConf: dnsGateway ? renderEmbeddedResolvConf(dnsGateway, ctx.hostResolver, svc) : renderResolvConf(ctx.hostResolver, svc),
    hostname: renderHostname(hostname),
  };
}

/** The launch settings and cgroup of replica `r`, or undefined (with an issue) when its image, rootfs or user is unknown. */
function launchSettings(ctx: ContainerContext, r: Replica, netns: NetnsPlacement, hostname: string) {
  const { project } = ctx;
  const svc = r.service;
  const image = svc.image ? imageFor(ctx, svc) : undefined;
  if (image === null) return undefined;
  const run = image ? imageRun(svc, image.config) : undefined;
  // One check per service (not per replica) for host limits: the issues would repeat.
  const first = r.index === 1;
  const resources = resolveResources(project, svc, r.index, ctx.observed, first ? ctx.resourceIssues : []);
  if (first) ctx.warnings.push(...resources.warnings);
  const devices = devicePolicy(svc, {
    observed: ctx.observed,
    hasCgroup: resources.cgroup !== undefined,
    issue: (key, message) => serviceIssue(project, svc, key, message),
    problems: first ? ctx.resourceIssues : [],
    warnings: first ? ctx.warnings : [],
  });
  const secrets = hostSecrets(svc, !image && svc.rootfs === undefined);
  if (first && secrets.unknown.length) {
    ctx.resourceIssues.push(serviceIssue(project, svc, 'x-host-secrets', `${secrets.unknown.join(', ')}: not hidden from a container (hidden: ${[...HOST_SECRET_FILES, ...Object.keys(HOST_SECRET_DIRS)].join(', ')})`));
  }
  const volumesFrom = (devNodes: boolean) => volumesFromMounts(project, svc, ctx.volumes, ctx.observed, devNodes);
  const lsm = lsmPolicy(svc, r.name, ctx.observed, ctx.mcsTaken);
  const quota = storageQuota(svc, r.name, { project, observed: ctx.observed, given: ctx.projectIds, issue: (key, message) => serviceIssue(project, svc, key, message), problems: first ? ctx.resourceIssues : [] });
  const isolation = { ...launchIsolation(svc, ctx.volumes, image && run ? { layerDirs: image.layerDirs, volumes: run.volumes } : undefined, { devices, secrets, volumesFrom }), ...(lsm ? { lsm } : {}), ...(quota ? { storageQuota: quota } : {}) };
  const db = image ?? userDbFor(isolation.rootfs, ctx.observed);
  if (!db) {
    ctx.issues.push(serviceIssue(project, svc, 'x-rootfs', `${isolation.rootfs} is not a directory`));
    return undefined;
  }
  let user: { uid: number; gid: number } | undefined;
  const userSpec = run ? run.user : svc.user;
  if (userSpec !== undefined) {
    const u = lookupUser(userSpec, db.passwd, db.group);
    if ('error' in u) {
      const fromImage = svc.user === undefined;
      ctx.issues.push(serviceIssue(project, svc, fromImage ? 'image' : 'user', fromImage ? `the image's User: ${u.error}` : u.error));
      return undefined;
    }
    user = u;
  }
  const argv = run ? run.argv : [...(svc.entrypoint ?? []), ...(svc.command ?? [])];
  if (image && !argv.length) {
    ctx.issues.push(serviceIssue(project, svc, 'image', `${svc.image!.reference} sets no Entrypoint or Cmd: give the service a command`));
    return undefined;
  }
  const cwd = run ? run.cwd : svc.workingDir;
  const stopSignal = run ? run.stopSignal : svc.stopSignal;
  const health = resolveHealthcheck(svc.healthcheck, image?.config.healthcheck);
  if (svc.restart?.onUnhealthy && !health) {
    ctx.issues.push(serviceIssue(project, svc, 'x-restart-on-unhealthy', 'the service has no healthcheck (neither in the file nor in the image): nothing would ever find it unhealthy'));
  }
  const processIssues: ProcessIssue[] = [];
  const proc = processSettings(svc, netns.kind === 'host', db.group, (s) => ctx.byService.get(s)?.[0]?.name, processIssues);
  for (const i of processIssues) ctx.issues.push(serviceIssue(project, svc, i.key, i.message));
  if (processIssues.length) return undefined;
  const settings: LaunchSettings = {
    ...(image ? { image: launchImage(image) } : {}),
    argv,
    // The image's Env under the service's environment (PATH from the image when it sets one).
    env: { PATH: DEFAULT_PATH, HOSTNAME: hostname, HOME: user && user.uid !== 0 ? '/' : '/root', ...run?.env, ...svc.environment },
    ...(cwd ? { cwd } : {}),
    ...(user ? { user } : {}),
    hostname,
    ...(svc.domainname ? { domainname: svc.domainname } : {}),
    ...proc,
    // An attachment's com.docker.network.endpoint.sysctls join the service's (net.*: not with network_mode host).
    ...(netns.kind === 'host' ? {} : { sysctls: { ...proc.sysctls, ...endpointSysctls(svc) } }),
    ...resources.launch,
    isolation,
    ...(stopSignal ? { stopSignal } : {}),
    ...(svc.stopGracePeriodSec !== undefined ? { stopGraceSec: svc.stopGracePeriodSec } : {}),
    ...(svc.restart ? { restart: { ...svc.restart } } : {}),
    ...(health ? { healthcheck: health } : {}),
    ...(svc.postStart || svc.preStop ? { hooks: launchHooks(svc) } : {}),
    ...(svc.logging && (svc.logging.driver !== 'json-file' || svc.logging.maxSize !== undefined) ? { logging: { ...svc.logging } } : {}),
  };
  return { settings, cgroup: resources.cgroup };
}

function launchHooks(svc: ServiceSpec): NonNullable<LaunchSettings['hooks']> {
  const of = (list: NonNullable<ServiceSpec['postStart']>) => list.map(launchHook);
  return { ...(svc.postStart ? { postStart: of(svc.postStart) } : {}), ...(svc.preStop ? { preStop: of(svc.preStop) } : {}) };
}

/** The service's image as observed in the store; null (with an issue) when it is not there or has no layer. */
function imageFor(ctx: ContainerContext, svc: ServiceSpec): ObservedImage | null {
  const want = svc.image!;
  const image = ctx.observed.images?.[want.name];
  if (!image) {
    const why = svc.build
      ? '(tscompose build)'
      : want.pullPolicy.kind === 'never'
        ? 'and pull_policy is never: pull it yourself (tscompose pull)'
        : '(tscompose pull)';
    ctx.issues.push(serviceIssue(ctx.project, svc, svc.build && want.implicit ? 'build' : 'image', `${want.reference} is not in the image store (${want.name}) ${why}`));
    return null;
  }
  if (!image.layerDirs.length) {
    ctx.issues.push(serviceIssue(ctx.project, svc, 'image', `${want.reference} has no layers: nothing to run`));
    return null;
  }
  return image;
}

/**
 * The `family` gateway of the highest `gw_priority` non-internal network
 * that has that family (as Docker, each family on its own: an IPv6-only
 * network never takes the IPv4 default route); ties go to attachment order.
 */
function pickDefaultRoute(svc: ServiceSpec, ifaces: DesiredInterface[], networks: Record<string, DesiredNetwork>, family: 4 | 6): { via: string; ifname: string } | undefined {
  let best: { prio: number; iface: DesiredInterface; via: string } | undefined;
  svc.networks.forEach((n) => {
    const iface = ifaces.find((x) => x.network === n.network);
    const via = family === 4 ? iface?.gateway : iface?.gateway6;
    if (!iface || !via || networks[n.network]!.internal) return;
    if (!best || n.gwPriority > best.prio) best = { prio: n.gwPriority, iface, via };
  });
  return best ? { via: best.via, ifname: best.iface.ifname } : undefined;
}

function selfEntry(address: string | undefined, hostname: string, domainname?: string): HostsEntry | undefined {
  if (!address) return undefined;
  return { address, names: domainname ? [`${hostname}.${domainname}`, hostname] : [hostname] };
}

/** The user database of a root filesystem: the host's for "/", else what observe read inside x-rootfs. */
function userDbFor(rootfs: string, observed: Observed): { passwd: string; group: string } | undefined {
  if (rootfs === HOST_ROOT) return observed.host;
  return observed.rootfsUsers?.[rootfs];
}

/** `links: [db:database]`: the alias → db's first replica's address on a network this container shares with it. */
function externalLinks(ctx: ContainerContext, svc: ServiceSpec, view: NamedIface[]) {
  const x = externalLinkHosts(ctx.project, svc, view, ctx.networks, ctx.observed);
  ctx.issues.push(...x.issues);
  return x.hosts;
}

function linkHosts(ctx: ContainerContext, svc: ServiceSpec, view: NamedIface[]): Array<{ host: string; ip: string }> {
  const out: Array<{ host: string; ip: string }> = [];
  const mine = new Set(view.map((i) => i.network));
  for (const l of svc.links ?? []) {
    const target = ctx.byService.get(l.service)?.[0];
    const shared = target ? (ctx.named.get(target.name) ?? []).find((i) => mine.has(i.network)) : undefined;
    if (shared) out.push({ host: l.alias, ip: shared.address });
    else ctx.issues.push(serviceIssue(ctx.project, svc, 'links', `the link to "${l.service}" needs a network shared with it`));
  }
  return out;
}
