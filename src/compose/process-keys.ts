/**
 * The process keys of a service → ServiceProcess and a few resources:
 * `shm_size`, `group_add`, `pid`, `ipc`, `uts`, `cgroup`, `userns_mode`,
 * `mem_swappiness`, `oom_kill_disable`, `cpu_count`, `cpu_percent`,
 * `runtime`, `isolation`, `storage_opt`, and the IPC `sysctls` (the
 * namespaced ones Docker allows besides `net.*`). Values Docker refuses are
 * errors here; values that mean what we already do (`userns_mode: host`,
 * `runtime: runc`, `isolation: default`, `cgroup: private`, `ipc: private`)
 * are accepted. References to other services are checked in validate.ts.
 */
import { childPath, scalarText } from './tree';
import { field } from './read';
import type { Field, Reader } from './read';
import { parseBytes } from './resources';
import type { NamespaceShare, ServiceProcess, ServiceSpec } from './types';

/** Docker's IPC sysctls (moby's opts.ValidateSysctl): written in the container's own ipc namespace. */
export const IPC_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];

export function isIpcSysctl(key: string): boolean {
  return IPC_SYSCTLS.includes(key) || /^fs\.mqueue\.[a-z_]+$/.test(key);
}

/** Docker's default /dev/shm. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** `service:NAME` (or Docker's `container:NAME`, refused with a hint), `host`, or one of `extra`. */
function namespaceMode<E extends string>(f: Field, r: Reader, key: string, extra: readonly E[]): NamespaceShare | E | undefined {
  const v = r.string(f);
  if (v === undefined || v === '') return undefined;
  if (v === 'host') return { kind: 'host' };
  if ((extra as readonly string[]).includes(v)) return v as E;
  const m = /^service:(.+)$/.exec(v);
  if (m) return { kind: 'service', service: m[1]! };
  if (v.startsWith('container:')) {
    r.error(f, `"${v}": a container outside the project cannot be joined; name a service of the file (service:NAME)`);
    return undefined;
  }
  const allowed = ['host', ...extra, 'service:NAME'].map((x) => `"${x}"`).join(', ');
  r.error(f, `"${v}" is not a valid ${key} mode (${allowed})`);
  return undefined;
}

