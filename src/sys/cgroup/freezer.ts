/**
 * The cgroup freezer, for `pause` and `unpause`: every process of the
 * container stops being scheduled (no signal it could see or handle, unlike
 * SIGSTOP), and runs on from where it was once thawed.
 *
 *   v1  ROOT/freezer/PATH/freezer.state: write FROZEN or THAWED; it reads
 *       FREEZING until every task is frozen
 *   v2  ROOT/PATH/cgroup.freeze: write 1 or 0; cgroup.events says
 *       "frozen 1" once done (a core file of every non-root cgroup: no
 *       controller needs enabling, so a hybrid host's cgroup2 mount has it)
 *
 * A hybrid host with a v1 freezer hierarchy uses it (as runc does: the
 * container's tasks are in it); without one, its cgroup2 mount.
 */
import * as path from 'node:path';
import { cgroupDir, readText, writeValue, type CgroupRef } from './tree';

export type FreezeState = 'frozen' | 'thawed' | 'freezing';

export interface Freezer {
  readonly version: 1 | 2;
  /** The cgroup's directory in the freezer's hierarchy (for errors). */
  dir(cg: CgroupRef): string;
  /** The cgroup's state now; undefined when it has no freezer file (no such cgroup). */
  state(cg: CgroupRef): FreezeState | undefined;
  /** Asks for the state (done when `state` says so). */
  request(cg: CgroupRef, frozen: boolean): void;
}

export class V1Freezer implements Freezer {
  readonly version = 1;
  constructor(readonly root: string) {}

  dir(cg: CgroupRef): string {
    return cgroupDir(this.root, cg);
  }

  private file(cg: CgroupRef): string {
    return path.join(this.dir(cg), 'freezer.state');
  }

  state(cg: CgroupRef): FreezeState | undefined {
    const t = readText(this.file(cg))?.trim();
    return t === 'FROZEN' ? 'frozen' : t === 'THAWED' ? 'thawed' : t === 'FREEZING' ? 'freezing' : undefined;
  }

  // Equivalent to: echo FROZEN > /sys/fs/cgroup/freezer/PATH/freezer.state   (THAWED to thaw)
  request(cg: CgroupRef, frozen: boolean): void {
    writeValue(this.file(cg), frozen ? 'FROZEN' : 'THAWED');
  }
}

export class V2Freezer implements Freezer {
  readonly version = 2;
  constructor(readonly root: string) {}

  dir(cg: CgroupRef): string {
    return cgroupDir(this.root, cg);
  }

  state(cg: CgroupRef): FreezeState | undefined {
    const dir = cgroupDir(this.root, cg);
    const asked = readText(path.join(dir, 'cgroup.freeze'))?.trim();
    if (asked === undefined) return undefined;
    const done = /^frozen 1$/m.test(readText(path.join(dir, 'cgroup.events')) ?? '');
    return asked === '1' ? (done ? 'frozen' : 'freezing') : done ? 'freezing' : 'thawed';
  }

  // Equivalent to: echo 1 > /sys/fs/cgroup/PATH/cgroup.freeze   (0 to thaw)
  request(cg: CgroupRef, frozen: boolean): void {
    writeValue(path.join(cgroupDir(this.root, cg), 'cgroup.freeze'), frozen ? '1' : '0');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Freezes or thaws and waits until the kernel says it is done (a task in an
 * uninterruptible sleep, e.g. on NFS, can keep a v1 cgroup FREEZING: after
 * `timeoutMs` the request is undone and an EBUSY error names the file).
 */
export async function setFrozen(f: Freezer, cg: CgroupRef, frozen: boolean, timeoutMs = 5000): Promise<void> {
  const want: FreezeState = frozen ? 'frozen' : 'thawed';
  if (f.state(cg) === undefined) throw Object.assign(new Error(`no freezer file in ${f.dir(cg)} (cgroup v${f.version}; a container started by an older tscompose has none until it is recreated: down, then up)`), { code: 'ENOENT' });
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    // v1: a FREEZING cgroup needs FROZEN written again to finish (the kernel retries on each write).
    f.request(cg, frozen);
    if (f.state(cg) === want) return;
    if (Date.now() > deadline) {
      if (frozen) f.request(cg, false);
      throw Object.assign(new Error(`the cgroup did not become ${want} in ${timeoutMs} ms (${f.dir(cg)})`), { code: 'EBUSY' });
    }
    await sleep(delay);
  }
}
