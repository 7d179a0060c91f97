/**
 * The journal records what exists (or may exist) before it is created:
 * before applying a plan we write prior ∪ desired, so a crash at any point
 * leaves a journal that names everything `down` must look for; after success
 * we write exactly what is there.
 */
import type { Desired, DesiredContainer, ProjectState, StateContainer, StateNetwork } from './model';

function stateOfContainer(c: DesiredContainer): StateContainer {
  return {
    service: c.service,
    index: c.index,
    ...(c.netns.kind === 'own' ? { netns: c.netns.name } : {}),
    interfaces: c.interfaces.map((i) => ({
      network: i.network,
      ifname: i.ifname,
      hostVeth: i.hostVeth,
      address: i.address,
      prefixLen: i.prefixLen,
      mac: i.mac,
    })),
    launchHash: c.launchHash,
    launch: c.launch,
    netnsPlacement: c.netns,
  };
}

function stateOfNetworks(desired: Desired): Record<string, StateNetwork> {
  const out: Record<string, StateNetwork> = {};
  for (const n of Object.values(desired.networks)) {
    out[n.key] = { bridge: n.bridge, managed: n.managed, subnet: n.subnet, gateway: n.gateway };
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
}

/** What to write before applying: everything that exists now or may exist after. */
export function journalBefore(prior: ProjectState | undefined, desired: Desired, meta: Meta): ProjectState {
  const containers = { ...(prior?.containers ?? {}) };
  for (const c of selected(desired)) {
    const before = containers[c.name];
    const next = stateOfContainer(c);
    // Keep the old veth names too until they are gone (a network may be detached).
    if (before) {
      const extra = before.interfaces.filter((i) => !next.interfaces.some((n) => n.hostVeth === i.hostVeth));
      next.interfaces = [...next.interfaces, ...extra];
    }
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
  }
  for (const c of selected(desired)) containers[c.name] = stateOfContainer(c);
  const networks = desired.only ? { ...(prior?.networks ?? {}), ...stateOfNetworks(desired) } : stateOfNetworks(desired);
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