function groupAdd(f: Field, r: Reader): string[] | undefined {
  const n = f.node;
  if (n.kind !== 'seq') return r.wrongType(f, 'a list of group names or numbers');
  const out: string[] = [];
  n.items.forEach((it, i) => {
    const itf: Field = { path: childPath(f.path, i), loc: it.loc, node: it };
    const v = r.text(itf);
    if (v === undefined) return;
    if (!/^(\d+|[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?)$/.test(v)) r.error(itf, `"${v}" is not a group name or number`);
    else if (/^\d+$/.test(v) && Number(v) > 0xfffffffe) r.error(itf, `group ${v} is out of range`);
    else if (out.includes(v)) r.error(itf, `duplicate group "${v}"`);
    else out.push(v);
  });
  return out;
}

function shmSize(f: Field, r: Reader): number | undefined {
  const n = f.node;
  if (n.kind !== 'scalar' || (typeof n.value !== 'string' && typeof n.value !== 'number')) return r.wrongType(f, 'a size (a number of bytes, or "64m", "1g")');
  const text = scalarText(n).trim();
  const v = parseBytes(text);
  if (v === undefined) r.error(f, `"${text}" is not a size (a number of bytes, or with a unit: 64m, 1g)`);
  // The kernel rounds a tmpfs size up to whole pages; 0 would mean unlimited to tmpfs (Docker: the default).
  else if (v > 0) return v;
  return undefined;
}

/** What each key that has only one value we can honour accepts, and why the others are refused. */
const FIXED: Record<string, { accepts: string[]; otherwise: (v: string) => string }> = {
  userns_mode: {
    accepts: ['host', ''],
    otherwise: (v) => `"${v}" is not supported: containers run in the host's user namespace (userns_mode: host), there is no user namespace remapping`,
  },
  runtime: {
    accepts: ['runc', ''],
    otherwise: (v) => `runtime "${v}" is not supported yet: tscompose runs each container with its own shim, which does what runc does (runtime: runc is accepted); other runtimes (gVisor, Kata, WebAssembly, nvidia) are not`,
  },
  isolation: {
    accepts: ['default', ''],
    otherwise: (v) => `isolation "${v}" is not supported: on Linux the only isolation is "default" (process and hyperv are Windows')`,
  },
};

/** Reads the process keys into `svc.process`, `svc.resources`; checks the IPC sysctls against `ipc`. */
export function normalizeProcess(svc: ServiceSpec, keys: Map<string, Field>, r: Reader): void {
  const p: ServiceProcess = {};
  // null (the schema allows it for pid) is unset.
  const get = (k: string) => {
    const f = keys.get(k);
    return f && !(f.node.kind === 'scalar' && f.node.value === null) ? f : undefined;
  };
  const shm = get('shm_size');
  if (shm) {
    const v = shmSize(shm, r);
    if (v !== undefined) p.shmSize = v;
  }
  const groups = get('group_add');
  if (groups) {
    const v = groupAdd(groups, r);
    if (v?.length) p.groupAdd = v;
  }
  const pid = get('pid') && namespaceMode(get('pid')!, r, 'pid', [] as const);
  if (pid) p.pid = pid;
  const ipc = get('ipc') && namespaceMode(get('ipc')!, r, 'ipc', ['private', 'shareable'] as const);
  if (ipc === 'shareable') p.ipc = { kind: 'shareable' };
  else if (ipc && ipc !== 'private') p.ipc = ipc;
  const uts = get('uts');
  if (uts) {
    const v = r.string(uts);
    if (v === 'host') p.utsHost = true;
    else if (v !== undefined && v !== '') r.error(uts, `"${v}" is not a uts mode: only "host" (absent: the container's own)`);
    if (v === 'host' && svc.hostname !== undefined) r.error(uts, 'uts: host conflicts with hostname: the host\'s name would be changed (as Docker refuses)');
  }
  const cg = get('cgroup');
  if (cg) {
    const v = r.string(cg);
    if (v === 'host') p.cgroupHost = true;
    else if (v !== undefined && v !== 'private' && v !== '') r.error(cg, `"${v}" is not a cgroup namespace mode ("host" or "private")`);
  }
  for (const [key, rule] of Object.entries(FIXED)) {
    const f = get(key);
    const v = f && r.string(f);
    if (f && v !== undefined && !rule.accepts.includes(v)) r.error(f, rule.otherwise(v));
  }
  const storage = get('storage_opt');
  const storageMap = storage && r.map(storage);
  for (const e of storageMap?.entries.values() ?? []) {
    const f = field(storage!.path, e);
    // Docker's units.RAMInBytes: binary units, 0 = no limit (plan/storage-quota.ts checks the layer's filesystem).
    if (e.key !== 'size') r.error(f, `storage option "${e.key}" is not supported yet (only size exists on overlay, Docker's overlay2)`);
    else {
      const v = shmSize(f, r);
      if (v !== undefined) p.storageSize = v;
    }
  }
  if (p.ipc?.kind === 'host' || p.ipc?.kind === 'service') {
    const mode = p.ipc.kind === 'host' ? 'host' : `service:${p.ipc.service}`;
    if (p.shmSize !== undefined) r.error(shm!, `shm_size needs the container's own /dev/shm: not with ipc: ${mode}`);
    for (const k of Object.keys(svc.sysctls).filter(isIpcSysctl)) {
      r.error(get('sysctls')!, `sysctl ${k} is per ipc namespace: not allowed with ipc: ${p.ipc.kind === 'host' ? 'host (it would change the host)' : 'service: (it would change the other service\'s)'}`);
    }
  }
  resourceKeys(svc, keys, r);
  if (Object.keys(p).length) svc.process = p;
}

/** `mem_swappiness`, `oom_kill_disable`, `cpu_percent`, `cpu_count`: into svc.resources (cgroup limits, plan/cgroups.ts). */
function resourceKeys(svc: ServiceSpec, keys: Map<string, Field>, r: Reader): void {
  const res = () => (svc.resources ??= { ulimits: {} });
  const sw = keys.get('mem_swappiness');
  if (sw) {
    const v = r.int(sw, { min: -1, max: 100 });
    // -1: the parent's, as Docker.
    if (v !== undefined && v !== -1) res().memorySwappiness = v;
  }
  const oom = keys.get('oom_kill_disable');
  if (oom && r.bool(oom)) {
    res().oomKillDisable = 1;
    if (svc.resources?.memory === undefined) {
      r.issues.warn(oom.path, 'OOM killer is disabled for the container, but no memory limit is set: this can make the host run out of memory (as Docker warns)', oom.loc);
    }
  }
  const pct = keys.get('cpu_percent');
  if (pct) {
    const v = r.int(pct, { min: 0, max: 100 });
    if (v) {
      const other = svc.resources?.nanoCpus !== undefined ? 'cpus' : svc.resources?.cpuQuota !== undefined ? 'cpu_quota' : undefined;
      if (other) r.error(pct, `conflicts with ${other}: set the CPU limit once`);
      else res().cpuPercent = v;
    }
  }
  const count = keys.get('cpu_count');
  if (count) {
    const v = r.int(count, { min: 0 });
    if (v) r.issues.warn(count.path, `cpu_count is Windows-only (Docker on Linux ignores it): ${v} discarded; use cpus (${v}) or cpuset to limit the CPUs`, count.loc);
  }
}

/** The compose keys that say `p` (for `tscompose config`). */
export function renderProcess(svc: ServiceSpec): Record<string, unknown> {
  const p = svc.process;
  const out: Record<string, unknown> = {};
  const res = svc.resources;
  if (res?.memorySwappiness !== undefined) out.mem_swappiness = res.memorySwappiness;
  if (res?.oomKillDisable) out.oom_kill_disable = true;
  if (res?.cpuPercent !== undefined) out.cpu_percent = res.cpuPercent;
  if (!p) return out;
  const share = (s: NamespaceShare | { kind: 'shareable' }) => (s.kind === 'service' ? `service:${s.service}` : s.kind);
  if (p.shmSize !== undefined) out.shm_size = p.shmSize;
  if (p.storageSize !== undefined) out.storage_opt = { size: p.storageSize };
  if (p.groupAdd) out.group_add = [...p.groupAdd];
  if (p.pid) out.pid = share(p.pid);
  if (p.ipc) out.ipc = share(p.ipc);
  if (p.utsHost) out.uts = 'host';
  if (p.cgroupHost) out.cgroup = 'host';
  return out;
}
