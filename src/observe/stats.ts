/**
 * Usage samples for `tscompose stats`: each running container's cgroup
 * counters (CPU time, memory, pids, block I/O) and its network namespace's
 * interface counters, and the rates between two samples. Only reads.
 */
import * as os from 'node:os';
import type { ProjectState } from '../plan/model';
import { hostCgroups, type Cgroups, type CgroupStats } from '../sys/cgroup';
import { readIfExists } from '../sys/state';

/** The cgroup's counters (absent: no cgroup or controller) and the network's. */
export interface Sample extends CgroupStats {
  name: string;
  service: string;
  pid: number;
  /** process.hrtime.bigint() when read. */
  at: bigint;
  /** Bytes over every interface but lo; absent with network_mode: host (the host's counters are not the container's). */
  net?: { rx: number; tx: number };
}

export interface ContainerStats {
  name: string;
  service: string;
  /** Percent of one CPU between the two samples (200 = two CPUs busy); null on the first sample. */
  cpuPercent: number | null;
  memory: { usage: number | null; limit: number };
  /** usage / limit × 100 */
  memoryPercent: number | null;
  net: { rx: number; tx: number } | null;
  block: { read: number; write: number } | null;
  pids: number | null;
}

/** rx/tx bytes of /proc/PID/net/dev (the namespace of PID), lo excluded. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (name === 'lo' || f.length < 9) continue;
    rx += f[0]!;
    tx += f[8]!;
  }
  return { rx, tx };
}

/** One sample of each container in `running` (one without a cgroup reports what it can). */
export function sample(
  state: ProjectState,
  running: Array<{ name: string; pid: number }>,
  cgroups: Cgroups = hostCgroups(),
): Sample[] {
  const out: Sample[] = [];
  for (const { name, pid } of running) {
    const c = state.containers[name];
    if (!c) continue;
    const s: Sample = { name, service: c.service, pid, at: process.hrtime.bigint() };
    if (c.launch.cgroup !== undefined && cgroups.available) Object.assign(s, cgroups.stats({ parent: '', path: c.launch.cgroup }));
    if (c.netnsPlacement.kind !== 'host') {
      const dev = readIfExists(`/proc/${pid}/net/dev`);
      if (dev !== undefined) s.net = parseNetDev(dev);
    }
    out.push(s);
  }
  return out;
}

/** The row `docker stats` would show, from this sample and the one before (if any). */
export function rates(now: Sample, before: Sample | undefined, hostMemory = os.totalmem()): ContainerStats {
  let cpuPercent: number | null = null;
  if (before && before.pid === now.pid && now.cpuNs !== undefined && before.cpuNs !== undefined && now.at > before.at) {
    cpuPercent = Math.max(0, ((now.cpuNs - before.cpuNs) / Number(now.at - before.at)) * 100);
  }
  const limit = now.memoryLimit !== undefined && now.memoryLimit < hostMemory ? now.memoryLimit : hostMemory;
  const usage = now.memoryBytes ?? null;
  return {
    name: now.name,
    service: now.service,
    cpuPercent,
    memory: { usage, limit },
    memoryPercent: usage === null ? null : (usage / limit) * 100,
    net: now.net ?? null,
    block: now.blockRead !== undefined ? { read: now.blockRead, write: now.blockWrite ?? 0 } : null,
    pids: now.pids ?? null,
  };
}
