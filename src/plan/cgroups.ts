/**
 * Containers' cgroups in the plan. Pure.
 *
 * - resolve: where each container's cgroup is (`[cgroup_parent/]tscompose/
 *   <project>/<service>-<n>`), its limits, its process limits, and the
 *   checks that need the host (CPUs that exist, hard rlimits);
 * - diff: `cgroup.create` for a missing cgroup (before the start),
 *   `cgroup.update` when limits changed — applied in place to the running
 *   container, no restart — and `cgroup.delete` once its container stopped.
 */
import type { SpecIssue } from '../errors';
import { formatBytes, formatCpuList, formatCpus, parseCpuList } from '../compose/resources';
import type { Project, ServiceSpec } from '../compose/types';
import type { Draft } from './actions';
import { enforceableLimits } from './cgroup-support';
import type { CgroupLimits, CgroupRef, Desired, DesiredCgroup, LaunchSettings, Observed } from './model';

/** Our subtree in every hierarchy (or below `cgroup_parent`). */
export const CGROUP_SUBTREE = 'tscompose';

export function cgroupPath(project: string, service: string, index: number): string {
  return `${CGROUP_SUBTREE}/${project}/${service}-${index}`;
}

/** The project's directory in our subtree: every container cgroup of it is a child. */
export function cgroupProjectDir(project: string): string {
  return `${CGROUP_SUBTREE}/${project}`;
}

/** The cgroup as one path from each hierarchy's root (LaunchSettings.cgroup). */
export function cgroupRelPath(cg: CgroupRef): string {
  return cg.parent ? `${cg.parent}/${cg.path}` : cg.path;
}

export const sameCgroup = (a: CgroupRef | undefined, b: CgroupRef | undefined) => !!a && !!b && a.parent === b.parent && a.path === b.path;

export interface ResolvedResources {
  cgroup?: DesiredCgroup;
  launch: Pick<LaunchSettings, 'cgroup' | 'rlimits' | 'oomScoreAdj'>;
  /** Limits this host cannot enforce, left out (file:line of each). */
  warnings: SpecIssue[];
}

/** Where the container's cgroup goes and what it and its process get; host problems go to `issues` (file:line). */
export function resolveResources(project: Project, svc: ServiceSpec, index: number, observed: Observed, issues: SpecIssue[]): ResolvedResources {
  const res = svc.resources;
  const host = observed.cgroups;
  const at = (...keys: string[]) => {
    for (const k of keys) {
      const loc = project.sources.get(`services.${svc.name}.${k}`);
      if (loc) return { path: `services.${svc.name}.${k}`, loc };
    }
    return { path: `services.${svc.name}.${keys[0]}`, loc: project.sources.get(`services.${svc.name}`) };
  };
  const issue = (message: string, ...keys: string[]): SpecIssue => {
    const { path, loc } = at(...keys);
    return loc ? { path, loc, message } : { path, message };
  };
  const problem = (message: string, ...keys: string[]) => issues.push(issue(message, ...keys));
  const warnings: SpecIssue[] = [];
  const limits = Object.fromEntries(LIMIT_NAMES.flatMap(([k]) => (res?.[k] !== undefined ? [[k, res[k]]] : []))) as CgroupLimits;
  // cpu_percent (Windows' meaning: of all the host's CPUs) as the CPU quota it amounts to here.
  if (res?.cpuPercent !== undefined && host?.cpus.length) limits.nanoCpus = Math.round(res.cpuPercent * host.cpus.length * 1e7);

  const launch: ResolvedResources['launch'] = {};
  if (res && Object.keys(res.ulimits).length) launch.rlimits = res.ulimits;
  if (res?.oomScoreAdj !== undefined) launch.oomScoreAdj = res.oomScoreAdj;
  if (host && !host.sysResource) {
    for (const [name, u] of Object.entries(res?.ulimits ?? {})) {
      const hard = host.hardLimits[name];
      if (hard === undefined || hard === -1) continue;
      if (u.hard === -1 || u.hard > hard) {
        problem(`hard limit ${u.hard === -1 ? 'unlimited' : u.hard} is above this host's hard limit ${hard} (raising it needs CAP_SYS_RESOURCE)`, `ulimits.${name}`);
      }
    }
    if (res?.oomScoreAdj !== undefined && res.oomScoreAdj < host.oomScoreAdj) {
      problem(`oom_score_adj ${res.oomScoreAdj} is below tscompose's own (${host.oomScoreAdj}); lowering it needs CAP_SYS_RESOURCE`, 'oom_score_adj');
    }
  }

  const layout = host?.layout ?? 'none';
  if (layout === 'none') {
    // As on a host that lacks one controller: the container runs, without what cannot be enforced.
    for (const [key, name] of LIMIT_NAMES) {
      if (limits[key] !== undefined) warnings.push(issue(`this host has no cgroup hierarchy mounted: ${name} discarded`, ...limitKeys(key)));
    }
    if (res?.cgroupParent !== undefined) warnings.push(issue('this host has no cgroup hierarchy mounted: cgroup_parent ignored', 'cgroup_parent'));
    return { launch, warnings };
  }
  const support = host!.support?.[res?.cgroupParent ?? ''];
  let enforced = limits;
  if (support) {
    const { kept, dropped } = enforceableLimits(limits, support, layout === 'v2' ? 2 : 1);
    enforced = kept;
    for (const d of dropped) warnings.push(issue(d.message, ...limitKeys(d.key)));
  }
  const cpus = host!.cpus;
  if (limits.nanoCpus !== undefined && cpus.length && limits.nanoCpus > cpus.length * 1e9) {
    problem(`range of CPUs is from 0.01 to ${cpus.length}.00, as there are only ${cpus.length} CPUs available`, 'cpus', 'deploy.resources.limits.cpus');
  }
  if (limits.cpuset !== undefined && cpus.length) {
    const online = new Set(cpus);
    const missing = (parseCpuList(limits.cpuset) ?? []).filter((c) => !online.has(c));
    if (missing.length) {
      problem(`cpuset ${limits.cpuset}: CPU${missing.length > 1 ? 's' : ''} ${formatCpuList(missing)} ${missing.length > 1 ? 'do' : 'does'} not exist on this host (it has ${formatCpuList(cpus)})`, 'cpuset');
    }
  }
  const cgroup: DesiredCgroup = { parent: res?.cgroupParent ?? '', path: cgroupPath(project.name, svc.name, index), limits: enforced };
  launch.cgroup = cgroupRelPath(cgroup);
  return { cgroup, launch, warnings };
}

