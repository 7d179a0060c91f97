/**
 * What full isolation means for one service, as data: the root filesystem,
 * its mounts (volumes, tmpfs, a fresh /tmp), the capability set, and the
 * paths hidden or made read-only (runc's and Docker's lists). Pure.
 */
import { effectiveCapabilities } from '../compose/capabilities';
import type { Project, ServiceSpec } from '../compose/types';
import type { DesiredVolume, LaunchIsolation, LaunchMount } from './model';
import { shortHash } from './names';

/** The host's root is the default lower layer. */
export const HOST_ROOT = '/';

/** Hidden from the container, as Docker does (unless privileged). */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Read-only in the container, as Docker does (unless privileged). */
export const READ_ONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Docker Compose's volume names: `name:` or `<project>_<key>`. */
export function desiredVolumes(project: Project): Record<string, DesiredVolume> {
  const out: Record<string, DesiredVolume> = {};
  for (const [key, v] of Object.entries(project.volumes ?? {})) {
    out[key] = { key, name: v.externalName ?? `${project.name}_${key}`, external: v.external };
  }
  return out;
}

const depth = (p: string) => p.split('/').filter(Boolean).length;

export function launchIsolation(svc: ServiceSpec, volumes: Record<string, DesiredVolume>): LaunchIsolation {
  const mounts: LaunchMount[] = (svc.mounts ?? []).map((m): LaunchMount => {
    switch (m.type) {
      case 'bind':
        return { type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly, propagation: m.propagation, recursive: m.recursive, createHostPath: m.createHostPath };
      case 'volume':
        if (m.source === undefined) return { type: 'anonymous', id: shortHash(m.target).slice(0, 12), target: m.target, readOnly: m.readOnly };
        return { type: 'volume', volume: volumes[m.source]!.name, target: m.target, readOnly: m.readOnly, ...(m.subpath ? { subpath: m.subpath } : {}) };
      case 'tmpfs':
        return {
          type: 'tmpfs',
          target: m.target,
          readOnly: m.readOnly,
          ...(m.size !== undefined ? { size: m.size } : {}),
          ...(m.mode !== undefined ? { mode: m.mode } : {}),
          exec: m.exec ?? true,
        };
    }
  });
  // A fresh /tmp, unless the file mounts something there.
  if (!mounts.some((m) => m.target === '/tmp')) mounts.push({ type: 'tmpfs', target: '/tmp', readOnly: false, mode: 0o1777, exec: true });
  // Parents before what is mounted inside them (stable otherwise).
  mounts.sort((a, b) => depth(a.target) - depth(b.target));
  const privileged = svc.privileged ?? false;
  return {
    rootfs: svc.rootfs ?? HOST_ROOT,
    readOnly: svc.readOnly ?? false,
    mounts,
    caps: effectiveCapabilities(svc.capAdd ?? [], svc.capDrop ?? [], privileged),
    privileged,
    init: svc.init ?? false,
  };
}
