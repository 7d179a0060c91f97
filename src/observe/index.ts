/**
 * observe(): read everything plan() needs from the machine, once, up front.
 * Only reads; never changes anything.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { ObserveError, type ErrnoLike } from '../errors';
import type { Observed, ObservedNetns, OtherProject, ProjectState, StateNetwork } from '../plan/model';
import { netnsPrefix } from '../plan/names';
import { listNetns, openRtnlIn } from '../sys/netns';
import { isAlive, readProcessRef } from '../sys/shim';
import type { Rtnl } from '../sys/netlink/rtnl';
import type { StateDir } from '../sys/state';
import { observeCgroups } from './cgroups';
import { observeHostDevices } from './devices';
import { observeContainers } from './containers';
import { hostResolvConf, hostUserDb, invoker, observeLinks } from './host';
import { dnsDir, observeDns } from './dns';
import { observeHostSockets, socketInodes } from './sockets';
import { observeSysctls } from './kernel';
import { observeFirewall } from './nft';
import { rootfsUserDbs } from './rootfs';
import { observeImages } from './images';
import { VolumeStore } from '../sys/volumes';
import { observeQdiscs } from './qdiscs';
import { hasDummy, hasIpvlan, hasNetem, securityModules, selinuxEnforcing } from '../sys/kernel';
import { layerFilesystem } from '../sys/layer-quota';

export interface ObserveOptions {
  project: string;
  state: StateDir;
  /** Socket in the host namespace. */
  rtnl: Rtnl;
  /**
   * Read links and routes inside each namespace (drift detection). `down`
   * removes namespaces wholesale and needs only their names.
   */
  inspectNamespaces?: boolean;
  /** cgroup_parents the file names (the journal's are added): where to look for the project's cgroups. */
  cgroupParents?: string[];
  /** `x-rootfs` directories whose user database the planner needs. */
  rootfsDirs?: string[];
  /** Host device nodes `devices:` names (plan/devices.ts devicePaths). */
  devicePaths?: string[];
  /** Read the filesystem of the writable layers (a service has storage_opt.size). */
  layerFs?: boolean;
  /** Canonical names of the images the file names (read from the image store). */
  images?: string[];
  /** The named-volume store (default /var/lib/tscompose/volumes). */
  volumes?: VolumeStore;
  /** Ask the kernel whether it has sch_netem (only when the file wants delay, loss…: asking may load the module). */
  probeNetem?: boolean;
  /** Ask the kernel whether it has ipvlan (only when the file has an ipvlan network). */
  probeIpvlan?: boolean;
  /** Ask the kernel whether it has dummy links (only when a macvlan/ipvlan network has no parent). */
  probeDummy?: boolean;
}

export async function observe(opts: ObserveOptions): Promise<Observed> {
  const { project, state } = opts;
  const inspect = opts.inspectNamespaces !== false;
  const [host, netns, firewall, netem, ipvlan, dummy] = await Promise.all([
    observeLinks(opts.rtnl),
    inspect ? observeNamespaces(project) : namespaceNames(project),
    observeFirewall(project),
    inspect && opts.probeNetem ? hasNetem() : undefined,
    opts.probeIpvlan ? hasIpvlan() : undefined,
    opts.probeDummy ? hasDummy() : undefined,
  ]);
  const journal = state.readState(project);
  const dns = observeDns(state, project);
  const hostQdiscs = inspect ? await observeQdiscs(opts.rtnl, host.links) : [];
  return {
    hostLinks: host.links,
    hostRoutes: host.routes,
    ...(hostQdiscs.length ? { hostQdiscs } : {}),
    kernel: { ...(netem !== undefined ? { netem } : {}), ...(ipvlan !== undefined ? { ipvlan } : {}), ...(dummy !== undefined ? { dummy } : {}), selinuxEnforcing: selinuxEnforcing(), ...securityModules() },
    netns,
    containers: observeContainers(state, project),
    ...(journal ? { state: journal } : {}),
    otherProjects: otherProjects(state, project),
    ...(inspect ? { hostSockets: observeHostSockets(ownDnsSockets(state, project)) } : {}),
    // HOME and SUDO_USER: whose home directories `:z`/`:Z` must not relabel (plan/security-labels.ts).
    host: { resolvConf: hostResolvConf(), ...hostUserDb(), hostname: os.hostname(), ...invoker() },
    firewall,
    sysctls: observeSysctls(host.links),
    ...(dns ? { dns } : {}),
    cgroups: observeCgroups(project, journal, opts.cgroupParents),
    rootfsUsers: rootfsUserDbs(opts.rootfsDirs ?? []),
    ...(opts.layerFs ? { layerFs: observeLayerFs(state, project) } : {}),
    ...(opts.devicePaths?.length ? { hostDevices: observeHostDevices(opts.devicePaths) } : {}),
    volumes: (opts.volumes ?? new VolumeStore()).list(),
    ...(opts.images?.length ? { images: await observeImages(opts.images) } : {}),
  };
}