/** Where a limit may be written: its service key, then its deploy.resources twin. */
const DEPLOY_TWINS: Partial<Record<keyof CgroupLimits, string>> = {
  nanoCpus: 'deploy.resources.limits.cpus',
  memory: 'deploy.resources.limits.memory',
  pids: 'deploy.resources.limits.pids',
  memoryReservation: 'deploy.resources.reservations.memory',
  cpuShares: 'deploy.resources.reservations.cpus',
};

function limitKeys(key: keyof CgroupLimits): string[] {
  const twin = DEPLOY_TWINS[key];
  return [LIMIT_NAMES.find(([k]) => k === key)![1], ...(twin ? [twin] : [])];
}

/** Each limit with its compose key and how the file says it. */
const LIMIT_NAMES: Array<[keyof CgroupLimits, string, (v: number | string) => string]> = [
  ['nanoCpus', 'cpus', (v) => formatCpus(Number(v))],
  ['cpuQuota', 'cpu_quota', String],
  ['cpuPeriod', 'cpu_period', String],
  ['cpuShares', 'cpu_shares', String],
  ['cpuset', 'cpuset', String],
  ['memory', 'mem_limit', (v) => formatBytes(Number(v))],
  ['memorySwap', 'memswap_limit', (v) => (v === -1 ? 'unlimited' : formatBytes(Number(v)))],
  ['memoryReservation', 'mem_reservation', (v) => formatBytes(Number(v))],
  ['pids', 'pids_limit', String],
  ['blkioWeight', 'blkio_config.weight', String],
  ['memorySwappiness', 'mem_swappiness', String],
  ['oomKillDisable', 'oom_kill_disable', (v) => (v ? 'true' : 'false')],
];

const shown = (v: number | string | undefined, show: (v: number | string) => string) => (v === undefined ? 'none' : show(v));

/** `cpus 0.5, mem_limit 512MiB` */
export function describeLimits(l: CgroupLimits): string {
  const parts = LIMIT_NAMES.filter(([k]) => l[k] !== undefined).map(([k, name, show]) => `${name} ${shown(l[k], show)}`);
  return parts.length ? parts.join(', ') : 'no limits';
}

/** `mem_limit 256MiB → 512MiB, pids_limit none → 100` */
export function describeLimitChanges(before: CgroupLimits, after: CgroupLimits): string {
  return LIMIT_NAMES.filter(([k]) => before[k] !== after[k])
    .map(([k, name, show]) => `${name} ${shown(before[k], show)} → ${shown(after[k], show)}`)
    .join(', ');
}

