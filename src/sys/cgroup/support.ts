/**
 * Which limits the host's cgroups can enforce, read from the files they
 * have: a controller that is not mounted (v1) or not enabled for the
 * directory our cgroups go in (v2) has none; the block I/O weight exists
 * only with an I/O scheduler that supports it (BFQ; CFQ before Linux 5.0);
 * the swap limit only with swap accounting. The planner warns about and
 * leaves out what is missing. Only reads.
 *
 * A hierarchy's root cgroup never shows some of these files (the weights),
 * so they are looked for in the parent our cgroups go below, then in a few
 * existing cgroups; on a host with none but the root, the I/O schedulers
 * the kernel offers (/sys/block/DEV/queue/scheduler) decide.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupSupport } from '../../plan/model';
import type { CgroupLayout, V1Controller } from './layout';
import { readText } from './tree';

const NONE: CgroupSupport = {
  cpuShares: false,
  cpuQuota: false,
  cpuset: false,
  memory: false,
  memoryReservation: false,
  memorySwap: false,
  pids: false,
  blkioWeight: false,
  memorySwappiness: false,
  oomControl: false,
};

/** How many existing cgroups below a root are looked at, at most. */
const SAMPLE = 8;

/** The parent our cgroups go below (if it exists), and a few existing cgroups below the root: not the root itself. */
function probeDirs(root: string, parent: string, isRoot: (dir: string) => boolean): string[] {
  const out = [path.join(root, parent), root];
  try {
    const children = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort().slice(0, SAMPLE);
    out.push(...children.map((c) => path.join(root, c)));
  } catch {
    /* no such hierarchy */
  }
  return [...new Set(out)].filter((d) => fs.existsSync(path.join(d, 'cgroup.procs')) && !isRoot(d));
}

const hasAny = (dirs: string[], files: string[]) => dirs.some((d) => files.some((f) => fs.existsSync(path.join(d, f))));

/** The I/O schedulers this kernel offers on any disk ("none [mq-deadline] kyber bfq"). */
// Equivalent to: cat /sys/block/*/queue/scheduler
export function ioSchedulers(sysBlock = '/sys/block'): Set<string> {
  const out = new Set<string>();
  let disks: string[] = [];
  try {
    disks = fs.readdirSync(sysBlock);
  } catch {
    return out;
  }
  for (const d of disks) {
    for (const w of (readText(path.join(sysBlock, d, 'queue', 'scheduler')) ?? '').split(/\s+/)) if (w) out.add(w.replace(/^\[|\]$/g, ''));
  }
  return out;
}

/** v1: one hierarchy per controller; its root has `cgroup.sane_behavior`. */
function v1Support(mounts: Partial<Record<V1Controller, string>>, parent: string): CgroupSupport {
  const dirs = (c: V1Controller) => {
    const root = mounts[c];
    return root === undefined ? [] : probeDirs(root, parent, (d) => fs.existsSync(path.join(d, 'cgroup.sane_behavior')));
  };
  const file = (c: V1Controller, files: string[], rootOnly: () => boolean) => {
    if (mounts[c] === undefined) return false;
    const below = dirs(c);
    return below.length ? hasAny(below, files) : rootOnly();
  };
  const atRoot = (c: V1Controller, f: string) => () => fs.existsSync(path.join(mounts[c]!, f));
  const cpu = mounts.cpu !== undefined;
  const memory = mounts.memory !== undefined;
  return {
    cpuShares: cpu,
    cpuQuota: cpu && file('cpu', ['cpu.cfs_quota_us'], atRoot('cpu', 'cpu.cfs_quota_us')),
    cpuset: mounts.cpuset !== undefined,
    memory,
    memoryReservation: memory,
    memorySwap: memory && file('memory', ['memory.memsw.limit_in_bytes'], atRoot('memory', 'memory.memsw.limit_in_bytes')),
    pids: mounts.pids !== undefined,
    blkioWeight: file('blkio', ['blkio.weight', 'blkio.bfq.weight'], () => {
      const s = ioSchedulers();
      return s.has('bfq') || s.has('cfq');
    }),
    memorySwappiness: memory && file('memory', ['memory.swappiness'], atRoot('memory', 'memory.swappiness')),
    oomControl: memory && file('memory', ['memory.oom_control'], atRoot('memory', 'memory.oom_control')),
  };
}

/** The controllers a v2 directory gives its children (cgroup.subtree_control). */
function subtreeControl(dir: string): Set<string> {
  return new Set((readText(path.join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/).filter(Boolean));
}

/**
 * v2: what our cgroups get is what the deepest existing directory on the
 * way to `parent` enables for its children (we enable it further down in
 * the directories we create). The root has no `cgroup.type`.
 */
function v2Support(root: string, parent: string): CgroupSupport {
  let dir = root;
  for (const part of parent.split('/').filter(Boolean)) {
    if (!fs.existsSync(path.join(dir, part, 'cgroup.procs'))) break;
    dir = path.join(dir, part);
  }
  const available = subtreeControl(dir);
  const below = probeDirs(root, parent, (d) => !fs.existsSync(path.join(d, 'cgroup.type')));
  const file = (c: string, files: string[], otherwise: () => boolean) => {
    if (!available.has(c)) return false;
    const withIt = below.filter((d) => (readText(path.join(d, 'cgroup.controllers')) ?? '').split(/\s+/).includes(c));
    return withIt.length ? hasAny(withIt, files) : otherwise();
  };
  return {
    cpuShares: available.has('cpu'),
    cpuQuota: file('cpu', ['cpu.max'], () => true),
    cpuset: available.has('cpuset'),
    memory: available.has('memory'),
    memoryReservation: available.has('memory'),
    memorySwap: file('memory', ['memory.swap.max'], () => true),
    pids: available.has('pids'),
    // io.weight is blk-iocost's (its root has io.cost.qos), io.bfq.weight BFQ's.
    blkioWeight: file('io', ['io.weight', 'io.bfq.weight'], () => ioSchedulers().has('bfq') || fs.existsSync(path.join(root, 'io.cost.qos'))),
    // cgroup v2 has neither memory.swappiness nor memory.oom_control.
    memorySwappiness: false,
    oomControl: false,
  };
}

/** What cgroups below `parent` ('' the root) can enforce on a host with this layout. */
export function cgroupSupport(layout: CgroupLayout, parent: string): CgroupSupport {
  if (layout.kind === 'v2') return v2Support(layout.v2!, parent);
  if (layout.kind === 'v1' || layout.kind === 'hybrid') return v1Support(layout.v1, parent);
  return { ...NONE };
}
