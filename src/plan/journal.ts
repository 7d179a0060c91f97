/**
 * The journal records what exists (or may exist) before it is created:
 * before applying a plan we write prior ∪ desired, so a crash at any point
 * leaves a journal that names everything `down` must look for; after success
 * we write exactly what is there.
 */
import { sameCgroup } from './cgroups';
import type { Desired, DesiredContainer, ProjectState, StateContainer, StateNetwork } from './model';
import { portKey } from './ports';

function stateOfContainer(c: DesiredContainer, desired: Desired): StateContainer {
  const ports = (desired.ports ?? []).filter((p) => p.container === c.name).map(portKey);
  return {
    ...(c.oneOff ? { oneOff: true as const } : {}),
    service: c.service,
    index: c.index,
    ...(c.netns.kind === 'own' ? { netns: c.netns.name } : {}),
    interfaces: c.interfaces.map((i) => ({
      network: i.network,
      ifname: i.ifname,
      hostVeth: i.hostVeth,
      ...(i.address ? { address: i.address, prefixLen: i.prefixLen! } : {}),
      mac: i.mac,
      ...(i.address6 ? { address6: i.address6 } : {}),
    })),
    launchHash: c.launchHash,
    launch: c.launch,
    netnsPlacement: c.netns,
    ...(c.startAfter.length ? { startAfter: c.startAfter } : {}),
    ...(c.waitFor?.length ? { waitFor: c.waitFor } : {}),
    ...(c.restartWith?.length ? { restartWith: c.restartWith } : {}),
    ...(ports.length ? { ports } : {}),
    ...(c.cgroup ? { cgroup: c.cgroup } : {}),
    labels: c.labels,
    ...(c.annotations ? { annotations: c.annotations } : {}),
    ...(c.expose ? { expose: c.expose } : {}),
  };
}

function stateOfNetworks(desired: Desired): Record<string, StateNetwork> {
  const out: Record<string, StateNetwork> = {};
  for (const n of Object.values(desired.networks)) {
    out[n.key] = { bridge: n.bridge, managed: n.managed, ...(n.subnet ? { subnet: n.subnet, gateway: n.gateway! } : {}), ...(n.ipv6 ? { subnet6: n.ipv6.subnet, gateway6: n.ipv6.gateway } : {}), ...(n.shared ? { shared: true as const } : {}), ...(n.managed && !n.shared ? { name: n.displayName } : {}) };
  }
  return out;
}

function selected(desired: Desired): DesiredContainer[] {
  const only = desired.only ? new Set(desired.only) : undefined;
  return Object.values(desired.containers).filter((c) => !only || only.has(c.name));
}

interface Meta {
  workingDir?: string;
  files?: string[];
  now: string;
  /** Plan.keptNetworks: networks the file dropped that other projects still use stay named (diff/joined-bridges.ts). */
  kept?: Record<string, StateNetwork>;
}

/** What to write before applying: everything that exists now or may exist after. */
export function journalBefore(prior: ProjectState | undefined, desired: Desired, meta: Meta): ProjectState {
  const containers = { ...(prior?.containers ?? {}) };
  for (const c of selected(desired)) {
    const before = containers[c.name];
    const next = stateOfContainer(c, desired);
    // Keep the old veth names too until they are gone (a network may be detached).
    if (before) {
      const extra = before.interfaces.filter((i) => !next.interfaces.some((n) => n.hostVeth === i.hostVeth));
      next.interfaces = [...next.interfaces, ...extra];
    }
    journalCgroupBefore(before, next);
    // The old layer keeps its project ID until recreated: still in use (plan/storage-quota.ts).
    const oldId = before?.launch?.isolation?.storageQuota?.projectId ?? before?.oldProjectId;
    if (oldId !== undefined && next.launch.isolation?.storageQuota?.projectId !== oldId) next.oldProjectId = oldId;
    containers[c.name] = next;
  }
  return {
    version: 1,
    project: desired.project,
    ...(meta.workingDir ? { workingDir: meta.workingDir } : {}),
    ...(meta.files ? { files: meta.files } : {}),
    networks: { ...(prior?.networks ?? {}), ...stateOfNetworks(desired) },
    containers,
    ...volumesOf(prior, desired),
    updatedAt: meta.now,
  };
}

/** Volumes we (may) have created: kept in the journal until `down` (`-v` removes them). */
function volumesOf(prior: ProjectState | undefined, desired: Desired): { volumes?: string[] } {
  const names = new Set([
    ...(prior?.volumes ?? []),
    ...Object.values(desired.volumes ?? {}).flatMap((v) => (v.external ? [] : [v.name])),
  ]);
  return names.size ? { volumes: [...names].sort() } : {};
}

/** What to write after a successful apply. */
export function journalAfter(prior: ProjectState | undefined, desired: Desired, meta: Meta): ProjectState {
  const containers: Record<string, StateContainer> = {};
  if (desired.only) {
    // A partial `up` leaves the other containers as they were.
    Object.assign(containers, prior?.containers ?? {});
  } else {
    // `up` keeps `run` containers (diff/removals.ts leaves them alone).
    for (const [name, c] of Object.entries(prior?.containers ?? {})) if (c.oneOff && !desired.containers[name]) containers[name] = c;
  }
  for (const c of selected(desired)) containers[c.name] = stateOfContainer(c, desired);
  const networks = { ...(meta.kept ?? {}), ...(desired.only ? { ...(prior?.networks ?? {}), ...stateOfNetworks(desired) } : stateOfNetworks(desired)) };
  return {
    version: 1,
    project: desired.project,
    ...(meta.workingDir ? { workingDir: meta.workingDir } : {}),
    ...(meta.files ? { files: meta.files } : {}),
    networks,
    containers,
    ...volumesOf(prior, desired),
    updatedAt: meta.now,
  };
}

/**
 * Before applying, a container's cgroup is journaled without limits unless
 * they are the ones already applied (an `up` that dies mid-way must not
 * leave a journal that claims them); a cgroup it leaves (cgroup_parent
 * changed) stays listed until the next successful run.
 */
function journalCgroupBefore(before: StateContainer | undefined, next: StateContainer): void {
  const cg = next.cgroup;
  if (!cg) return;
  const prior = before?.cgroup;
  const { limits: _wanted, ...where } = cg;
  next.cgroup = sameCgroup(prior, cg) && prior!.limits ? { ...where, limits: prior!.limits } : where;
  const old = [...(before?.oldCgroups ?? []), ...(prior && !sameCgroup(prior, cg) ? [{ parent: prior.parent, path: prior.path }] : [])];
  const unique = old.filter((o, i) => !sameCgroup(o, cg) && old.findIndex((x) => sameCgroup(x, o)) === i);
  if (unique.length) next.oldCgroups = unique;
}

/**
 * What the owner's `down` leaves when other projects still use some of its
 * networks (Plan.keptNetworks): a journal with those networks only, so they
 * stay joinable by name and its next `up` re-adopts them.
 */
export function networkOnlyJournal(project: string, networks: Record<string, StateNetwork>, now: string): ProjectState {
  return { version: 1, project, networks, containers: {}, keptForJoiners: true, updatedAt: now };
}
