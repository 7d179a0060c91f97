/**
 * cgroup v1: one hierarchy per controller (or per group of co-mounted
 * ones), each given by its mount point. Limits map to files as runc writes
 * them for Docker:
 *
 *   cpus            cpu.cfs_period_us = 100000, cpu.cfs_quota_us = cpus × 100000
 *   cpu_quota       cpu.cfs_quota_us            cpu_period  cpu.cfs_period_us
 *   cpu_shares      cpu.shares                  cpuset      cpuset.cpus
 *   mem_limit       memory.limit_in_bytes
 *   memswap_limit   memory.memsw.limit_in_bytes (2 × mem_limit unless set; when swap accounting is on)
 *   mem_reservation memory.soft_limit_in_bytes
 *   pids_limit      pids.max
 *   blkio weight    blkio.weight, or blkio.bfq.weight with the BFQ scheduler
 *   mem_swappiness  memory.swappiness (only when set: unset inherits the parent's, as Docker's -1)
 *   oom_kill_disable memory.oom_control = 1
 *   devices         devices.deny `a`, then devices.allow per rule (setDevices)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupLimits } from '../../plan/model';
import type { CgroupDriver, CgroupStats, CgroupWrite } from './driver';
import { controllerOf, sameLimits } from './driver';
import type { V1Controller } from './layout';
import {
  cgroupDir,
  ensureTree,
  listLeaves,
  readKeyed,
  readNumber,
  readProcs,
  readText,
  removeTree,
  writeValue,
  type CgroupRef,
} from './tree';

export const CFS_PERIOD = 100000;
/** What the kernel shows for "no limit" in memory files (PAGE_COUNTER_MAX in bytes): anything this large is unlimited. */
const UNLIMITED_FLOOR = 2 ** 62;

/** What the files look like before writing, for defaults and the order of the memory writes. */
export interface V1Probe {
  /** memory.memsw.limit_in_bytes exists (swap accounting). */
  memsw: boolean;
  /** `blkio.weight` (CFQ) or `blkio.bfq.weight`, whichever the cgroup has. */
  blkioWeightFile?: string;
  /** The parent's cpuset.cpus: what an unset cpuset means. */
  parentCpus: string;
  /** memory.memsw.limit_in_bytes now (-1 for unlimited). */
  currentMemsw?: number;
}

/** Every file the limits decide, with its value (the default when unset), in write order. */
export function v1Files(l: CgroupLimits, probe: V1Probe): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const put = (file: string, value: string | number) => out.push({ file, value: String(value) });
  if (l.nanoCpus !== undefined) {
    put('cpu.cfs_period_us', CFS_PERIOD);
    put('cpu.cfs_quota_us', Math.floor((l.nanoCpus * CFS_PERIOD) / 1e9));
  } else {
    put('cpu.cfs_period_us', l.cpuPeriod ?? CFS_PERIOD);
    put('cpu.cfs_quota_us', l.cpuQuota ?? -1);
  }
  put('cpu.shares', l.cpuShares ?? 1024);
  put('cpuset.cpus', l.cpuset ?? probe.parentCpus);
  put('memory.limit_in_bytes', l.memory ?? -1);
  if (probe.memsw) put('memory.memsw.limit_in_bytes', l.memory === undefined ? -1 : (l.memorySwap ?? 2 * l.memory));
  put('memory.soft_limit_in_bytes', l.memoryReservation ?? -1);
  put('pids.max', l.pids ?? 'max');
  if (l.memorySwappiness !== undefined) put('memory.swappiness', l.memorySwappiness);
  put('memory.oom_control', l.oomKillDisable ? 1 : 0);
  if (probe.blkioWeightFile) put(probe.blkioWeightFile, l.blkioWeight ?? (probe.blkioWeightFile === 'blkio.weight' ? 500 : 100));
  return out;
}

/**
 * The writes that take the cgroup from `previous` to `limits`. The memory
 * limit may never exceed memory + swap, so of the two the one that keeps
 * that true goes first. `previous` undefined (unknown): every file.
 */
