/**
 * What full isolation means for one service, as data: the root filesystem,
 * its mounts (volumes, tmpfs, a fresh /tmp) and their flags, the capability
 * set, the paths hidden or made read-only (runc's and Docker's lists), and
 * what `privileged` opens. The whole policy is decided here, so that
 * `plan --json` shows it; apply/handlers/isolation.ts only translates it
 * into the shim's options. Pure.
 */
import { CAPABILITIES } from '../linux/capabilities';
import type { ServiceFile, ServiceMount, Project, ServiceSpec } from '../compose/types';
import type { DevicePolicy } from './devices';
import type { HostSecrets } from './host-secrets';
import type { DesiredVolume, LaunchIsolation, LaunchMount } from './model';
import { shortHash } from './names';
import { seccompFor } from './seccomp';

/** The host's root is the default lower layer. */
export const HOST_ROOT = '/';

/** Hidden from the container, as Docker does (unless privileged). */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
  '/sys/devices/virtual/powercap',
  // Docker since 2025 (GHSA-6fw5-f8r9-fgfm): interrupt counts and thermal
  // throttle counters leak what other tenants run. A pattern: the shim
  // expands `*` inside the container's root.
  '/proc/interrupts', '/sys/devices/system/cpu/cpu*/thermal_throttle',
];

