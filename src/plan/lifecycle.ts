/**
 * The order of `start`, `stop` and `down` over the journal's containers, as
 * Docker Compose keeps it: a container starts after what it depends on
 * (depends_on, network_mode: service:X) and stops before it; and the
 * container.start and container.stop actions every caller builds. Pure.
 */
import type { Draft } from './actions';
import type { LaunchSettings, WaitCondition } from './model';

/**
 * For each container in `names`, the containers (of `names`) it must wait
 * for: its dependencies when starting, its dependents when stopping. Edges
 * that would close a cycle (only a hand-edited journal has one) are left
 * out, so that a run can never wait forever.
 */
export function lifecycleOrder(names: string[], startAfter: (name: string) => string[] | undefined, phase: 'start' | 'stop'): Map<string, string[]> {
  const set = new Set(names);
  const deps = new Map(names.map((n) => [n, (startAfter(n) ?? []).filter((d) => set.has(d) && d !== n).sort()]));
  // Depth-first over the dependencies; an edge back into the current path is dropped.
  const kept = new Map<string, string[]>(names.map((n) => [n, []]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string) => {
    state.set(n, 'open');
    for (const d of deps.get(n)!) {
      if (state.get(d) === 'open') continue;
      kept.get(n)!.push(d);
      if (!state.has(d)) visit(d);
    }
    state.set(n, 'done');
  };
  for (const n of [...names].sort()) if (!state.has(n)) visit(n);
  if (phase === 'start') return kept;
  const dependents = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [n, ds] of kept) for (const d of ds) dependents.get(d)!.push(n);
  for (const list of dependents.values()) list.sort();
  return dependents;
}

/** Grace period before SIGKILL when no `-t` and no stop_grace_period says otherwise. */
export const DEFAULT_STOP_TIMEOUT_SEC = 10;

/** The grace period and signal for stopping a container launched with `launch`; `-t` (timeoutSec) wins. */
export function stopSettings(timeoutSec: number | undefined, launch: LaunchSettings | undefined): { timeoutSec: number; signal?: string } {
  return {
    timeoutSec: timeoutSec ?? launch?.stopGraceSec ?? DEFAULT_STOP_TIMEOUT_SEC,
    ...(launch?.stopSignal ? { signal: launch.stopSignal } : {}),
  };
}

/** What a start or stop acts on: a container of a service. */
export interface LifecycleTarget {
  name: string;
  service: string;
}

/** A container.start: run `launch` (in namespace `netns`; absent: the host's). */
export function startAction(
  c: LifecycleTarget,
  reason: string,
  run: { launch: LaunchSettings; netns?: string | undefined; freshRootfs?: boolean; after?: string[]; waitFor?: WaitCondition[] | undefined },
): Draft & { kind: 'container.start' } {
  return {
    kind: 'container.start',
    id: `container.start:${c.name}`,
    target: c.name,
    reason,
    ...(run.after ? { after: run.after } : {}),
    container: c.name,
    service: c.service,
    ...(run.netns ? { netns: run.netns } : {}),
    launch: run.launch,
    ...(run.freshRootfs ? { freshRootfs: true } : {}),
    ...(run.waitFor?.length ? { waitFor: run.waitFor } : {}),
  };
}

/** A container.stop: its stop signal, then SIGKILL after the grace period; `remove` deletes its directory too. */
export function stopAction(
  c: LifecycleTarget,
  reason: string,
  stop: { timeoutSec?: number | undefined; launch: LaunchSettings | undefined; remove: boolean; after?: string[] },
): Draft & { kind: 'container.stop' } {
  return {
    kind: 'container.stop',
    id: `container.stop:${c.name}`,
    target: c.name,
    reason,
    ...(stop.after ? { after: stop.after } : {}),
    container: c.name,
    service: c.service,
    ...stopSettings(stop.timeoutSec, stop.launch),
    remove: stop.remove,
    ...(stop.launch?.hooks?.preStop?.length ? { preStop: true as const } : {}),
  };
}

/** The ids of the container.start (or .stop) actions of `names`. */
export const lifecycleIds = (phase: 'start' | 'stop', names: string[]) => names.map((n) => `container.${phase}:${n}`);
