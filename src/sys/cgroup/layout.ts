/**
 * Which cgroup hierarchies the host has, from /proc/self/mountinfo:
 *
 *   v2      one cgroup2 mount (the unified hierarchy), no v1 controllers
 *   v1      v1 controller hierarchies (cpu, memory, … possibly co-mounted)
 *   hybrid  both: v1 controllers plus a cgroup2 mount, usually
 *           /sys/fs/cgroup/unified, that systemd uses to track processes
 *   none    neither
 *
 * Pure: `parseLayout` takes the text of mountinfo.
 */

/** The v1 controllers tscompose uses: limits (cpu, cpuset, memory, pids, blkio), CPU accounting (cpuacct), `pause` (freezer) and the device allowlist (devices). */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio', 'freezer', 'devices'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface CgroupLayout {
  kind: 'v1' | 'v2' | 'hybrid' | 'none';
  /** v1: the mount point of each controller we use (co-mounted ones share a directory). */
  v1: Partial<Record<V1Controller, string>>;
  /** The cgroup2 mount point. */
  v2?: string;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseLayout(mountinfo: string): CgroupLayout {
  // Later mounts on the same point hide earlier ones.
  const byMountPoint = new Map<string, { fstype: string; options: string[] }>();
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const mountPoint = left[4];
    const fstype = right[0];
    if (!mountPoint || (fstype !== 'cgroup' && fstype !== 'cgroup2')) {
      if (mountPoint) byMountPoint.delete(unescape(mountPoint));
      continue;
    }
    byMountPoint.set(unescape(mountPoint), { fstype, options: (right[2] ?? '').split(',') });
  }
  const layout: CgroupLayout = { kind: 'none', v1: {} };
  const preferred = (a: string | undefined, b: string) => (a === undefined || (!a.startsWith('/sys/fs/cgroup/') && b.startsWith('/sys/fs/cgroup/')) ? b : a);
  for (const [mountPoint, m] of byMountPoint) {
    if (m.fstype === 'cgroup2') {
      layout.v2 = preferred(layout.v2, mountPoint);
      continue;
    }
    for (const c of V1_CONTROLLERS) if (m.options.includes(c)) layout.v1[c] = preferred(layout.v1[c], mountPoint);
  }
  const hasV1 = Object.keys(layout.v1).length > 0;
  layout.kind = hasV1 && layout.v2 ? 'hybrid' : hasV1 ? 'v1' : layout.v2 ? 'v2' : 'none';
  return layout;
}
