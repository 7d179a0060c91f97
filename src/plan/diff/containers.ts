/**
 * A container's own objects: its network namespace (created, or its `lo`
 * brought back up), generated files, named volumes, and its process
 * (started when not running, restarted when its configuration, namespace or
 * cgroup changed).
 */
import type { DesiredContainer, LaunchSettings, ObservedNetns } from '../model';
import { startAction, stopAction } from '../lifecycle';
import type { DiffContext, DiffOptions } from './context';
import { interfaceActions } from './interfaces';

/** Namespace, interfaces and files of a container; `keep`: other interface names wanted in its namespace. Returns the ids its start follows. */
export function containerSetup(ctx: DiffContext, c: DesiredContainer, keep: string[]): string[] {
  const deps = c.netns.kind === 'own' ? namespaceActions(ctx, c, c.netns.name, keep) : [];
  const filesId = filesAction(ctx, c);
  if (filesId) deps.push(filesId);
  return deps;
}

function namespaceActions(ctx: DiffContext, c: DesiredContainer, name: string, keep: string[]): string[] {
  const deps: string[] = [];
  let ns: ObservedNetns | undefined = ctx.observed.netns[name];
  let nsReady: string | undefined;
  if (!ns || ns.stale) {
    nsReady = ctx.push({
      kind: 'netns.create',
      id: `netns.create:${name}`,
      target: name,
      reason: ns?.stale ? 'stale /run/netns entry' : ctx.observed.state?.containers[c.name] ? 'missing (deleted behind our back)' : 'missing',
      netns: name,
    });
    ctx.netnsCreated.add(name);
    deps.push(nsReady);
    ns = undefined;
  } else if (ns.links.some((l) => l.name === 'lo' && !l.up)) {
    deps.push(
      ctx.push({
        kind: 'link.update',
        id: `link.update:${c.name}:lo`,
        target: `lo of ${c.name}`,
        reason: 'drifted: link down',
        container: c.name,
        netns: name,
        ifname: 'lo',
        up: true,
      }),
    );
  }
  deps.push(...interfaceActions(ctx, c, name, ns, nsReady, keep));
  return deps;
}

const fileLabel = (k: string) => (k === 'resolvConf' ? 'resolv.conf' : k);

function filesAction(ctx: DiffContext, c: DesiredContainer): string | undefined {
  const have = ctx.observed.containers[c.name]?.files ?? {};
  const changed = (['hosts', 'resolvConf', 'hostname'] as const).filter((k) => have[k] !== c.files[k]);
  if (!changed.length) return undefined;
  const missing = changed.every((k) => have[k] === undefined);
  return ctx.push({
    kind: 'files.write',
    id: `files.write:${c.name}`,
    target: c.name,
    reason: missing ? 'missing' : `changed: ${changed.map(fileLabel).join(', ')}`,
    container: c.name,
    files: c.files,
  });
}

/** Named volumes the file declares (external ones must exist: resolve checked). Returns volume → its volume.create id. */
export function volumeActions(ctx: DiffContext, selected: DesiredContainer[]): Map<string, string> {
  const ids = new Map<string, string>();
  const have = new Set(ctx.observed.volumes ?? []);
  const used = new Set(selected.flatMap((c) => (c.launch.isolation?.mounts ?? []).flatMap((m) => (m.type === 'volume' ? [m.volume] : []))));
  for (const v of Object.values(ctx.desired.volumes ?? {})) {
    if (v.external || have.has(v.name) || (ctx.only && !used.has(v.name))) continue;
    const reason = ctx.observed.state?.volumes?.includes(v.name) ? 'missing (deleted behind our back)' : 'missing';
    ids.set(v.name, ctx.push({ kind: 'volume.create', id: `volume.create:${v.name}`, target: v.name, reason, volume: v.name }));
  }
  return ids;
}

/** What the starts wait for so far, by container, and what made the running ones stale. */
export interface ProcessInputs {
  deps: Map<string, string[]>;
  volumes: Map<string, string>;
  cgroupRecreated: ReadonlySet<string>;
}

