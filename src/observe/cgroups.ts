/**
 * The cgroup side of the machine for plan(): the layout, which of the
 * project's container cgroups exist, the host limits that resource keys
 * are checked against (online CPUs, our hard rlimits, CAP_SYS_RESOURCE,
 * our oom_score_adj), and which limits the cgroups below each parent can
 * enforce. Only reads.
 */
import type { ObservedCgroups, ProjectState } from '../plan/model';
import { cgroupParents, cgroupProjectDir } from '../plan/cgroups';
import { parseCpuList, ULIMIT_NAMES } from '../compose/resources';
import { hostCgroups, type Cgroups } from '../sys/cgroup';
import { readIfExists } from '../sys/state';

/** `ulimits` names → the row of /proc/PID/limits. */
const LIMIT_ROWS: Record<(typeof ULIMIT_NAMES)[number], string> = {
  as: 'Max address space',
  core: 'Max core file size',
  cpu: 'Max cpu time',
  data: 'Max data size',
  fsize: 'Max file size',
  locks: 'Max file locks',
  memlock: 'Max locked memory',
  msgqueue: 'Max msgqueue size',
  nice: 'Max nice priority',
  nofile: 'Max open files',
  nproc: 'Max processes',
  rss: 'Max resident set',
  rtprio: 'Max realtime priority',
  rttime: 'Max realtime timeout',
  sigpending: 'Max pending signals',
  stack: 'Max stack size',
};

/** The hard limits of /proc/PID/limits by ulimit name; -1 is unlimited. */
export function parseHardLimits(text: string): Record<string, number> {
  const rows = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length >= 3) rows.set(cells[0]!, cells[2]!);
  }
  const out: Record<string, number> = {};
  for (const [name, row] of Object.entries(LIMIT_ROWS)) {
    const v = rows.get(row);
    if (v === 'unlimited') out[name] = -1;
    else if (v !== undefined && /^\d+$/.test(v)) out[name] = Number(v);
  }
  return out;
}

/** CAP_SYS_RESOURCE (bit 24) in the CapEff line of /proc/PID/status. */
export function hasSysResource(status: string): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return !!m && (BigInt('0x' + m[1]) & (1n << 24n)) !== 0n;
}

export function observeCgroups(project: string, state: ProjectState | undefined, extraParents: string[] = [], cgroups: Cgroups = hostCgroups()): ObservedCgroups {
  const parents = [...new Set([...cgroupParents(undefined, state), ...extraParents])].sort();
  const existing = cgroups.available
    ? parents.flatMap((parent) => cgroups.list(parent, cgroupProjectDir(project)).map((path) => ({ parent, path })))
    : [];
  return {
    layout: cgroups.layout.kind,
    existing,
    cpus: parseCpuList((readIfExists('/sys/devices/system/cpu/online') ?? '').trim()) ?? [],
    hardLimits: parseHardLimits(readIfExists('/proc/self/limits') ?? ''),
    sysResource: hasSysResource(readIfExists('/proc/self/status') ?? ''),
    devices: cgroups.devices,
    oomScoreAdj: Number((readIfExists('/proc/self/oom_score_adj') ?? '0').trim()) || 0,
    support: Object.fromEntries(parents.map((p) => [p, cgroups.support(p)])),
  };
}