/** Read-only in the container, as Docker does (unless privileged). */
export const READ_ONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Docker's default capability set (moby oci/caps/defaults.go): 14 capabilities. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP',
  'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/** A tmpfs's mode when the file gives none (Docker's). */
const TMPFS_MODE = 0o1777;

/**
 * The effective set, with Docker's rules: `cap_add: [ALL]` gives every
 * capability but those dropped; `cap_drop: [ALL]` gives exactly `cap_add`;
 * otherwise the defaults minus `cap_drop` plus `cap_add`. Sorted by number.
 */
export function effectiveCapabilities(add: readonly string[], drop: readonly string[], privileged: boolean): string[] {
  let set: Set<string>;
  if (privileged) set = new Set(CAPABILITIES);
  else if (add.includes('ALL')) set = new Set(CAPABILITIES.filter((c) => !drop.includes(c)));
  else if (drop.includes('ALL')) set = new Set(add);
  else set = new Set([...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add]);
  return CAPABILITIES.filter((c) => set.has(c));
}

/** Docker Compose's volume names: `name:` or `<project>_<key>`. */
export function desiredVolumes(project: Project): Record<string, DesiredVolume> {
  const out: Record<string, DesiredVolume> = {};
  for (const [key, v] of Object.entries(project.volumes ?? {})) {
    out[key] = { key, name: v.externalName ?? `${project.name}_${key}`, external: v.external };
  }
  return out;
}

const depth = (p: string) => p.split('/').filter(Boolean).length;

/**
 * One mount of the file with its flags. `nodev` on every mount unless
 * privileged or `device_cgroup_rules` (`devNodes`: the device cgroup is then
 * the lock): a device node the container makes (CAP_MKNOD) can then be
 * opened only in /dev's allowlist. A tmpfs of the file is always nosuid and
 * nodev (Docker's tmpfs default).
 */
export function launchMount(m: ServiceMount, volumes: Record<string, DesiredVolume>, devNodes: boolean, fromImage = false): LaunchMount {
  const flags = { nodev: !devNodes, nosuid: false };
  // Docker's copy-up: an image's content fills an empty, writable volume (not with nocopy, nor a subpath).
  const populate = fromImage && m.type === 'volume' && !m.readOnly && !m.nocopy && !m.subpath ? { populate: true } : {};
  switch (m.type) {
    case 'bind':
      return { type: 'bind', source: m.source, target: m.target, readOnly: m.readOnly, propagation: m.propagation, recursive: m.recursive, createHostPath: m.createHostPath, ...flags };
    case 'volume':
      if (m.source === undefined) return { type: 'anonymous', id: shortHash(m.target).slice(0, 12), target: m.target, readOnly: m.readOnly, ...populate, ...flags };
      return { type: 'volume', volume: volumes[m.source]!.name, target: m.target, readOnly: m.readOnly, ...(m.subpath ? { subpath: m.subpath } : {}), ...populate, ...flags };
    case 'tmpfs':
      return {
        type: 'tmpfs',
        target: m.target,
        readOnly: m.readOnly,
        ...(m.size !== undefined ? { size: m.size } : {}),
        mode: m.mode ?? TMPFS_MODE,
        exec: m.exec ?? true,
        nodev: true,
        nosuid: true,
      };
  }
}

function fileMount(f: ServiceFile): LaunchMount {
  const text = 'content' in f.source ? f.source.content : undefined;
  return {
    type: 'file',
    name: `${f.kind}-${f.name}`,
    target: f.target,
    readOnly: true,
    nodev: true,
    nosuid: true,
    uid: f.uid,
    gid: f.gid,
    mode: f.mode,
    ...('file' in f.source ? { file: f.source.file } : f.kind === 'secret' ? { secretContent: text! } : { content: text! }),
  };
}

/** An image's part of the isolation: its layers (top first) and the paths its config gives a volume. */
export interface ImageRoot {
  layerDirs: string[];
  volumes: string[];
}

const NO_DEVICES: DevicePolicy = { mounts: [], devNodes: false };
const NO_SECRETS: HostSecrets = { masks: [], mounts: [], unknown: [] };

/** What policy modules decided beside this one (plan/devices.ts, plan/host-secrets.ts). */
export interface IsolationParts {
  devices?: DevicePolicy;
  secrets?: HostSecrets;
  /** `volumes_from` (plan/volumes-from.ts), given the devNodes policy decided here. */
  volumesFrom?: (devNodes: boolean) => LaunchMount[];
}

export function launchIsolation(svc: ServiceSpec, volumes: Record<string, DesiredVolume>, image?: ImageRoot, parts: IsolationParts = {}): LaunchIsolation {
  const { devices = NO_DEVICES, secrets = NO_SECRETS } = parts;
  const privileged = svc.privileged ?? false;
  const devNodes = privileged || devices.devNodes;
  const mounts = (svc.mounts ?? []).map((m) => launchMount(m, volumes, devNodes, !!image));
  // The image's VOLUMEs: an anonymous volume each (as `docker run` without -v), filled from the image.
  for (const target of image?.volumes ?? []) mounts.push(launchMount({ type: 'volume', target, readOnly: false }, volumes, devNodes, true));
  // Secrets and configs: read-only files, never device nodes or setuid.
  for (const f of svc.files ?? []) mounts.push(fileMount(f));
  // `devices:`: the host's nodes, bound (plan/devices.ts); the host's /root and /home, emptied (plan/host-secrets.ts).
  mounts.push(...devices.mounts, ...secrets.mounts);
  // `volumes_from`: the other services' volumes (the targets this one mounts itself excluded).
  for (const m of parts.volumesFrom?.(devNodes) ?? []) if (!mounts.some((x) => x.target === m.target)) mounts.push(m);
  // ipc: host: the host's /dev/shm too (POSIX shared memory, as Docker binds it), over the container's own.
  if (svc.process?.ipc?.kind === 'host' && !mounts.some((m) => m.target === '/dev/shm')) {
    // Equivalent to: mount --bind /dev/shm ROOT/dev/shm
    mounts.push({ type: 'bind', source: '/dev/shm', target: '/dev/shm', readOnly: false, nodev: true, nosuid: true, propagation: 'rprivate', recursive: false, createHostPath: false });
  }
  // A fresh /tmp, unless the file mounts something there (dev-capable with device_cgroup_rules, as the root).
  if (!mounts.some((m) => m.target === '/tmp')) {
    const tmp = launchMount({ type: 'tmpfs', target: '/tmp', readOnly: false, exec: true }, volumes, devNodes);
    mounts.push(devNodes && !privileged ? { ...tmp, nodev: false } : tmp);
  }
  // Parents before what is mounted inside them (stable otherwise).
  mounts.sort((a, b) => depth(a.target) - depth(b.target));
  // An image: its layers are the overlay's lower layers, shared read-only by every container of it.
  const [rootfs = svc.rootfs ?? HOST_ROOT, ...lowers] = image?.layerDirs ?? [];
  const caps = effectiveCapabilities(svc.capAdd ?? [], svc.capDrop ?? [], privileged);
  const seccomp = seccompFor(svc.seccomp, caps, privileged);
  return {
    rootfs,
    ...(lowers.length ? { lowers } : {}),
    readOnly: svc.readOnly ?? false,
    mounts,
    caps,
    privileged,
    init: svc.init ?? false,
    ...(svc.process?.shmSize !== undefined ? { shmSize: svc.process.shmSize } : {}),
    ...(svc.stdinOpen ? { stdinOpen: true as const } : {}),
    ...(svc.tty ? { tty: true as const } : {}),
    // privileged (as Docker): nothing hidden or read-only, /sys writable, every device, privileges may be gained.
    maskedPaths: [...(privileged ? [] : MASKED_PATHS), ...secrets.masks],
    readOnlyPaths: privileged ? [] : [...READ_ONLY_PATHS],
    // With the host's root as the lower layer, the state and volume stores
    // would show through: other containers' files, logs and volumes.
    maskStores: rootfs === HOST_ROOT,
    sysRw: privileged,
    allDevices: privileged,
    ...(devices.rules ? { devices: devices.rules } : {}),
    ...(devices.devNodes && !privileged ? { rootDevNodes: true } : {}),
    // Ours by default (Docker's is off); security_opt no-new-privileges decides when written.
    noNewPrivs: svc.noNewPrivileges ?? !privileged,
    ...(seccomp ? { seccomp } : {}),
  };
}