/** Start what is not running, recreate what changed. Returns container → its container.start id. */
export function processActions(ctx: DiffContext, selected: DesiredContainer[], opts: DiffOptions, inputs: ProcessInputs): Map<string, string> {
  const startIds = new Map<string, string>();
  const replaced = new Set<string>();
  for (const c of selected) {
    const obs = ctx.observed.containers[c.name];
    const prior = ctx.observed.state?.containers[c.name];
    const ownNs = startNetns(c);
    let why: string | undefined;
    // A restarting container is the shim's to start again: as running, it is only replaced when it changed.
    if (obs?.running || obs?.restarting) {
      if (prior && prior.launchHash !== c.launchHash) why = `configuration changed: ${launchChanges(prior.launch, c.launch).join(', ') || 'network mode'}`;
      else if (!prior) why = 'not in the journal';
      else if (ownNs && ctx.netnsCreated.has(ownNs)) why = 'network namespace recreated';
      else if (inputs.cgroupRecreated.has(c.name)) why = 'cgroup recreated';
      if (!why) continue;
      replaced.add(c.name);
      inputs.deps.get(c.name)!.push(ctx.push(stopAction(c, why, { timeoutSec: opts.stopTimeoutSec, launch: prior?.launch, remove: false })));
    } else {
      why = obs?.exit ? `exited with code ${obs.exit.exitCode}` : obs && prior ? (obs.shimAlive ? 'not running' : 'not running (its shim is gone)') : 'new';
    }
    // A container made anew (not a restart of the same one) starts from an empty writable layer.
    const fresh = !obs || !prior || prior.launchHash !== c.launchHash;
    startIds.set(c.name, ctx.push(startAction(c, why, { launch: c.launch, netns: ownNs, freshRootfs: fresh, waitFor: c.waitFor })));
    for (const m of c.launch.isolation?.mounts ?? []) {
      if (m.type === 'volume' && inputs.volumes.has(m.volume)) inputs.deps.get(c.name)!.push(inputs.volumes.get(m.volume)!);
    }
  }
  restartDependents(ctx, selected, opts, inputs, startIds, replaced);
  return startIds;
}

/**
 * `depends_on: {X: {restart: true}}`: a running container whose dependency
 * this plan replaces is restarted after it (as Docker Compose does when it
 * updates X), and so on down the chain. Its writable layer is kept: it is
 * the same container, restarted; its start follows X's (startAfter).
 */
function restartDependents(ctx: DiffContext, selected: DesiredContainer[], opts: DiffOptions, inputs: ProcessInputs, startIds: Map<string, string>, replaced: Set<string>): void {
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of selected) {
      const cause = c.restartWith?.find((d) => replaced.has(d));
      if (!cause || startIds.has(c.name) || !ctx.observed.containers[c.name]?.running) continue;
      const why = `depends_on ${cause} with restart: true, which is replaced`;
      const prior = ctx.observed.state?.containers[c.name];
      inputs.deps.get(c.name)!.push(ctx.push(stopAction(c, why, { timeoutSec: opts.stopTimeoutSec, launch: prior?.launch, remove: false })));
      startIds.set(c.name, ctx.push(startAction(c, why, { launch: c.launch, netns: startNetns(c), waitFor: c.waitFor })));
      replaced.add(c.name);
      grew = true;
    }
  }
}

/** The namespace a container's process starts in: its own, or the one it shares (network_mode: service/container). */
const startNetns = (c: DesiredContainer) => (c.netns.kind === 'own' || c.netns.kind === 'container' ? c.netns.name : undefined);

/** Which launch settings differ, in compose terms, for the plan's reason. */
function launchChanges(before: LaunchSettings, after: LaunchSettings): string[] {
  const names: Record<keyof LaunchSettings, string> = {
    image: 'image',
    argv: 'command',
    env: 'environment',
    cwd: 'working_dir',
    user: 'user',
    hostname: 'hostname',
    domainname: 'domainname',
    namespaces: 'pid, ipc, uts or cgroup',
    join: 'pid or ipc',
    groups: 'group_add',
    sysctls: 'sysctls',
    cgroup: 'cgroup_parent',
    rlimits: 'ulimits',
    oomScoreAdj: 'oom_score_adj',
    isolation: 'root filesystem, volumes or privileges',
    stopSignal: 'stop_signal',
    stopGraceSec: 'stop_grace_period',
    restart: 'restart',
    healthcheck: 'healthcheck',
    hooks: 'post_start or pre_stop',
    logging: 'logging',
  };
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof LaunchSettings>;
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map((k) => names[k] ?? k);
}
