/**
 * The resource keys of a service → ServiceResources: `cpus`, `cpu_shares`,
 * `cpu_quota`, `cpu_period`, `cpuset`, `mem_limit`, `mem_reservation`,
 * `memswap_limit`, `pids_limit`, `oom_score_adj`, `blkio_config.weight`,
 * `ulimits`, `cgroup_parent` and `deploy.resources`. Units and limits are
 * Docker's (`512m` is 512 MiB, `1.5` CPUs, shares 2 to 262144, memory at
 * least 6 MiB); a key and its `deploy.resources` twin must agree, as
 * Compose requires. Checks that need the host (how many CPUs it has) are
 * the planner's (plan/resources.ts).
 */
import { closest } from './names';
import { field, sortedRecord } from './read';
import type { Field, Reader } from './read';
import { BLKIO_KEYS, RESOURCE_LIMITS_KEYS, RESOURCE_RESERVATIONS_KEYS, RESOURCES_KEYS, ULIMIT_KEYS } from './keys';
import { scalarText } from './tree';
import type { ServiceResources, Ulimit } from './types';

/** Docker's floor for memory limits and reservations (linuxMinMemory). */
export const MIN_MEMORY = 6 * 1024 * 1024;
export const MIN_CPU_SHARES = 2;
export const MAX_CPU_SHARES = 262144;
/** CFS bounds, µs. */
export const MIN_CFS_QUOTA = 1000;
export const MIN_CFS_PERIOD = 1000;
export const MAX_CFS_PERIOD = 1000000;

/** `ulimits` names (Docker's), each an RLIMIT_*. */
export const ULIMIT_NAMES = [
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio',
  'rttime', 'sigpending', 'stack',
] as const;

const UNIT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** `512m`, `1.5g`, `100MiB`, `2048`: bytes (binary units, as Docker's RAMInBytes); undefined if malformed. */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const v = Math.floor(Number(m[1]) * UNIT[m[2]!.toLowerCase()]!);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Bytes the way people write them: `512MiB`, `1.5GiB`, `6291456B`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : Number(v.toFixed(2))}${units[i]}`;
}

/** `1.5` → 1500000000 billionths of a CPU; at most 9 decimals (Docker: "too precise"). */
export function parseNanoCpus(text: string): number | 'too precise' | undefined {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > 9) return 'too precise';
  const v = Number(m[1] || '0') * 1e9 + Number(frac.padEnd(9, '0').slice(0, 9));
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Billionths of a CPU as Compose writes them: `1.5`. */
export function formatCpus(nano: number): string {
  return String(nano / 1e9);
}

/** `0-2,5` (ranges and single CPUs) → the sorted CPU numbers; undefined if malformed. */
export function parseCpuList(text: string): number[] | undefined {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) return undefined;
  const cpus = new Set<number>();
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    const last = b ?? a;
    if (last < a || last - a > 8192) return undefined;
    for (let c = a; c <= last; c++) cpus.add(c);
  }
  return [...cpus].sort((x, y) => x - y);
}

