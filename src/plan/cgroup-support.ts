/**
 * Limits a host cannot enforce are left out with a warning, as Docker does
 * ("WARNING: Your kernel does not support Block I/O weight or the cgroup is
 * not mounted. Weight discarded."): the container runs without them rather
 * than the whole project being refused. Pure: the host facts (which files
 * its cgroups have) come from observe/.
 */
import type { CgroupLimits, CgroupSupport } from './model';

type Kind = keyof CgroupSupport;

/** Which host capability each limit needs. */
const NEEDS: Record<keyof CgroupLimits, Kind> = {
  nanoCpus: 'cpuQuota',
  cpuQuota: 'cpuQuota',
  cpuPeriod: 'cpuQuota',
  cpuShares: 'cpuShares',
  cpuset: 'cpuset',
  memory: 'memory',
  memoryReservation: 'memoryReservation',
  memorySwap: 'memorySwap',
  pids: 'pids',
  blkioWeight: 'blkioWeight',
  memorySwappiness: 'memorySwappiness',
  oomKillDisable: 'oomControl',
};

/** What each capability is called, its files (v1, v2), why a host may lack it, and what happens instead. */
const KINDS: Record<Kind, { what: string; v1: string; v2: string; why?: string; outcome: string }> = {
  cpuShares: { what: 'CPU shares', v1: 'cpu.shares', v2: 'cpu.weight', outcome: 'shares discarded' },
  cpuQuota: { what: 'a CPU quota', v1: 'cpu.cfs_quota_us', v2: 'cpu.max', why: 'no CFS bandwidth control in this kernel', outcome: 'CPU quota discarded' },
  cpuset: { what: 'a cpuset', v1: 'cpuset.cpus', v2: 'cpuset.cpus', outcome: 'cpuset discarded' },
  memory: { what: 'a memory limit', v1: 'memory.limit_in_bytes', v2: 'memory.max', outcome: 'limit discarded' },
  memoryReservation: { what: 'a memory reservation', v1: 'memory.soft_limit_in_bytes', v2: 'memory.low', outcome: 'reservation discarded' },
  memorySwap: {
    what: 'a swap limit',
    v1: 'memory.memsw.limit_in_bytes',
    v2: 'memory.swap.max',
    why: 'swap accounting is off: swapaccount=1 on the kernel command line turns it on',
    outcome: 'memory limited without swap',
  },
  pids: { what: 'a pids limit', v1: 'pids.max', v2: 'pids.max', outcome: 'limit discarded' },
  blkioWeight: {
    what: 'a block I/O weight',
    v1: 'blkio.weight or blkio.bfq.weight',
    v2: 'io.weight or io.bfq.weight',
    why: 'no disk uses the BFQ I/O scheduler',
    outcome: 'weight discarded',
  },
  // cgroup v2 has neither (Docker: "Your kernel does not support memory swappiness capabilities …").
  memorySwappiness: { what: 'memory swappiness', v1: 'memory.swappiness', v2: '', outcome: 'swappiness discarded' },
  oomControl: { what: 'disabling the OOM killer', v1: 'memory.oom_control', v2: '', outcome: 'oom_kill_disable discarded' },
};

export interface Unenforceable {
  key: keyof CgroupLimits;
  message: string;
}

/** The limits the host can enforce, and a message for each one it cannot (one per capability). */
export function enforceableLimits(limits: CgroupLimits, support: CgroupSupport, version: 1 | 2): { kept: CgroupLimits; dropped: Unenforceable[] } {
  const kept: CgroupLimits = { ...limits };
  const dropped: Unenforceable[] = [];
  const told = new Set<Kind>();
  for (const key of Object.keys(limits) as Array<keyof CgroupLimits>) {
    const kind = NEEDS[key];
    if (support[kind]) continue;
    delete kept[key];
    // No swap limit is what an unlimited one asks for: nothing to say.
    if (told.has(kind) || (key === 'memorySwap' && limits.memorySwap === -1)) continue;
    told.add(kind);
    const k = KINDS[kind];
    if (version === 2 && !k.v2) {
      dropped.push({ key, message: `this host cannot enforce ${k.what} (cgroup v2 has no such setting; only cgroup v1's ${k.v1}): ${k.outcome}` });
      continue;
    }
    const controller = version === 1 ? `its ${k.v1.split('.')[0]} controller is not mounted` : `the ${k.v2.split('.')[0]} controller is not enabled for our cgroups`;
    const why = k.why ? `${k.why}, or ${controller}` : controller;
    dropped.push({ key, message: `this host cannot enforce ${k.what} (its cgroups have no ${version === 1 ? k.v1 : k.v2}: ${why}): ${k.outcome}` });
  }
  return { kept, dropped };
}
