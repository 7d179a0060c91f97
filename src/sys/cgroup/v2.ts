/**
 * cgroup v2: one unified hierarchy. A controller works in a cgroup only if
 * every ancestor enabled it in cgroup.subtree_control; we enable what we
 * need in the directories we created and in our `tscompose` subtree, never
 * above it (a parent that does not delegate a controller is reported, not
 * changed). Limits map to files as runc writes them, with systemd's
 * conversions of the v1 weights:
 *
 *   cpus / cpu_quota, cpu_period  cpu.max = "QUOTA PERIOD" ("max PERIOD" for none)
 *   cpu_shares                    cpu.weight = shares × 100 / 1024 (1 to 10000)
 *   cpuset                        cpuset.cpus
 *   mem_limit                     memory.max
 *   memswap_limit                 memory.swap.max = memswap − mem_limit (mem_limit unless set)
 *   mem_reservation               memory.low
 *   pids_limit                    pids.max
 *   blkio weight                  io.bfq.weight, or io.weight = "default W × 100 / 500" (1 to 10000)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupLimits } from '../../plan/model';
import type { CgroupDriver, CgroupStats, CgroupWrite } from './driver';
import { controllerOf, sameLimits } from './driver';
import { cgroupDir, ensureTree, listLeaves, readKeyed, readNumber, readProcs, readText, removeTree, writeValue, type CgroupRef } from './tree';
import { CFS_PERIOD } from './v1';

/** The controllers we enable for our cgroups (those available). */
export const V2_CONTROLLERS = ['cpu', 'cpuset', 'memory', 'pids', 'io'] as const;

export interface V2Probe {
  /** memory.swap.max exists. */
  swap: boolean;
  /** io.bfq.weight exists (the BFQ scheduler), else io.weight is used. */
  bfq: boolean;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function cpuWeightOfShares(shares: number): number {
  return clamp(Math.round((shares * 100) / 1024), 1, 10000);
}

export function ioWeightOfBlkio(weight: number): number {
  return clamp(Math.round((weight * 100) / 500), 1, 10000);
}

/** Every file the limits decide, with its value (the default when unset), in write order. */
export function v2Files(l: CgroupLimits, probe: V2Probe): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const put = (file: string, value: string | number) => out.push({ file, value: String(value) });
  if (l.nanoCpus !== undefined) put('cpu.max', `${Math.floor((l.nanoCpus * CFS_PERIOD) / 1e9)} ${CFS_PERIOD}`);
  else put('cpu.max', `${l.cpuQuota ?? 'max'} ${l.cpuPeriod ?? CFS_PERIOD}`);
  put('cpu.weight', l.cpuShares === undefined ? 100 : cpuWeightOfShares(l.cpuShares));
  put('cpuset.cpus', l.cpuset ?? '');
  put('memory.max', l.memory ?? 'max');
  if (probe.swap) {
    const swap = l.memory === undefined || l.memorySwap === -1 ? 'max' : (l.memorySwap ?? 2 * l.memory) - l.memory;
    put('memory.swap.max', swap);
  }
  put('memory.low', l.memoryReservation ?? 0);
  put('pids.max', l.pids ?? 'max');
  if (probe.bfq) put('io.bfq.weight', l.blkioWeight ?? 100);
  else put('io.weight', `default ${l.blkioWeight === undefined ? 100 : ioWeightOfBlkio(l.blkioWeight)}`);
  return out;
}

/** The writes that take the cgroup from `previous` (undefined: unknown, every file) to `limits`. */
export function v2Writes(limits: CgroupLimits, previous: CgroupLimits | undefined, probe: V2Probe): CgroupWrite[] {
  const before = new Map(previous ? v2Files(previous, probe).map((w) => [w.file, w.value]) : []);
  return v2Files(limits, probe).filter((w) => before.get(w.file) !== w.value);
}

/** The controllers a directory enables for its children (its cgroup.subtree_control; a child's cgroup.controllers is this). */
function controllersOf(dir: string): Set<string> {
  return new Set(
    (readText(path.join(dir, 'cgroup.subtree_control')) ?? '')
      .split(/\s+/)
      .map((w) => w.replace(/^\+/, ''))
      .filter(Boolean),
  );
}

export class V2Driver implements CgroupDriver {
  readonly version = 2;

  /** `enforces` false: a hybrid host's cgroup2 mount, used to track and kill processes only. */
  constructor(
    readonly root: string,
    readonly enforces: boolean,
  ) {}

  dirs(cg: CgroupRef): string[] {
    return [cgroupDir(this.root, cg)];
  }