/** Links, addresses and routes inside each of the project's namespaces. */
export async function observeNamespaces(project: string): Promise<Record<string, ObservedNetns>> {
  const names = listNetns(netnsPrefix(project));
  const entries = await Promise.all(names.map(async (name) => [name, await inspectNamespace(name)] as const));
  return Object.fromEntries(entries);
}

/**
 * One namespace's links, routes and qdiscs. Only "the namespace is gone"
 * makes it stale (the planner then recreates it and restarts its
 * container): its file vanished (open: ENOENT) or no longer holds a
 * namespace (setns: EINVAL). Any other failure (ENOBUFS, EMFILE, a parse
 * bug) is an ObserveError: `up` stops before changing anything.
 */
export async function inspectNamespace(name: string, open: (name: string) => Rtnl = openRtnlIn): Promise<ObservedNetns> {
  let rtnl: Rtnl;
  try {
    rtnl = open(name);
  } catch (e) {
    if (namespaceGone(e)) return { name, links: [], routes: [], stale: true };
    throw new ObserveError(`network namespace ${name}`, e);
  }
  try {
    const { links, routes } = await observeLinks(rtnl);
    const qdiscs = await observeQdiscs(rtnl, links);
    return { name, links, routes, ...(qdiscs.length ? { qdiscs } : {}) };
  } catch (e) {
    throw new ObserveError(`network namespace ${name}`, e);
  } finally {
    rtnl.close();
  }
}

function namespaceGone(e: unknown): boolean {
  const err = e as ErrnoLike;
  return (err?.syscall === 'open' && err.code === 'ENOENT') || (err?.syscall === 'setns' && err.code === 'EINVAL');
}

function namespaceNames(project: string): Record<string, ObservedNetns> {
  return Object.fromEntries(listNetns(netnsPrefix(project)).map((name) => [name, { name, links: [], routes: [] }]));
}

/** The sockets of the project's own DNS server: its port 53 on the gateways is no conflict for its own ports. */
function ownDnsSockets(state: StateDir, project: string): Set<number> {
  const init = readProcessRef(path.join(dnsDir(state, project), 'init.pid'));
  return init && isAlive(init) ? socketInodes(init.pid) : new Set();
}

/** A network's families as its journal gives them (what a joiner takes). */
function families(n: StateNetwork) {
  return { ...(n.subnet ? { subnet: n.subnet, gateway: n.gateway } : {}), ...(n.subnet6 ? { subnet6: n.subnet6, ...(n.gateway6 ? { gateway6: n.gateway6 } : {}) } : {}) };
}

function otherProjects(state: StateDir, project: string): OtherProject[] {
  const out: OtherProject[] = [];
  for (const p of state.projects()) {
    if (p === project) continue;
    let s: ProjectState | undefined;
    try {
      s = state.readState(p);
    } catch {
      continue; // unreadable journal of someone else: nothing to reserve from it
    }
    if (!s) continue;
    const bridges = new Map(Object.entries(s.networks).map(([k, n]) => [k, n.bridge]));
    out.push({
      project: p,
      subnets: Object.values(s.networks)
        .filter((n) => n.managed && !n.shared)
        .flatMap((n) => [...(n.subnet ? [n.subnet] : []), ...(n.subnet6 ? [n.subnet6] : [])]),
      ports: Object.values(s.containers).flatMap((c) => c.ports ?? []),
      ...(Object.values(s.networks).some((n) => n.shared) ? { sharedBridge: true } : {}),
      networks: Object.values(s.networks).flatMap((n) => (n.name ? [{ name: n.name, bridge: n.bridge, ...families(n) }] : [])),
      addresses: Object.entries(s.containers).flatMap(([name, c]) =>
        c.interfaces.flatMap((i) => (i.address ? [{ bridge: bridges.get(i.network) ?? '', address: i.address, container: name }] : [])),
      ),
      addresses6: Object.entries(s.containers).flatMap(([name, c]) =>
        c.interfaces.flatMap((i) => (i.address6 ? [{ bridge: bridges.get(i.network) ?? '', address: i.address6, container: name }] : [])),
      ),
      ...(s.keptForJoiners ? { keptOnly: true as const } : {}),
      ...projectIdsOf(s),
    });
  }
  return out;
}

/** The XFS project IDs of a journal's writable layers. */
function projectIdsOf(s: ProjectState): { projectIds?: number[] } {
  const ids = Object.values(s.containers).flatMap((c) => [c.launch?.isolation?.storageQuota?.projectId, c.oldProjectId].filter((id): id is number => id !== undefined));
  return ids.length ? { projectIds: ids } : {};
}

/** The filesystem the project's containers' writable layers are (or will be) on. */
function observeLayerFs(state: StateDir, project: string): Observed['layerFs'] {
  const dir = path.dirname(state.containerDir(project, 'x'));
  const fs = layerFilesystem(dir);
  return fs ? { ...fs, dir } : undefined;
}