/** CPU numbers → the kernel's list form (`0-2,5`). */
export function formatCpuList(cpus: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    out.push(j > i ? `${cpus[i]}-${cpus[j]}` : `${cpus[i]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** One value with the key it came from (conflicts point at the second one). */
interface From<T> {
  value: T;
  field: Field;
}

/**
 * Collects the resource keys of one service as the normalizer meets them,
 * then checks them together (`finish`).
 */
export class ResourceReader {
  private cpus?: From<number>;
  private cpuShares?: From<number>;
  private cpuQuota?: From<number>;
  private cpuPeriod?: From<number>;
  private cpuset?: From<string>;
  private memLimit?: From<number>;
  private memReservation?: From<number>;
  private memswap?: From<number>;
  private pidsLimit?: From<number>;
  private oomScoreAdj?: From<number>;
  private blkioWeight?: From<number>;
  private ulimits?: Record<string, Ulimit>;
  private cgroupParent?: From<string>;
  // deploy.resources
  private limitCpus?: From<number>;
  private limitMemory?: From<number>;
  private limitPids?: From<number>;
  private reserveCpus?: From<number>;
  private reserveMemory?: From<number>;
  private seen = false;

  constructor(private readonly r: Reader) {}

  /** A service key; returns false if it is not a resource key. */
  key(key: string, f: Field): boolean {
    const r = this.r;
    switch (key) {
      case 'cpus':
        this.cpus = this.nanoCpus(f);
        break;
      case 'cpu_shares':
        this.cpuShares = this.number(f, r.int(f));
        break;
      case 'cpu_quota':
        this.cpuQuota = this.number(f, r.int(f));
        break;
      case 'cpu_period':
        this.cpuPeriod = this.number(f, r.int(f));
        break;
      case 'cpuset': {
        const v = r.string(f);
        if (v === undefined || v === '') break;
        const cpus = parseCpuList(v);
        if (!cpus) r.error(f, `"${v}" is not a list of CPUs (e.g. 0-2,5)`);
        else this.cpuset = { value: formatCpuList(cpus), field: f };
        break;
      }
      case 'mem_limit':
        this.memLimit = this.bytes(f);
        break;
      case 'mem_reservation':
        this.memReservation = this.bytes(f);
        break;
      case 'memswap_limit':
        this.memswap = this.bytes(f, { unlimited: true });
        break;
      case 'pids_limit':
        this.pidsLimit = this.number(f, r.int(f));
        break;
      case 'oom_score_adj':
        this.oomScoreAdj = this.number(f, r.int(f, { min: -1000, max: 1000 }));
        break;
      case 'blkio_config':
        this.blkio(f);
        break;
      case 'ulimits':
        this.ulimits = this.readUlimits(f);
        break;
      case 'cgroup_parent':
        this.cgroupParent = this.parent(f);
        break;
      default:
        return false;
    }
    this.seen = true;
    return true;
  }

  /** `deploy.resources`. */
  deployResources(f: Field): void {
    const r = this.r;
    const map = r.map(f, { nullable: true });
    if (!map) return;
    this.seen = true;
    const keys = r.keys(map, f.path, RESOURCES_KEYS);
    const lf = keys.get('limits');
    const lmap = lf && r.map(lf, { nullable: true });
    if (lf && lmap) {
      const lk = r.keys(lmap, lf.path, RESOURCE_LIMITS_KEYS);
      if (lk.has('cpus')) this.limitCpus = this.nanoCpus(lk.get('cpus')!);
      if (lk.has('memory')) this.limitMemory = this.bytes(lk.get('memory')!, { stringOnly: true });
      if (lk.has('pids')) this.limitPids = this.number(lk.get('pids')!, r.int(lk.get('pids')!));
    }
    const rf = keys.get('reservations');
    const rmap = rf && r.map(rf, { nullable: true });
    if (rf && rmap) {
      const rk = r.keys(rmap, rf.path, RESOURCE_RESERVATIONS_KEYS);
      if (rk.has('cpus')) this.reserveCpus = this.nanoCpus(rk.get('cpus')!);
      if (rk.has('memory')) this.reserveMemory = this.bytes(rk.get('memory')!, { stringOnly: true });
    }
  }

  /** Every check across keys; undefined when the service set no resource key. */
  finish(): ServiceResources | undefined {
    if (!this.seen) return undefined;
    const r = this.r;
    const agree = <T>(a: From<T> | undefined, b: From<T> | undefined, names: string, show: (v: T) => string = String) => {
      if (a && b && a.value !== b.value) {
        r.error(b.field, `can't set distinct values on ${names} (${show(a.value)} and ${show(b.value)}); set only one`);
      }
      return b ?? a;
    };
    const out: ServiceResources = { ulimits: this.ulimits ?? {} };

    const cpus = agree(this.cpus, this.limitCpus, "'cpus' and 'deploy.resources.limits.cpus'", formatCpus);
    if (cpus && cpus.value > 0) {
      if (cpus.value < 1e7) r.error(cpus.field, `${formatCpus(cpus.value)} CPUs is below the minimum of 0.01`);
      else out.nanoCpus = cpus.value;
      for (const other of [this.cpuQuota, this.cpuPeriod]) {
        if (other && other.value > 0) r.error(other.field, `conflicts with ${cpus.field.path.split('.').slice(2).join('.')}: set the CPU limit either as cpus or as cpu_quota/cpu_period`);
      }
    }

    const sharesFromReservation = this.reserveCpus && this.reserveCpus.value > 0
      ? { value: Math.round((this.reserveCpus.value * 1024) / 1e9), field: this.reserveCpus.field }
      : undefined;
    const shares = agree(this.cpuShares, sharesFromReservation, "'cpu_shares' and 'deploy.resources.reservations.cpus' (× 1024)");
    if (shares && shares.value !== 0) {
      if (shares.value < 0) r.error(shares.field, `${shares.value} is out of range (CPU shares are a positive weight)`);
      else {
        const clamped = Math.min(MAX_CPU_SHARES, Math.max(MIN_CPU_SHARES, shares.value));
        if (clamped !== shares.value) {
          r.issues.warn(shares.field.path, `CPU shares ${shares.value} adjusted to ${clamped} (the kernel allows ${MIN_CPU_SHARES} to ${MAX_CPU_SHARES})`, shares.field.loc);
        }
        out.cpuShares = clamped;
      }
    }

    if (this.cpuPeriod && this.cpuPeriod.value !== 0) {
      const p = this.cpuPeriod.value;
      if (p < MIN_CFS_PERIOD || p > MAX_CFS_PERIOD) {
        r.error(this.cpuPeriod.field, `CPU CFS period ${p} is out of range: at least 1ms (1000) and at most 1s (1000000)`);
      } else if (!out.nanoCpus) out.cpuPeriod = p;
    }
    if (this.cpuQuota && this.cpuQuota.value !== 0 && this.cpuQuota.value !== -1) {
      const q = this.cpuQuota.value;
      if (q < MIN_CFS_QUOTA) r.error(this.cpuQuota.field, `CPU CFS quota ${q} is below 1ms (1000), or -1 for no limit`);
      else if (!out.nanoCpus) out.cpuQuota = q;
    }
    if (this.cpuset) out.cpuset = this.cpuset.value;

    const memory = agree(this.memLimit, this.limitMemory, "'mem_limit' and 'deploy.resources.limits.memory'", formatBytesExact);
    if (memory && memory.value > 0) {
      if (memory.value < MIN_MEMORY) r.error(memory.field, `memory limit ${formatBytes(memory.value)} is below the minimum of 6MiB`);
      else out.memory = memory.value;
    }
    const reservation = agree(this.memReservation, this.reserveMemory, "'mem_reservation' and 'deploy.resources.reservations.memory'", formatBytesExact);
    if (reservation && reservation.value > 0) {
      if (reservation.value < MIN_MEMORY) r.error(reservation.field, `memory reservation ${formatBytes(reservation.value)} is below the minimum of 6MiB`);
      else if (out.memory !== undefined && reservation.value > out.memory) {
        r.error(reservation.field, `memory reservation ${formatBytes(reservation.value)} is above the memory limit ${formatBytes(out.memory)}`);
      } else out.memoryReservation = reservation.value;
    }
    if (this.memswap && this.memswap.value !== 0) {
      const s = this.memswap.value;
      if (!memory) r.error(this.memswap.field, 'memswap_limit needs a memory limit (mem_limit or deploy.resources.limits.memory)');
      else if (s !== -1 && out.memory !== undefined && s < out.memory) {
        r.error(this.memswap.field, `memswap_limit ${formatBytes(s)} is below the memory limit ${formatBytes(out.memory)} (it counts memory + swap)`);
      } else if (out.memory !== undefined) out.memorySwap = s;
    }

    const pids = agree(this.pidsLimit, this.limitPids, "'pids_limit' and 'deploy.resources.limits.pids'");
    if (pids && pids.value > 0) out.pids = pids.value;
    else if (pids && pids.value < -1) r.error(pids.field, `${pids.value} is out of range (a positive number, or 0 or -1 for no limit)`);

    if (this.oomScoreAdj) out.oomScoreAdj = this.oomScoreAdj.value;
    if (this.blkioWeight) out.blkioWeight = this.blkioWeight.value;
    if (this.cgroupParent) out.cgroupParent = this.cgroupParent.value;
    return out;
  }

  private number(f: Field, v: number | undefined): From<number> | undefined {
    return v === undefined ? undefined : { value: v, field: f };
  }

  private nanoCpus(f: Field): From<number> | undefined {
    const n = f.node;
    if (n.kind !== 'scalar' || (typeof n.value !== 'number' && typeof n.value !== 'string')) {
      this.r.error(f, 'must be a number of CPUs, such as 1.5 or "0.5"');
      return undefined;
    }
    // As written: 0.0000000001 must stay itself, not become 1e-10.
    const text = typeof n.value === 'number' && n.text !== undefined ? n.text.trim() : scalarText(n);
    const v = parseNanoCpus(text);
    if (v === 'too precise') this.r.error(f, `${text} is too precise: at most 9 decimals`);
    else if (v === undefined) this.r.error(f, `"${text}" is not a number of CPUs (such as 1.5)`);
    else return { value: v, field: f };
    return undefined;
  }

  private bytes(f: Field, opts: { unlimited?: boolean; stringOnly?: boolean } = {}): From<number> | undefined {
    const n = f.node;
    const isNumber = n.kind === 'scalar' && typeof n.value === 'number';
    if (n.kind !== 'scalar' || !(typeof n.value === 'string' || (isNumber && !opts.stringOnly))) {
      this.r.error(f, `must be ${opts.stringOnly ? 'a string' : 'a number of bytes or a string'} with a unit, such as "512m" or "1.5g"`);
      return undefined;
    }
    const text = scalarText(n).trim();
    if (opts.unlimited && text === '-1') return { value: -1, field: f };
    const v = isNumber ? (Number.isSafeInteger(n.value) && (n.value as number) >= 0 ? (n.value as number) : undefined) : parseBytes(text);
    if (v === undefined) {
      this.r.error(f, `"${text}" is not an amount of memory (a number of bytes, or with a unit: 512m, 1.5g, 100MiB)${opts.unlimited ? ', or -1' : ''}`);
      return undefined;
    }
    return { value: v, field: f };
  }

  private blkio(f: Field): void {
    const r = this.r;
    const map = r.map(f);
    if (!map) return;
    const keys = r.keys(map, f.path, BLKIO_KEYS);
    const wf = keys.get('weight');
    if (!wf) return;
    const v = r.int(wf);
    if (v === undefined || v === 0) return;
    if (v < 10 || v > 1000) r.error(wf, `block IO weight ${v} is out of range (10 to 1000)`);
    else this.blkioWeight = { value: v, field: wf };
  }

  private readUlimits(f: Field): Record<string, Ulimit> {
    const r = this.r;
    const map = r.map(f);
    if (!map) return {};
    const out: Array<[string, Ulimit]> = [];
    for (const e of map.entries.values()) {
      const uf = field(f.path, e);
      if (!(ULIMIT_NAMES as readonly string[]).includes(e.key)) {
        const guess = closest(e.key, [...ULIMIT_NAMES]);
        r.error(uf, `unknown ulimit "${e.key}"${guess ? ` (did you mean "${guess}"?)` : ''}; known: ${ULIMIT_NAMES.join(', ')}`);
        continue;
      }
      let soft: number | undefined;
      let hard: number | undefined;
      if (e.value.kind === 'map') {
        const keys = r.keys(e.value, uf.path, ULIMIT_KEYS);
        const sf = keys.get('soft');
        const hf = keys.get('hard');
        if (!sf || !hf) {
          r.error(uf, 'needs both soft and hard (or a single number for both)');
          continue;
        }
        soft = r.int(sf, { min: -1 });
        hard = r.int(hf, { min: -1 });
      } else {
        soft = hard = r.int(uf, { min: -1 });
      }
      if (soft === undefined || hard === undefined) continue;
      const above = hard !== -1 && (soft === -1 || soft > hard);
      if (above) r.error(uf, `the soft limit (${soft}) is above the hard limit (${hard})`);
      else out.push([e.key, { soft, hard }]);
    }
    return sortedRecord(out);
  }

  private parent(f: Field): From<string> | undefined {
    const v = this.r.string(f);
    if (v === undefined) return undefined;
    const trimmed = v.replace(/^\/+|\/+$/g, '');
    if (trimmed === '') return undefined;
    const parts = trimmed.split('/');
    const bad = parts.find((p) => p === '' || p === '.' || p === '..' || p.includes('\0') || p.length > 255);
    if (bad !== undefined) {
      this.r.error(f, `"${v}" is not a cgroup path: no empty, "." or ".." components`);
      return undefined;
    }
    return { value: trimmed, field: f };
  }
}

