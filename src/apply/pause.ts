/**
 * `pause` and `unpause`: the container's cgroup frozen or thawed
 * (sys/cgroup/freezer.ts). A `paused` file in the container's state
 * directory records it for `ps` and for `stop`/`kill`/`down`, which thaw a
 * paused container so that its stop signal is handled (as Docker does).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cgroups, CgroupRef } from '../sys/cgroup';
import { appendEvent } from '../sys/events-log';

export const PAUSED_FILE = 'paused';

export interface PauseTarget {
  name: string;
  /** The container's state directory. */
  dir: string;
  cgroup: CgroupRef;
}

/** The cgroup the `paused` file of `dir` names; undefined when not paused. */
export function pausedCgroup(dir: string): CgroupRef | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, PAUSED_FILE), 'utf8');
  } catch (e: any) {
    if (e?.code === 'ENOENT') return undefined;
    throw e;
  }
  const v = JSON.parse(text) as { parent?: unknown; path?: unknown };
  if (typeof v.parent !== 'string' || typeof v.path !== 'string') throw new Error(`malformed ${path.join(dir, PAUSED_FILE)}: ${text.trim()}`);
  return { parent: v.parent, path: v.path };
}

/** Whether the container is paused: the file says so and the kernel agrees (someone may have thawed it by hand). */
export function isPaused(dir: string, cgroups: Cgroups): boolean {
  const cg = pausedCgroup(dir);
  if (!cg) return false;
  const s = cgroups.frozenState(cg);
  return s === 'frozen' || s === 'freezing';
}

/** Freezes each container's cgroup; the `paused` file is written first, so a crash leaves it thawable. */
// Equivalent to: echo FROZEN > /sys/fs/cgroup/freezer/PATH/freezer.state  (v2: echo 1 > PATH/cgroup.freeze)
export async function pauseContainer(t: PauseTarget, cgroups: Cgroups, eventsPath: string): Promise<void> {
  fs.writeFileSync(path.join(t.dir, PAUSED_FILE), JSON.stringify(t.cgroup) + '\n');
  try {
    await cgroups.setFrozen(t.cgroup, true);
  } catch (e) {
    fs.rmSync(path.join(t.dir, PAUSED_FILE), { force: true });
    throw e;
  }
  appendEvent(eventsPath, t.name, 'pause');
}

// Equivalent to: echo THAWED > /sys/fs/cgroup/freezer/PATH/freezer.state  (v2: echo 0 > PATH/cgroup.freeze)
export async function unpauseContainer(t: Pick<PauseTarget, 'name' | 'dir'>, cgroups: Cgroups, eventsPath: string): Promise<void> {
  const cg = pausedCgroup(t.dir);
  if (!cg) return;
  // A cgroup that is gone (the container was removed under us) has nothing left to thaw.
  if (cgroups.frozenState(cg) !== undefined) await cgroups.setFrozen(cg, false);
  fs.rmSync(path.join(t.dir, PAUSED_FILE), { force: true });
  appendEvent(eventsPath, t.name, 'unpause');
}

/** Before a stop signal: a frozen process would not handle it until thawed. */
export async function thawIfPaused(name: string, dir: string, cgroups: Cgroups, eventsPath: string): Promise<void> {
  if (pausedCgroup(dir)) await unpauseContainer({ name, dir }, cgroups, eventsPath);
}
