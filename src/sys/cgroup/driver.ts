/**
 * The interface both cgroup drivers (v1.ts, v2.ts) implement. Each is built
 * on the root(s) of its hierarchies, so that tests run it against a
 * directory tree that mimics the kernel's files.
 */
import type { CgroupLimits } from '../../plan/model';
import type { CgroupRef } from './tree';

/** One sample of a container's cgroup, for `stats`. */
export interface CgroupStats {
  /** CPU time used since the cgroup was created, ns. */
  cpuNs?: number;
  /** Memory in use minus the inactive file cache (what `docker stats` shows), bytes. */
  memoryBytes?: number;
  /** The memory limit; absent when unlimited. */
  memoryLimit?: number;
  pids?: number;
  pidsLimit?: number;
  /** Bytes read from and written to block devices. */
  blockRead?: number;
  blockWrite?: number;
}

/** One file to write, in order: `memory.limit_in_bytes` ← `536870912`. */
export interface CgroupWrite {
  file: string;
  value: string;
}

export interface CgroupDriver {
  readonly version: 1 | 2;
  /** Whether limits are enforced here (the cgroup2 mount of a hybrid host has no controllers: it only tracks processes). */
  readonly enforces: boolean;
  /** The cgroup's directory in each hierarchy of this driver. */
  dirs(cg: CgroupRef): string[];
  /** mkdir -p in every hierarchy, and the setup new directories need (cpuset's CPUs on v1, controllers on v2). */
  create(cg: CgroupRef): void;
  /** Writes what differs between `previous` (what was applied; {} for a new cgroup; undefined: unknown, every file) and `limits`. Returns the writes done. */
  apply(cg: CgroupRef, limits: CgroupLimits, previous: CgroupLimits | undefined): CgroupWrite[];
  exists(cg: CgroupRef): boolean;
  /** Pids in the cgroup (as our pid namespace sees them). */
  pids(cg: CgroupRef): number[];
  /** Makes every process in the cgroup die, and none be born: v2 cgroup.kill; v1 pids.max = 0 (then the caller kills). Returns true if that killed them all. */
  stopProcesses(cg: CgroupRef): boolean;
  /** rmdir of the cgroup and of our emptied parents (see tree.ts). */
  remove(cg: CgroupRef): void;
  /** Container cgroups under `parent/<projectDir>` (`tscompose/<project>`): their paths. */
  list(parent: string, projectDir: string): string[];
  stats(cg: CgroupRef): CgroupStats;
}

/** The controller a file belongs to: `memory.limit_in_bytes` → memory. */
export function controllerOf(file: string): string {
  return file.slice(0, file.indexOf('.'));
}

/** Whether two sets of limits are the same (unset and undefined alike). */
export function sameLimits(a: CgroupLimits, b: CgroupLimits): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof CgroupLimits>);
  return [...keys].every((k) => a[k] === b[k]);
}
