/**
 * SELinux labels of a container, built as container-selinux and
 * go-selinux's `label.InitLabels` build them (Docker and podman alike):
 *
 *  - process `system_u:system_r:container_t:s0:cX,cY` and mount (file)
 *    label `system_u:object_r:container_file_t:s0:cX,cY`, with the same
 *    MCS category pair, different for each container;
 *  - `label=user:U`, `role:R`, `type:T`, `level:L` replace that field of the
 *    process label (`user` and `level` the mount label's too), `filetype:T`
 *    the mount label's type;
 *  - `label=disable`: no process label (the container runs as tscompose
 *    does), the shared mount label (level s0);
 *  - `label=nested` (podman): the container may see and use SELinux; it
 *    changes no label (tscompose hides nothing of /sys/fs/selinux).
 *
 * Pure: the category pair comes from a hash of the container's name (and
 * the journal keeps it: plan/security-labels.ts reuses a recorded one).
 */
import { shortHash } from './names';

export const PROCESS_LABEL = 'system_u:system_r:container_t:s0';
export const FILE_LABEL = 'system_u:object_r:container_file_t:s0';
/** container-selinux's categories: c0…c1023. */
const CATEGORIES = 1024;

/** `user:role:type:level` (level may hold ':' itself: `s0:c1,c2`). */
export interface Context {
  user: string;
  role: string;
  type: string;
  level: string;
}

export function parseContext(label: string): Context | undefined {
  const m = /^([^:]+):([^:]+):([^:]+):(.+)$/.exec(label);
  return m ? { user: m[1]!, role: m[2]!, type: m[3]!, level: m[4]! } : undefined;
}

export function formatContext(c: Context): string {
  return `${c.user}:${c.role}:${c.type}:${c.level}`;
}

/**
 * The MCS level `s0:cX,cY` (X < Y) for SEED, avoiding the pairs in TAKEN
 * (other containers' levels): the next candidate hash on a clash.
 */
export function mcsLevel(seed: string, taken: ReadonlySet<string>): string {
  for (let n = 0; ; n++) {
    const h = shortHash('selinux-mcs', seed, String(n));
    const a = parseInt(h.slice(0, 8), 16) % CATEGORIES;
    const b = parseInt(h.slice(8, 16), 16) % CATEGORIES;
    if (a === b) continue;
    const level = `s0:c${Math.min(a, b)},c${Math.max(a, b)}`;
    if (!taken.has(level)) return level;
  }
}

export interface ContainerLabels {
  /** Absent: `label=disable` (no process label). */
  processLabel?: string;
  mountLabel: string;
}

/** The labels for the `label=` OPTIONS (validated by compose/security-opt.ts) at the MCS LEVEL. */
export function containerLabels(options: readonly string[], level: string): ContainerLabels {
  if (options.includes('disable')) return { mountLabel: FILE_LABEL };
  const proc = { ...parseContext(PROCESS_LABEL)!, level };
  const file = { ...parseContext(FILE_LABEL)!, level };
  for (const opt of options) {
    const i = opt.indexOf(':');
    if (i < 0) continue; // nested
    const key = opt.slice(0, i);
    const value = opt.slice(i + 1);
    if (key === 'filetype') file.type = value;
    else if (key === 'user' || key === 'role' || key === 'type' || key === 'level') {
      proc[key] = value;
      if (key === 'user' || key === 'level') file[key] = value;
    }
  }
  return { processLabel: formatContext(proc), mountLabel: formatContext(file) };
}

/** `:z`: the mount label shared by every container (its level without categories: s0). */
export function sharedLabel(mountLabel: string): string {
  const c = parseContext(mountLabel);
  return c ? formatContext({ ...c, level: 's0' }) : mountLabel;
}

/**
 * Paths go-selinux's `label.Relabel` refuses to relabel (Docker and podman
 * refuse `:z`/`:Z` on them): the system's own directories and the
 * invoking user's home.
 */
export const NO_RELABEL = ['/', '/bin', '/boot', '/dev', '/etc', '/etc/passwd', '/etc/pki', '/etc/shadow', '/home', '/lib', '/lib64', '/media', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var', '/var/lib', '/var/log'];

/** SOURCE is a system directory, or one of HOMES (tscompose's invoker's). */
export function relabelRefused(source: string, homes: readonly string[] = []): boolean {
  const trim = (s: string) => (s === '/' ? '/' : s.replace(/\/+$/, ''));
  const p = trim(source);
  return NO_RELABEL.includes(p) || homes.some((h) => trim(h) === p);
}