export function v1Writes(limits: CgroupLimits, previous: CgroupLimits | undefined, probe: V1Probe): CgroupWrite[] {
  const before = new Map(previous ? v1Files(previous, probe).map((w) => [w.file, w.value]) : []);
  const writes = v1Files(limits, probe).filter((w) => before.get(w.file) !== w.value);
  const limit = writes.findIndex((w) => w.file === 'memory.limit_in_bytes');
  const memsw = writes.findIndex((w) => w.file === 'memory.memsw.limit_in_bytes');
  if (limit >= 0 && memsw > limit) {
    const newLimit = Number(writes[limit]!.value);
    const currentMemsw = probe.currentMemsw ?? -1;
    const fits = currentMemsw === -1 || (newLimit !== -1 && newLimit <= currentMemsw);
    if (!fits) writes.splice(limit, 0, ...writes.splice(memsw, 1));
  }
  return writes;
}

function unlimitedAsMinusOne(n: number | undefined): number | undefined {
  return n !== undefined && n >= UNLIMITED_FLOOR ? -1 : n;
}

export class V1Driver implements CgroupDriver {
  readonly version = 1;
  readonly enforces = true;

  constructor(readonly mounts: Partial<Record<V1Controller, string>>) {}

  /** Each hierarchy once (co-mounted controllers share one). */
  private roots(): string[] {
    return [...new Set(Object.values(this.mounts))].sort();
  }

  private dir(controller: string, cg: CgroupRef): string | undefined {
    const root = this.mounts[controller as V1Controller];
    return root === undefined ? undefined : cgroupDir(root, cg);
  }

  dirs(cg: CgroupRef): string[] {
    return this.roots().map((r) => cgroupDir(r, cg));
  }