const sameLimits = (a: CgroupLimits, b: CgroupLimits) => LIMIT_NAMES.every(([k]) => a[k] === b[k]);

export interface CgroupPlan {
  /** container → the id its start must follow. */
  ready: Map<string, string>;
  /** Containers whose cgroup is (re)created while they run: they must restart to be in it. */
  recreated: Set<string>;
}

/** create/update for the selected containers. */
export function cgroupActions(desired: Desired, observed: Observed, selected: string[], push: (a: Draft) => string): CgroupPlan {
  const plan: CgroupPlan = { ready: new Map(), recreated: new Set() };
  const existing = observed.cgroups?.existing ?? [];
  const state = observed.state;
  for (const name of selected) {
    const c = desired.containers[name]!;
    const cg = c.cgroup;
    if (!cg) continue;
    const prior = state?.containers[name]?.cgroup;
    const exists = existing.some((e) => sameCgroup(e, cg));
    const target = `cgroup of ${name}`;
    if (!exists) {
      const known = sameCgroup(prior, cg);
      if (known && observed.containers[name]?.running) plan.recreated.add(name);
      plan.ready.set(
        name,
        push({
          kind: 'cgroup.create',
          id: `cgroup.create:${name}`,
          target,
          reason: `${known ? 'missing (deleted behind our back)' : prior ? 'cgroup_parent changed' : 'new'}: ${describeLimits(cg.limits)}`,
          container: name,
          parent: cg.parent,
          path: cg.path,
          limits: cg.limits,
        }),
      );
      continue;
    }
    const applied = sameCgroup(prior, cg) ? prior!.limits : undefined;
    if (applied && sameLimits(applied, cg.limits)) continue;
    plan.ready.set(
      name,
      push({
        kind: 'cgroup.update',
        id: `cgroup.update:${name}`,
        target,
        reason: applied
          ? `limits changed, applied in place without a restart: ${describeLimitChanges(applied, cg.limits)}`
          : `limits not known to be applied: ${describeLimits(cg.limits)}`,
        container: name,
        parent: cg.parent,
        path: cg.path,
        limits: cg.limits,
        ...(applied ? { previous: applied } : {}),
      }),
    );
  }
  return plan;
}

/**
 * `cgroup.delete` for every cgroup of the project that exists and that no
 * container (of this run's selection or outside it) wants; after every stop.
 */
export function cgroupRemovals(desired: Desired, observed: Observed, push: (a: Draft) => string, keep: CgroupRef[] = []): string[] {
  const wanted: CgroupRef[] = [...Object.values(desired.containers).flatMap((c) => (c.cgroup ? [c.cgroup] : [])), ...keep];
  if (desired.only) {
    // A partial `up` leaves the other containers' cgroups alone.
    for (const [name, s] of Object.entries(observed.state?.containers ?? {})) {
      if (!desired.only.includes(name) && s.cgroup) wanted.push(s.cgroup);
    }
  }
  const owners = new Map<string, string>();
  for (const [name, s] of Object.entries(observed.state?.containers ?? {})) {
    for (const cg of [...(s.cgroup ? [s.cgroup] : []), ...(s.oldCgroups ?? [])]) owners.set(cgroupRelPath(cg), name);
  }
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const cg of observed.cgroups?.existing ?? []) {
    const rel = cgroupRelPath(cg);
    if (seen.has(rel) || wanted.some((w) => sameCgroup(w, cg))) continue;
    seen.add(rel);
    const container = owners.get(rel) ?? cg.path.split('/').at(-1)!;
    ids.push(
      push({
        kind: 'cgroup.delete',
        id: `cgroup.delete:${rel}`,
        target: rel,
        reason: desired.containers[container] ? 'cgroup_parent changed' : 'container removed',
        container,
        parent: cg.parent,
        path: cg.path,
      }),
    );
  }
  return ids;
}

/** The cgroup_parents to look under for a project's cgroups: the root, the file's (`project`) and the journal's. */
export function cgroupParents(project: Project | undefined, state: Observed['state']): string[] {
  const parents = new Set<string>(['']);
  for (const s of Object.values(project?.services ?? {})) if (s.resources?.cgroupParent) parents.add(s.resources.cgroupParent);
  for (const c of Object.values(state?.containers ?? {})) {
    for (const cg of [...(c.cgroup ? [c.cgroup] : []), ...(c.oldCgroups ?? [])]) parents.add(cg.parent);
  }
  return [...parents].sort();
}
