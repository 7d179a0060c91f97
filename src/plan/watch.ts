/**
 * What `tscompose watch` does about a batch of changed host paths: pure.
 * For each service whose `develop.watch` rules match a change — the
 * paths to copy into (or remove from) its containers, and whether to
 * restart them, rebuild the image and recreate them, or run a command
 * after the sync. A change matches a rule when it is at or below the
 * rule's path, not ignored, and included (when `include` is given).
 * A rebuild makes the service's syncs moot (the new container has the
 * files); several rules asking a restart restart once.
 */
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { WatchRule } from '../compose/develop-types';
import type { Project } from '../compose/types';
import type { LaunchHook } from './model';
import { launchHook } from './resolve/hooks';

/** Editors' scratch files and the VCS's own, never acted on (as Compose's watch ignores them). */
export const ALWAYS_IGNORED = ['.git/', '*.swp', '*.swx', '*~', '.#*', '#*#', '4913', '.DS_Store'];

export interface WatchChange {
  /** Absolute host path. */
  path: string;
  /** Whether it exists now (a removed path is removed in the container too). */
  exists: boolean;
}

export interface WatchSync {
  from: string;
  /** Absolute path in the container. */
  to: string;
  remove: boolean;
}

export interface WatchStep {
  service: string;
  sync: WatchSync[];
  restart: boolean;
  rebuild: boolean;
  exec: LaunchHook[];
}

/** The path of `change` below the rule's path ('' for the path itself); undefined when the rule does not match it. */
export function watchMatch(rule: WatchRule, change: string): string | undefined {
  const rel = path.relative(rule.path, change);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  if (rel === '') return '';
  const m = matchers(rule);
  if (m.ignored.ignores(rel)) return undefined;
  if (m.included && !m.included.ignores(rel)) return undefined;
  return rel;
}

/** A rule's patterns compiled once (a checkout is thousands of changes, each tried against every rule). */
const compiled = new WeakMap<WatchRule, { ignored: Ignore; included?: Ignore }>();
function matchers(rule: WatchRule): { ignored: Ignore; included?: Ignore } {
  let m = compiled.get(rule);
  if (!m) {
    m = { ignored: ignore().add(ALWAYS_IGNORED).add(rule.ignore), ...(rule.include ? { included: ignore().add(rule.include) } : {}) };
    compiled.set(rule, m);
  }
  return m;
}

export function watchSteps(project: Project, services: readonly string[], changes: readonly WatchChange[]): WatchStep[] {
  const steps: WatchStep[] = [];
  for (const name of services) {
    const rules = project.services[name]?.develop?.watch ?? [];
    const step: WatchStep = { service: name, sync: [], restart: false, rebuild: false, exec: [] };
    for (const rule of rules) {
      const hits = changes.flatMap((c) => {
        const rel = watchMatch(rule, c.path);
        return rel === undefined ? [] : [{ c, rel }];
      });
      if (!hits.length) continue;
      if (rule.action === 'rebuild') step.rebuild = true;
      if (rule.action === 'restart' || rule.action === 'sync+restart') step.restart = true;
      if (rule.action.startsWith('sync') && rule.target) {
        for (const { c, rel } of hits) step.sync.push({ from: c.path, to: rel ? path.posix.join(rule.target, rel) : rule.target, remove: !c.exists });
      }
      if (rule.exec) step.exec.push(launchHook(rule.exec));
    }
    if (step.rebuild) {
      step.sync = [];
      step.exec = [];
      step.restart = false;
    }
    if (step.rebuild || step.restart || step.sync.length || step.exec.length) steps.push(step);
  }
  return steps;
}

/** `initial_sync`: when watch starts, the files under each such rule's path (`files`: every file there, absolute) that the rule does not ignore are copied; nothing is restarted or run. */
export function initialSyncs(project: Project, services: readonly string[], files: readonly string[]): WatchStep[] {
  return services.flatMap((name) => {
    const sync = (project.services[name]?.develop?.watch ?? [])
      .filter((r) => r.initialSync && r.target)
      .flatMap((rule) =>
        files.flatMap((f) => {
          const rel = watchMatch(rule, f);
          return rel === undefined ? [] : [{ from: f, to: rel ? path.posix.join(rule.target!, rel) : rule.target!, remove: false }];
        }),
      );
    return sync.length ? [{ service: name, sync, restart: false, rebuild: false, exec: [] }] : [];
  });
}