  // Equivalent to: mkdir -p ROOT/PATH for each hierarchy; cpuset: copy cpuset.cpus and cpuset.mems from the parent
  create(cg: CgroupRef): void {
    for (const root of this.roots()) {
      const isCpuset = root === this.mounts.cpuset;
      ensureTree(root, cg, (dir, parentDir, created) => {
        // A new cpuset has no CPUs and no memory nodes: no task could join it.
        if (!isCpuset) return;
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          // Just made: empty (we never set cgroup.clone_children), no need to look.
          if (created || (readText(path.join(dir, f)) ?? '').trim() === '') writeValue(path.join(dir, f), this.parentValue(path.join(parentDir, f)));
        }
      });
    }
  }

  /**
   * A parent's cpuset.cpus or cpuset.mems, read once per process: a hundred
   * containers share one parent, and `up` is over long before anyone
   * changes the machine's CPUs (a stale value is refused by the kernel, and
   * the error names the file).
   */
  private readonly parentValues = new Map<string, string>();
  private parentValue(file: string): string {
    let v = this.parentValues.get(file);
    if (v === undefined) {
      v = (readText(file) ?? '').trim();
      this.parentValues.set(file, v);
    }
    return v;
  }

  probe(cg: CgroupRef): V1Probe {
    const mem = this.dir('memory', cg);
    const blkio = this.dir('blkio', cg);
    const cpuset = this.dir('cpuset', cg);
    const has = (dir: string | undefined, f: string) => dir !== undefined && readText(path.join(dir, f)) !== undefined;
    const blkioWeightFile = ['blkio.weight', 'blkio.bfq.weight'].find((f) => has(blkio, f));
    const currentMemsw = mem === undefined ? undefined : unlimitedAsMinusOne(readNumber(path.join(mem, 'memory.memsw.limit_in_bytes')));
    return {
      memsw: has(mem, 'memory.memsw.limit_in_bytes'),
      ...(blkioWeightFile ? { blkioWeightFile } : {}),
      parentCpus: cpuset === undefined ? '' : (readText(path.join(path.dirname(cpuset), 'cpuset.cpus')) ?? '').trim(),
      ...(currentMemsw !== undefined ? { currentMemsw } : {}),
    };
  }

  // Equivalent to: echo VALUE > ROOT/PATH/FILE for each changed file
  apply(cg: CgroupRef, limits: CgroupLimits, previous: CgroupLimits | undefined): CgroupWrite[] {
    // Nothing changes (a new cgroup, `previous` {}, with no limits has the kernel's defaults): nothing to read or write.
    if (previous !== undefined && sameLimits(limits, previous)) return [];
    const probe = this.probe(cg);
    if (limits.blkioWeight !== undefined && !probe.blkioWeightFile) {
      throw Object.assign(new Error(`no block I/O weight here (neither blkio.weight nor blkio.bfq.weight in ${this.dir('blkio', cg) ?? 'a blkio hierarchy'}): the I/O scheduler does not support weights`), {
        code: 'ENOENT',
      });
    }
    const writes = v1Writes(limits, previous, probe);
    const defaults = new Map(v1Files({}, probe).map((w) => [w.file, w.value]));
    for (const w of writes) {
      const dir = this.dir(controllerOf(w.file), cg);
      // A controller this host lacks has nothing to reset (the planner left its limits out).
      if (dir === undefined && defaults.get(w.file) === w.value) continue;
      if (dir === undefined) {
        throw Object.assign(new Error(`the ${controllerOf(w.file)} cgroup controller is not mounted: cannot set ${w.file}`), { code: 'ENOENT' });
      }
      writeValue(path.join(dir, w.file), w.value);
    }
    return writes.filter((w) => this.dir(controllerOf(w.file), cg) !== undefined);
  }

  /**
   * The device allowlist of a cgroup no process is in yet: everything
   * denied, then each rule allowed (runc's order). False when there is no
   * devices hierarchy.
   */
  // Equivalent to: echo a > DEVICES/PATH/devices.deny; echo 'c 1:3 rwm' > DEVICES/PATH/devices.allow …
  setDevices(cg: CgroupRef, rules: readonly string[]): boolean {
    const dir = this.dir('devices', cg);
    if (dir === undefined) return false;
    writeValue(path.join(dir, 'devices.deny'), 'a');
    // One open, one write(2) per rule (the kernel parses each write alone): 0.08 ms a container instead of 0.6.
    const file = path.join(dir, 'devices.allow');
    const fd = fs.openSync(file, fs.constants.O_WRONLY);
    try {
      for (const r of rules) {
        try {
          fs.writeSync(fd, r);
        } catch (e: any) {
          e.message = `${e.message} (writing "${r}" to ${file})`;
          throw e;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    return true;
  }

  exists(cg: CgroupRef): boolean {
    return this.dirs(cg).some((d) => readText(path.join(d, 'cgroup.procs')) !== undefined);
  }

  pids(cg: CgroupRef): number[] {
    return [...new Set(this.dirs(cg).flatMap(readProcs))].sort((a, b) => a - b);
  }

  // Equivalent to: echo 0 > PIDS/PATH/pids.max  (nothing in it can fork any more; the caller kills)
  stopProcesses(cg: CgroupRef): boolean {
    const pids = this.dir('pids', cg);
    if (pids && readText(path.join(pids, 'pids.max')) !== undefined) writeValue(path.join(pids, 'pids.max'), '0');
    return false;
  }

  remove(cg: CgroupRef): void {
    for (const root of this.roots()) removeTree(root, cg);
  }

  list(parent: string, projectDir: string): string[] {
    return [...new Set(this.roots().flatMap((r) => listLeaves(r, parent, projectDir)))].sort();
  }

  stats(cg: CgroupRef): CgroupStats {
    // A controller that is not mounted reads as a missing file.
    const at = (controller: string, file: string) => path.join(this.dir(controller, cg) ?? '/nonexistent', file);
    const out: CgroupStats = {};
    const cpu = readNumber(at('cpuacct', 'cpuacct.usage'));
    if (cpu !== undefined) out.cpuNs = cpu;
    const usage = readNumber(at('memory', 'memory.usage_in_bytes'));
    if (usage !== undefined) {
      const inactive = readKeyed(at('memory', 'memory.stat')).get('total_inactive_file') ?? 0;
      out.memoryBytes = Math.max(0, usage - inactive);
      const limit = unlimitedAsMinusOne(readNumber(at('memory', 'memory.limit_in_bytes')));
      if (limit !== undefined && limit !== -1) out.memoryLimit = limit;
    }
    const pids = readNumber(at('pids', 'pids.current'));
    if (pids !== undefined) out.pids = pids;
    const pidsMax = readNumber(at('pids', 'pids.max'));
    if (pidsMax !== undefined) out.pidsLimit = pidsMax;
    const io = readText(at('blkio', 'blkio.throttle.io_service_bytes_recursive'));
    if (io !== undefined) {
      out.blockRead = 0;
      out.blockWrite = 0;
      for (const line of io.split('\n')) {
        const [dev, op, n] = line.split(' ');
        if (!dev?.includes(':') || n === undefined) continue;
        if (op === 'Read') out.blockRead += Number(n);
        else if (op === 'Write') out.blockWrite += Number(n);
      }
    }
    return out;
  }
}
