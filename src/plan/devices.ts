/**
 * A container's devices, as policy. Pure: the host's device numbers come
 * from observe/ (Observed.hostDevices).
 *
 * - The device cgroup: every unprivileged container gets Docker's default
 *   allowlist (moby daemon/oci_linux.go, runc's AllowedDevices): make any
 *   node (`m`), use the harmless ones (null, zero, full, random, urandom,
 *   tty, console, ptmx, pts, tun). `devices:` and `device_cgroup_rules`
 *   add to it. Privileged: no device cgroup (every device, as Docker).
 * - Two locks, not one: besides the cgroup, /dev is an allowlist of bind
 *   mounts and every other mount is `nodev` (plan/isolation.ts). Only
 *   `device_cgroup_rules` opens the second lock (the rules are for nodes the
 *   container makes itself, as in Docker's dev-capable root), and only
 *   where the cgroup enforces them.
 * - `devices:` are bind mounts of the host's node at the target (not
 *   mknod: the node is exactly the host's, and the bind mount is its own
 *   dev-capable mount inside a nodev /dev).
 * - Where the host has no v1 devices hierarchy (cgroup v2), the same rules
 *   are an eBPF device program on the container's cgroup2 directory
 *   (sys/cgroup/device-filter.ts). A host that has neither (a kernel without
 *   CONFIG_CGROUP_BPF) gets a warning; both nodev locks stay and
 *   `device_cgroup_rules` is discarded.
 */
import type { SpecIssue } from '../errors';
import type { Project, ServiceSpec } from '../compose/types';
import type { LaunchMount, Observed } from './model';

export type { HostDevice } from './model';

/** Docker's default device cgroup allowlist, in its order. */
export const DEFAULT_DEVICE_RULES: readonly string[] = [
  'c *:* m', // mknod of any character device (opening it is another matter)
  'b *:* m', // and of any block device
  'c 1:3 rwm', // /dev/null
  'c 1:5 rwm', // /dev/zero
  'c 1:7 rwm', // /dev/full
  'c 1:8 rwm', // /dev/random
  'c 1:9 rwm', // /dev/urandom
  'c 5:0 rwm', // /dev/tty
  'c 5:1 rwm', // /dev/console
  'c 5:2 rwm', // /dev/ptmx
  'c 136:* rwm', // /dev/pts/*
  'c 10:200 rwm', // /dev/net/tun
];

export interface DevicePolicy {
  /** The device cgroup allowlist, `c 1:3 rwm` lines; absent: no device cgroup (privileged, or this host cannot enforce one). */
  rules?: string[];
  /** `devices:`: bind mounts of the host's nodes. */
  mounts: LaunchMount[];
  /** The root filesystem and the file's mounts may hold device nodes (`device_cgroup_rules`, enforced). */
  devNodes: boolean;
}

/** Whether the host's cgroups can hold a device allowlist: a v1 devices hierarchy (unknown host: assume so). */
export function deviceCgroupEnforced(observed: Observed): boolean {
  return observed.cgroups === undefined || observed.cgroups.devices === true;
}

export interface DeviceContext {
  observed: Observed;
  /** The container has a cgroup (else there is nothing to hold the rules). */
  hasCgroup: boolean;
  issue: (key: string, message: string) => SpecIssue;
  /** Errors: the file cannot be realised. */
  problems: SpecIssue[];
  /** Warnings: what this host cannot enforce, left out. */
  warnings: SpecIssue[];
}

function deviceMounts(svc: ServiceSpec, ctx: DeviceContext): { mounts: LaunchMount[]; rules: string[] } {
  const mounts: LaunchMount[] = [];
  const rules: string[] = [];
  for (const d of svc.devices ?? []) {
    const host = ctx.observed.hostDevices?.[d.source];
    if (host && 'error' in host) {
      ctx.problems.push(ctx.issue('devices', `${d.source}: ${host.error}`));
      continue;
    }
    if (host) rules.push(`${host.type} ${host.major}:${host.minor} ${d.permissions}`);
    // readOnly has no say on a device node (permissions do): the mount is as the host's /dev.
    mounts.push({ type: 'bind', source: d.source, target: d.target, readOnly: false, propagation: 'rprivate', recursive: false, createHostPath: false, nodev: false, nosuid: true });
  }
  return { mounts, rules };
}

export function devicePolicy(svc: ServiceSpec, ctx: DeviceContext): DevicePolicy {
  const { mounts, rules: deviceRules } = deviceMounts(svc, ctx);
  if (svc.privileged) return { mounts, devNodes: true };
  const known = ctx.observed.cgroups !== undefined;
  if (!ctx.hasCgroup || !deviceCgroupEnforced(ctx.observed)) {
    const why = !ctx.hasCgroup
      ? 'this host has no cgroup hierarchy mounted'
      : 'this host cannot enforce a device allowlist (no v1 devices hierarchy, and the kernel cannot load a cgroup device program: CONFIG_CGROUP_BPF)';
    if (known && svc.deviceCgroupRules?.length) ctx.warnings.push(ctx.issue('device_cgroup_rules', `${why}: device_cgroup_rules discarded (nodes the container makes still cannot be opened: every mount is nodev)`));
    if (known && svc.devices?.some((d) => d.permissions !== 'rwm')) ctx.warnings.push(ctx.issue('devices', `${why}: device permissions discarded (the devices are usable rwm)`));
    return { mounts, devNodes: false };
  }
  const rules = [...DEFAULT_DEVICE_RULES];
  for (const r of [...deviceRules, ...(svc.deviceCgroupRules ?? [])]) if (!rules.includes(r)) rules.push(r);
  return { rules, mounts, devNodes: !!svc.deviceCgroupRules?.length };
}

/** One warning per project when no container of it gets a device cgroup on a host that cannot hold one (never silent, never 100 times). */
export function deviceCgroupWarning(observed: Observed, services: ServiceSpec[], at: (svc: ServiceSpec) => Omit<SpecIssue, 'message'>): SpecIssue | undefined {
  if (observed.cgroups === undefined || deviceCgroupEnforced(observed)) return undefined;
  const first = services.find((s) => !s.privileged);
  if (!first) return undefined;
  return {
    ...at(first),
    message:
      'this host has neither a v1 devices hierarchy nor a kernel that loads cgroup device programs (CONFIG_CGROUP_BPF): containers get no device cgroup (their /dev is still an allowlist and every other mount nodev, so a node they make cannot be opened)',
  };
}

/** The host paths the file's `devices:` name (what observe/ must stat). */
export function devicePaths(project: Project): string[] {
  return [...new Set(Object.values(project.services).flatMap((s) => (s.devices ?? []).map((d) => d.source)))].sort();
}