  // Equivalent to: mkdir -p ROOT/PATH; echo +cpu +memory … > each new or own directory's cgroup.subtree_control
  create(cg: CgroupRef): void {
    const leaf = cgroupDir(this.root, cg);
    ensureTree(this.root, cg, (dir, parentDir) => {
      if (!this.enforces || dir === leaf) return;
      const available = controllersOf(parentDir);
      const enabled = controllersOf(dir);
      const missing = V2_CONTROLLERS.filter((c) => available.has(c) && !enabled.has(c));
      // One write for all: the kernel applies the list as a whole.
      if (missing.length) writeValue(path.join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
    });
  }

  probe(cg: CgroupRef): V2Probe {
    const dir = cgroupDir(this.root, cg);
    return {
      swap: readText(path.join(dir, 'memory.swap.max')) !== undefined,
      bfq: readText(path.join(dir, 'io.bfq.weight')) !== undefined,
    };
  }

  // Equivalent to: echo VALUE > ROOT/PATH/FILE for each changed file
  apply(cg: CgroupRef, limits: CgroupLimits, previous: CgroupLimits | undefined): CgroupWrite[] {
    if (!this.enforces) return [];
    // Nothing changes (a new cgroup, `previous` {}, with no limits has the kernel's defaults): nothing to read or write.
    if (previous !== undefined && sameLimits(limits, previous)) return [];
    const dir = cgroupDir(this.root, cg);
    const probe = this.probe(cg);
    const writes = v2Writes(limits, previous, probe);
    if (writes.length === 0) return writes;
    const available = controllersOf(path.dirname(dir));
    const defaults = new Map(v2Files({}, probe).map((w) => [w.file, w.value]));
    const done: CgroupWrite[] = [];
    for (const w of writes) {
      const c = controllerOf(w.file);
      // A controller not enabled here has nothing to reset (the planner left its limits out).
      if (!available.has(c) && defaults.get(w.file) === w.value) continue;
      if (!available.has(c)) {
        throw Object.assign(
          new Error(`the ${c} controller is not enabled for ${dir}: add it to cgroup.subtree_control of ${path.join(this.root, cg.parent) || '/'} (cannot set ${w.file})`),
          { code: 'ENOENT' },
        );
      }
      writeValue(path.join(dir, w.file), w.value);
      done.push(w);
    }
    return done;
  }

  exists(cg: CgroupRef): boolean {
    return readText(path.join(cgroupDir(this.root, cg), 'cgroup.procs')) !== undefined;
  }

  pids(cg: CgroupRef): number[] {
    return readProcs(cgroupDir(this.root, cg)).sort((a, b) => a - b);
  }

  // Equivalent to: echo 1 > ROOT/PATH/cgroup.kill
  stopProcesses(cg: CgroupRef): boolean {
    const file = path.join(cgroupDir(this.root, cg), 'cgroup.kill');
    if (!fs.existsSync(file)) return false; // before Linux 5.14 (and write-only: never read)
    writeValue(file, '1');
    return true;
  }

  remove(cg: CgroupRef): void {
    removeTree(this.root, cg);
  }

  list(parent: string, projectDir: string): string[] {
    return listLeaves(this.root, parent, projectDir);
  }

  stats(cg: CgroupRef): CgroupStats {
    const dir = cgroupDir(this.root, cg);
    const out: CgroupStats = {};
    const usec = readKeyed(path.join(dir, 'cpu.stat')).get('usage_usec');
    if (usec !== undefined) out.cpuNs = usec * 1000;
    const current = readNumber(path.join(dir, 'memory.current'));
    if (current !== undefined) {
      const inactive = readKeyed(path.join(dir, 'memory.stat')).get('inactive_file') ?? 0;
      out.memoryBytes = Math.max(0, current - inactive);
      const max = readNumber(path.join(dir, 'memory.max'));
      if (max !== undefined) out.memoryLimit = max;
    }
    const pids = readNumber(path.join(dir, 'pids.current'));
    if (pids !== undefined) out.pids = pids;
    const pidsMax = readNumber(path.join(dir, 'pids.max'));
    if (pidsMax !== undefined) out.pidsLimit = pidsMax;
    const io = readText(path.join(dir, 'io.stat'));
    if (io !== undefined) {
      out.blockRead = 0;
      out.blockWrite = 0;
      for (const m of io.matchAll(/\b([rw])bytes=(\d+)/g)) {
        if (m[1] === 'r') out.blockRead += Number(m[2]);
        else out.blockWrite += Number(m[2]);
      }
    }
    return out;
  }
}
