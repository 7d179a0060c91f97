/**
 * The host's cgroups, whatever the layout: the drivers it needs (v2 alone;
 * v1 alone; or, on a hybrid host, v1 for the limits plus the cgroup2 mount
 * to track and kill processes), and what tscompose does with a container's
 * cgroup: create it with its limits, change them in place, read them for
 * `stats`, and remove it once its processes are gone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupLimits, CgroupSupport } from '../../plan/model';
import { native } from '../native';
import type { CgroupDriver, CgroupStats, CgroupWrite } from './driver';
import { parseLayout, type CgroupLayout } from './layout';
import { setFrozen, V1Freezer, V2Freezer, type Freezer, type FreezeState } from './freezer';
import { attachDeviceFilter, deviceFilterSupported } from './device-filter';
import { cgroupSupport } from './support';
import type { CgroupRef } from './tree';
import { readText } from './tree';
import { V1Driver } from './v1';
import { V2Driver } from './v2';

export type { CgroupRef } from './tree';
export type { CgroupStats, CgroupWrite } from './driver';
export type { FreezeState } from './freezer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Cgroups {
  readonly drivers: CgroupDriver[];

  constructor(readonly layout: CgroupLayout) {
    const drivers: CgroupDriver[] = [];
    if (layout.kind === 'v1' || layout.kind === 'hybrid') drivers.push(new V1Driver(layout.v1));
    if (layout.v2 !== undefined && layout.kind !== 'none') drivers.push(new V2Driver(layout.v2, layout.kind === 'v2'));
    this.drivers = drivers;
  }

  /** The host's layout, from /proc/self/mountinfo. */
  static detect(): Cgroups {
    return new Cgroups(parseLayout(fs.readFileSync('/proc/self/mountinfo', 'utf8')));
  }

  /** What cgroups below `parent` ('' the root) can enforce here (see support.ts). */
  support(parent: string): CgroupSupport {
    return cgroupSupport(this.layout, parent);
  }

  get available(): boolean {
    return this.drivers.length > 0;
  }

  /** Where `pause` freezes: the v1 freezer hierarchy if mounted, else the cgroup2 mount (see freezer.ts). */
  get freezer(): Freezer | undefined {
    const v1 = this.layout.kind === 'v1' || this.layout.kind === 'hybrid' ? this.layout.v1.freezer : undefined;
    if (v1 !== undefined) return new V1Freezer(v1);
    return this.layout.v2 !== undefined && this.layout.kind !== 'none' ? new V2Freezer(this.layout.v2) : undefined;
  }

  /** Freezes (or thaws) every process of the cgroup, and waits until the kernel says so. */
  async setFrozen(cg: CgroupRef, frozen: boolean): Promise<void> {
    const f = this.freezer;
    if (!f) throw Object.assign(new Error('no cgroup freezer on this host (neither a v1 freezer hierarchy nor cgroup2 is mounted)'), { code: 'ENOENT' });
    await setFrozen(f, cg, frozen);
  }

  /** The cgroup's freezer state; undefined without a freezer (or without the cgroup). */
  frozenState(cg: CgroupRef): FreezeState | undefined {
    return this.freezer?.state(cg);
  }

  /** The driver that enforces limits and reports usage. */
  private get enforcing(): CgroupDriver | undefined {
    return this.drivers.find((d) => d.enforces);
  }

  /** The container's directory in every hierarchy (the shim's `--cgroup` list). */
  dirs(cg: CgroupRef): string[] {
    return this.drivers.flatMap((d) => d.dirs(cg));
  }

  /**
   * The directories a process of the container joins (the shim's `--cgroup`
   * list): those that exist. A container started before tscompose used a
   * hierarchy (the v1 freezer, for `pause`) has no directory there; its
   * execs, healthchecks and restarts join the others instead of failing.
   */
  joinDirs(cg: CgroupRef): string[] {
    return this.dirs(cg).filter((d) => fs.existsSync(d));
  }

  /** The cgroup's directories in every hierarchy (limits come with `update`, from {} for a new one). */
  create(cg: CgroupRef): void {
    for (const d of this.drivers) d.create(cg);
  }

  /** Changes the limits of a (possibly running) container in place; `previous` undefined: every file. */
  update(cg: CgroupRef, limits: CgroupLimits, previous: CgroupLimits | undefined): CgroupWrite[] {
    return this.enforcing?.apply(cg, limits, previous) ?? [];
  }

  /** The cgroup2 driver, if the host mounts cgroup2 (hybrid hosts too). */
  private get v2(): V2Driver | undefined {
    return this.drivers.find((d): d is V2Driver => d instanceof V2Driver);
  }

  /** How a device allowlist is held here: a v1 devices hierarchy, else an eBPF program on the cgroup2 directory, else not at all. */
  get deviceMechanism(): 'v1' | 'bpf' | undefined {
    if (this.layout.v1.devices !== undefined) return 'v1';
    return this.v2 && deviceFilterSupported() ? 'bpf' : undefined;
  }

  /** Whether a device allowlist can be held here (deviceMechanism). */
  get devices(): boolean {
    return this.deviceMechanism !== undefined;
  }

  /** The device allowlist of a new (empty) cgroup (plan/devices.ts). */
  setDevices(cg: CgroupRef, rules: readonly string[]): void {
    const how = this.deviceMechanism;
    if (how === 'v1') {
      const v1 = this.drivers.find((d): d is V1Driver => d instanceof V1Driver);
      if (v1?.setDevices(cg, rules)) return;
    } else if (how === 'bpf') {
      return attachDeviceFilter(this.v2!.dirs(cg)[0]!, rules);
    }
    throw Object.assign(new Error('no devices cgroup hierarchy and no cgroup device program here: cannot set the device allowlist'), { code: 'ENOENT' });
  }

  exists(cg: CgroupRef): boolean {
    return this.drivers.some((d) => d.exists(cg));
  }

  /** Containers' cgroup paths under `parent/<projectDir>` in any hierarchy. */
  list(parent: string, projectDir: string): string[] {
    return [...new Set(this.drivers.flatMap((d) => d.list(parent, projectDir)))].sort();
  }

  pids(cg: CgroupRef): number[] {
    return [...new Set(this.drivers.flatMap((d) => d.pids(cg)))].sort((a, b) => a - b);
  }

  stats(cg: CgroupRef): CgroupStats {
    return this.enforcing?.stats(cg) ?? {};
  }

  /**
   * Kills whatever still runs in the cgroup (a daemonized child, an orphan
   * of a killed shim, a fork bomb) and waits until it is empty: cgroup.kill
   * where there is a cgroup2 directory; else no more forks (pids.max = 0)
   * and SIGKILL to each process that is still in it (checked through a
   * pidfd, so a reused pid is never hit).
   */
  async empty(cg: CgroupRef, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let stopped = false;
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      const pids = this.pids(cg);
      if (pids.length === 0) return;
      if (Date.now() > deadline) {
        throw Object.assign(new Error(`${this.dirs(cg)[0]} still holds processes ${pids.slice(0, 10).join(' ')} after SIGKILL`), {
          code: 'EBUSY',
          syscall: 'rmdir',
        });
      }
      if (!stopped) stopped = this.drivers.some((d) => d.stopProcesses(cg));
      if (!stopped) for (const pid of pids) killIfIn(pid, cg);
      await sleep(delay);
    }
  }

  /**
   * Empties, then removes the cgroup in every hierarchy (and our emptied
   * parents). Missing is success. rmdir can still say EBUSY for a moment
   * after cgroup.procs went empty (a killed task not yet through exit on a
   * loaded machine): emptied and tried again, a few times.
   */
  async remove(cg: CgroupRef): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.empty(cg);
      const errors: Error[] = [];
      for (const d of this.drivers) {
        try {
          d.remove(cg);
        } catch (e) {
          errors.push(e as Error);
        }
      }
      if (!errors.length) return;
      if (attempt < 6 && errors.every((e: any) => e?.code === 'EBUSY')) {
        await sleep(10 << attempt);
        continue;
      }
      if (errors.length === 1) throw errors[0];
      throw new Error(errors.map((e) => e.message).join('; '));
    }
  }
}

// Equivalent to: kill -KILL PID, if PID is still in the cgroup
function killIfIn(pid: number, cg: CgroupRef): void {
  let fd: number;
  try {
    fd = native.pidfdOpen(pid);
  } catch (e: any) {
    if (e?.code === 'ESRCH') return;
    throw e;
  }
  try {
    // The pidfd pins the process: if it is (still) in our cgroup now, the signal reaches that process.
    const suffix = '/' + path.posix.join(cg.parent, cg.path);
    const inside = (readText(`/proc/${pid}/cgroup`) ?? '').split('\n').some((l) => l.endsWith(suffix));
    if (inside) native.pidfdSendSignal(fd, 9);
  } catch (e: any) {
    if (e?.code !== 'ESRCH') throw e;
  } finally {
    fs.closeSync(fd);
  }
}

let detected: Cgroups | undefined;
/** The host's cgroups, detected once per process. */
export function hostCgroups(): Cgroups {
  return (detected ??= Cgroups.detect());
}
