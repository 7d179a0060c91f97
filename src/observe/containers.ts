/**
 * Containers as their state directories describe them: is the process alive
 * (pid + start time, so a reused pid is never mistaken for ours), is its shim
 * alive, how did it exit, and what the generated files say now.
 */
import * as path from 'node:path';
import type { ContainerHealth, ObservedContainer } from '../plan/model';
import { isAlive, readExit, readProcessRef } from '../sys/shim';
import { readIfExists, type StateDir } from '../sys/state';

export const FILE_NAMES = { hosts: 'hosts', resolvConf: 'resolv.conf', hostname: 'hostname' } as const;

export function observeContainer(dir: string, name: string): ObservedContainer {
  const init = readProcessRef(path.join(dir, 'init.pid'));
  const shim = readProcessRef(path.join(dir, 'shim.pid'));
  const exit = readExit(dir);
  const running = !!init && isAlive(init) && !exit;
  const shimAlive = !!shim && isAlive(shim);
  const restart = readRestart(dir);
  const health = readHealth(dir);
  const files: ObservedContainer['files'] = {};
  for (const [key, file] of Object.entries(FILE_NAMES) as Array<[keyof typeof FILE_NAMES, string]>) {
    const text = readIfExists(path.join(dir, file));
    if (text !== undefined) files[key] = text;
  }
  return {
    name,
    running,
    shimAlive,
    // Between two runs of its restart policy: the shim will start it again.
    ...(!running && shimAlive && restart?.restarting ? { restarting: true } : {}),
    ...(restart?.restartCount ? { restartCount: restart.restartCount } : {}),
    ...(health && running ? { health } : {}),
    ...(init ? { pid: init.pid } : {}),
    ...(shim ? { shimPid: shim.pid } : {}),
    ...(init && running ? { startedAt: startTimeOf(init.starttime).toISOString() } : {}),
    ...(exit ? { exit } : {}),
    files,
    ...(exit && Number(readIfExists(path.join(dir, 'oom_kills')) ?? '0') > 0 ? { oomKilled: true } : {}),
  };
}

export function observeContainers(state: StateDir, project: string): Record<string, ObservedContainer> {
  const out: Record<string, ObservedContainer> = {};
  for (const name of state.containers(project)) out[name] = observeContainer(state.containerDir(project, name), name);
  return out;
}

let bootTimeMs: number | undefined;
/** Wall-clock time of a process start, from its start time in clock ticks since boot. */
export function startTimeOf(starttimeTicks: number): Date {
  if (bootTimeMs === undefined) {
    const btime = /^btime (\d+)$/m.exec(readIfExists('/proc/stat') ?? '');
    bootTimeMs = btime ? Number(btime[1]) * 1000 : 0;
  }
  // USER_HZ is 100 on every Linux ABI Node runs on.
  return new Date(bootTimeMs + starttimeTicks * 10);
}

/** The shim's restart.json (native/shim/restart.h); undefined without a restart policy or before any restart. */
function readRestart(dir: string): { restartCount: number; restarting: boolean } | undefined {
  const text = readIfExists(path.join(dir, 'restart.json'));
  if (text === undefined) return undefined;
  const v = JSON.parse(text) as { restartCount?: unknown; restarting?: unknown };
  if (typeof v.restartCount !== 'number' || typeof v.restarting !== 'boolean') throw new Error(`malformed ${path.join(dir, 'restart.json')}: ${text.trim()}`);
  return { restartCount: v.restartCount, restarting: v.restarting };
}

/** The shim's health.json (native/shim/health.h); undefined without a healthcheck. */
export function readHealth(dir: string): ContainerHealth | undefined {
  const text = readIfExists(path.join(dir, 'health.json'));
  if (text === undefined) return undefined;
  const v = JSON.parse(text) as ContainerHealth;
  if (!['starting', 'healthy', 'unhealthy'].includes(v.status) || typeof v.failingStreak !== 'number' || !Array.isArray(v.log)) {
    throw new Error(`malformed ${path.join(dir, 'health.json')}: ${text.trim()}`);
  }
  return v;
}
