/**
 * `watch`'s steps inside running containers (plan/watch.ts decides them):
 * the syncs (sys/container-sync.ts: resolved inside the container's root)
 * and a sync+exec rule's command, run as a hook is (apply/hooks.ts).
 * Restarts and rebuilds are the `restart` and `up --build` verbs'.
 */
import * as path from 'node:path';
import type { WatchStep } from '../plan/watch';
import { pinContainerRoot } from '../sys/container-copy';
import { removeFrom, syncInto } from '../sys/container-sync';
import { isAlive, readProcessRef } from '../sys/shim';
import type { ApplyEnv } from './env';
import { runHook, type HookTarget } from './hooks';

export interface WatchOutcome {
  container: string;
  copied: number;
  removed: number;
  /** Per problem: the path (or command) and why. */
  failures: string[];
}

/** Copies and removes the step's paths in one running container; a path that fails is reported, the others go on. */
export function syncContainer(step: WatchStep, t: HookTarget): WatchOutcome {
  const out: WatchOutcome = { container: t.name, copied: 0, removed: 0, failures: [] };
  const init = readProcessRef(path.join(t.dir, 'init.pid'));
  if (!init || !isAlive(init)) return { ...out, failures: [`${t.name} is not running`] };
  const pinned = pinContainerRoot(init.pid, () => isAlive(init));
  try {
    for (const s of step.sync) {
      try {
        if (s.remove) out.removed += removeFrom(pinned.root, s.to);
        else out.copied += syncInto(pinned.root, s.from, s.to).entries;
      } catch (e: any) {
        // A file removed again since the change was seen is no failure: the next batch removes it.
        if (!s.remove && e?.code === 'ENOENT' && e?.path === s.from) continue;
        out.failures.push(`${s.to}: ${e?.message ?? e}`);
      }
    }
  } finally {
    pinned.close();
  }
  return out;
}

/** sync+exec: each command in the container, in order; a failing one is reported. */
export async function execInContainer(step: WatchStep, t: HookTarget, env: ApplyEnv): Promise<string[]> {
  const failures: string[] = [];
  for (const h of step.exec) {
    const r = await runHook(h, t, env);
    if (r.code !== 0) failures.push(`${JSON.stringify(h.argv.join(' '))} exited ${r.code}${r.output ? `: ${r.output}` : ''}`);
  }
  return failures;
}
