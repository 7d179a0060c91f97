/**
 * plan(desired, observed) → Plan. Pure: everything it needs was read by
 * observe/ and is passed in.
 */
import type { Plan } from './actions';
import { diff, type DiffOptions } from './diff';
import type { Desired, Observed } from './model';
import { toWaves } from './order';
import { planTunnels } from './multihost';
import { keptForJoiners, keptNetworks } from './diff/joined-bridges';

export type { Plan, Action, ActionKind } from './actions';
export type { Desired, Observed } from './model';
export { resolve } from './resolve';

export const PLAN_VERSION = 1;

export function plan(desired: Desired, observed: Observed, opts: DiffOptions = {}): Plan {
  const all = [...(desired.warnings ?? []), ...keptForJoiners(desired, observed)];
  const warnings = all.length ? { warnings: all } : {};
  const host = desired.host !== undefined ? { host: desired.host, tunnels: planTunnels(desired) } : {};
  const kept = keptNetworks(desired, observed);
  return { version: PLAN_VERSION, project: desired.project, ...warnings, ...host, ...(kept ? { keptNetworks: kept } : {}), waves: toWaves(diff(desired, observed, opts)) };
}

/** The desired state of `down`: nothing. */
export function nothing(project: string): Desired {
  return { project, networks: {}, containers: {} };
}