/** The compose keys that say `res` (for `tscompose config`; loading them again gives `res`). */
export function renderResources(res: ServiceResources): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (res.nanoCpus !== undefined) out.cpus = res.nanoCpus / 1e9;
  if (res.cpuShares !== undefined) out.cpu_shares = res.cpuShares;
  if (res.cpuQuota !== undefined) out.cpu_quota = res.cpuQuota;
  if (res.cpuPeriod !== undefined) out.cpu_period = res.cpuPeriod;
  if (res.cpuset !== undefined) out.cpuset = res.cpuset;
  if (res.memory !== undefined) out.mem_limit = res.memory;
  if (res.memoryReservation !== undefined) out.mem_reservation = res.memoryReservation;
  if (res.memorySwap !== undefined) out.memswap_limit = res.memorySwap;
  if (res.pids !== undefined) out.pids_limit = res.pids;
  if (res.oomScoreAdj !== undefined) out.oom_score_adj = res.oomScoreAdj;
  if (res.blkioWeight !== undefined) out.blkio_config = { weight: res.blkioWeight };
  if (Object.keys(res.ulimits).length > 0) {
    out.ulimits = Object.fromEntries(Object.entries(res.ulimits).map(([k, u]) => [k, { soft: u.soft, hard: u.hard }]));
  }
  if (res.cgroupParent !== undefined) out.cgroup_parent = res.cgroupParent;
  return out;
}

/** Bytes in messages about two values that differ: exact. */
function formatBytesExact(n: number): string {
  const approx = formatBytes(n);
  return parseBytes(approx.replace('iB', '')) === n ? approx : `${n} bytes`;
}
