/**
 * The process keys in the launch settings: which namespaces a container
 * gets anew, which it joins (`pid`/`ipc: service:`), which it shares with
 * the host (`pid`/`ipc`/`uts`/`cgroup: host`), its supplementary groups
 * (`group_add`, names from the container's own /etc/group), and where each
 * sysctl is written. Pure.
 */
import type { ServiceSpec } from '../compose/types';
import { isIpcSysctl } from '../compose/process-keys';
import type { LaunchSettings, Namespace } from './model';

export interface ProcessSettings {
  namespaces: Namespace[];
  join?: NonNullable<LaunchSettings['join']>;
  groups?: number[];
  sysctls: Record<string, string>;
}

/** What went wrong, at which key of the service. */
export type ProcessIssue = { key: string; message: string };

/**
 * `firstReplica(service)`: the container whose namespaces `service:NAME`
 * joins (undefined: the service has none). `hostNet`: network_mode: host
 * (the host's uts namespace too, as Docker).
 */
export function processSettings(
  svc: ServiceSpec,
  hostNet: boolean,
  group: string,
  firstReplica: (service: string) => string | undefined,
  issues: ProcessIssue[],
): ProcessSettings {
  const p = svc.process;
  const namespaces: Namespace[] = ['mount'];
  if (!hostNet && !p?.utsHost) namespaces.push('uts');
  if (!p?.ipc || p.ipc.kind === 'shareable') namespaces.push('ipc');
  if (!p?.pid) namespaces.push('pid');
  if (!p?.cgroupHost) namespaces.push('cgroup');
  const join: NonNullable<LaunchSettings['join']> = [];
  for (const key of ['pid', 'ipc'] as const) {
    const s = p?.[key];
    if (s?.kind !== 'service') continue;
    const container = firstReplica(s.service);
    if (container) join.push({ namespace: key, container });
    else issues.push({ key, message: `service ${s.service} has no replica (scale 0) whose ${key} namespace could be joined` });
  }
  const groups: number[] = [];
  for (const g of p?.groupAdd ?? []) {
    const id = /^\d+$/.test(g) ? Number(g) : groupId(group, g);
    if (id === undefined) issues.push({ key: 'group_add', message: `group ${g} not found in the container's /etc/group` });
    else if (!groups.includes(id)) groups.push(id);
  }
  // network_mode: host: the net.* ones were refused at load; the IPC ones go to the container's own ipc namespace.
  const sysctls = hostNet ? Object.fromEntries(Object.entries(svc.sysctls).filter(([k]) => isIpcSysctl(k))) : svc.sysctls;
  return { namespaces, ...(join.length ? { join } : {}), ...(groups.length ? { groups } : {}), sysctls };
}

/** A group's id by name in /etc/group text. */
function groupId(group: string, name: string): number | undefined {
  for (const line of group.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && /^\d+$/.test(f[2] ?? '')) return Number(f[2]);
  }
  return undefined;
}
