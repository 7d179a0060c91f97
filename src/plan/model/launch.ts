/**
 * How a container's process is started: its argv and environment, its
 * namespaces, and its isolation (root filesystem, mounts, privileges).
 */

export type Namespace = 'mount' | 'uts' | 'ipc' | 'pid' | 'cgroup';

/** What every mount carries: where, and the mount flags policy chose (plan/isolation.ts). */
interface MountBase {
  target: string;
  readOnly: boolean;
  /** Device nodes on it cannot be opened (a node the container makes with CAP_MKNOD gives no way to the host's disks). */
  nodev: boolean;
  /** setuid bits and file capabilities on it are ignored. */
  nosuid: boolean;
}

/**
 * A mount of the container, as the shim makes it (plan/isolation.ts).
 * `populate` (volumes): when the volume is empty at a start, it first gets
 * what the image has at the target, as Docker copies it up.
 */
export type LaunchMount =
  | (MountBase & {
      type: 'bind';
      source: string;
      propagation: string;
      recursive: boolean;
      /** Make the source directory if it is missing. */
      createHostPath: boolean;
    })
  /** A named volume, by its real name (a directory of the volume store). */
  | (MountBase & { type: 'volume'; volume: string; subpath?: string; populate?: boolean })
  /** An anonymous volume: a directory of the container's own, gone with the container; `owner`: another container's (volumes_from). */
  | (MountBase & { type: 'anonymous'; id: string; populate?: boolean; owner?: string })
  | (MountBase & { type: 'tmpfs'; size?: number; mode: number; exec: boolean })
  /**
   * A secret or config: written into the container's state (a root-only
   * directory) at each start, owned and moded as asked, bind-mounted
   * read-only. From a host `file`, or text: a config's `content`, a
   * secret's `secretContent` (kept out of printed plans).
   */
  | (MountBase & { type: 'file'; name: string; uid: number; gid: number; mode: number; file?: string; content?: string; secretContent?: string });

/**
 * Full isolation: the root filesystem, mounts and privileges, the policy
 * complete (what the runtime applies, nothing it decides).
 */
/** A project quota on the container's writable layer (xfs prjquota). */
export interface StorageQuota {
  /** The hard limit, bytes. */
  bytes: number;
  /** The XFS project ID of the layer directory: the container keeps it across `up`s, unique across projects. */
  projectId: number;
}

export interface LaunchIsolation {
  /** Lower layer of the root overlay: "/" (the host's root), `x-rootfs`, or an image's top layer. */
  rootfs: string;
  /** An image's other layers, below `rootfs`, top first (shared by every container of the image). */
  lowers?: string[];
  readOnly: boolean;
  /** In mount order (parents first). */
  mounts: LaunchMount[];
  /** The capability set, by name. */
  caps: string[];
  privileged: boolean;
  init: boolean;
  /** `shm_size`: /dev/shm's size in bytes; absent: 64 MiB. */
  shmSize?: number;
  /** `storage_opt.size`: the writable layer's project quota (plan/storage-quota.ts); absent: unlimited. */
  storageQuota?: StorageQuota;
  /** `stdin_open`: the shim holds the container's stdin pipe open for its life. */
  stdinOpen?: true;
  /** `tty`: the shim gives the process a pseudo-terminal of its own (never the caller's) and relays it to `attach`. */
  tty?: true;
  /** Hidden from the container (kernel interfaces that leak the host or let it be tampered with). */
  maskedPaths: string[];
  /** Read-only in the container. */
  readOnlyPaths: string[];
  /** Also hide tscompose's state and volume stores (they show through when the host's root is the lower layer). */
  maskStores: boolean;
  /** /sys read-write (else read-only). */
  sysRw: boolean;
  /** Every host device node in a /dev without nodev (else the allowlist null, zero, full, random, urandom, tty). */
  allDevices: boolean;
  /** The device cgroup allowlist (`c 1:3 rwm` lines, plan/devices.ts); absent: no device cgroup (privileged, or the host cannot hold one). */
  devices?: string[];
  /** The root filesystem may hold device nodes (`device_cgroup_rules`: the device cgroup is the lock). */
  rootDevNodes?: boolean;
  /** no_new_privs: execve cannot gain privileges (setuid, file capabilities). */
  noNewPrivs: boolean;
  /** The seccomp filter (plan/seccomp.ts); absent: none (privileged, or seccomp=unconfined). */
  seccomp?: LaunchSeccomp;
  /** AppArmor profile and SELinux labels (plan/security-labels.ts); absent: none asked for, or the host has no such module. */
  lsm?: LaunchLsm;
}

/**
 * The Linux security module policy of a container (plan/security-labels.ts),
 * carried out by the shim (native/shim/lsm.c) and apply (SELinux relabels).
 */
export interface LaunchLsm {
  /** AppArmor profile the command (and everything `exec` runs) is confined by. */
  apparmor?: string;
  /** SELinux process label (`system_u:system_r:container_t:s0:c1,c2`). */
  processLabel?: string;
  /** SELinux label of the filesystems the shim makes (root overlay, tmpfs): `context=` of each mount. */
  mountLabel?: string;
  /** Bind sources relabeled (`security.selinux`, recursively) before the start: `:z` the shared label, `:Z` the private one. */
  relabel?: Array<{ source: string; label: string; flag: 'z' | 'Z' }>;
}

/** One seccomp rule: `action` (allow, errno:N, kill, kill_process, trap, log) for the syscalls, when every argument test holds. */
export interface SeccompRule {
  action: string;
  names: string[];
  args?: Array<{ index: number; op: 'ne' | 'lt' | 'le' | 'eq' | 'ge' | 'gt' | 'masked_eq'; value: number; valueTwo?: number }>;
}

export interface LaunchSeccomp {
  defaultAction: string;
  rules: SeccompRule[];
}

/** The image a container runs (`image:`), as its launch settings record it. */
export interface LaunchImage {
  /** Canonical reference. */
  name: string;
  /** The image ID: part of the settings' hash, so a new image recreates the container. */
  configDigest: string;
  /** The image's ExposedPorts (`80/tcp`): documentation, shown by `ps`. */
  exposedPorts?: string[];
  labels?: Record<string, string>;
  /** The image's Healthcheck (durations in nanoseconds), for the lifecycle to run. */
  healthcheck?: { test?: string[]; interval?: number; timeout?: number; startPeriod?: number; startInterval?: number; retries?: number };
}

export interface LaunchSettings {
  /** Set when the service runs an image. */
  image?: LaunchImage;
  /** Empty argv: the shim's built-in pause (a namespace holder). */
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  user?: { uid: number; gid: number };
  hostname: string;
  domainname?: string;
  namespaces: Namespace[];
  /** `pid: service:` / `ipc: service:`: namespaces joined from another container (its first replica's PID 1), instead of new ones. */
  join?: Array<{ namespace: 'pid' | 'ipc'; container: string }>;
  /** `group_add`, resolved to ids in the container's /etc/group: its supplementary groups. */
  groups?: number[];
  /** `net.*` ones are written in the network namespace, the IPC ones (kernel.shm*, fs.mqueue.*, …) in the container's ipc namespace. */
  sysctls: Record<string, string>;
  /** Absent only in journals written before isolation (the host's root). */
  isolation?: LaunchIsolation;
  /** `stop_signal` (default SIGTERM) and `stop_grace_period` (default 10 s, or `-t`). */
  stopSignal?: string;
  stopGraceSec?: number;
  /** `healthcheck` (or the image's), resolved (plan/health.ts): the shim runs it. */
  healthcheck?: LaunchHealthcheck;
  /** `restart`: the shim restarts the process when it exits (Docker's back-off); absent: never. */
  restart?: { policy: 'always' | 'on-failure' | 'unless-stopped'; maxRetries?: number; delayMs?: number; onUnhealthy?: true };
  /** The container's cgroup, relative to each hierarchy's root (see plan/cgroups.ts); absent: no cgroups on the host. */
  cgroup?: string;
  /** `ulimits`, by name; -1 is unlimited. */
  rlimits?: Record<string, { soft: number; hard: number }>;
  oomScoreAdj?: number;
  /** `logging`: absent is our log, unlimited (json-file); `none` keeps no log; maxSize/maxFiles rotate it (the shim does). */
  logging?: { driver: 'json-file' | 'local' | 'none'; maxSize?: number; maxFiles?: number };
  /** `post_start` / `pre_stop` (compose-spec hooks): run as `exec` runs a command (apply/hooks.ts). */
  hooks?: { postStart?: LaunchHook[]; preStop?: LaunchHook[] };
}

/** One hook: its argv and what it changes from the container's exec settings. */
export interface LaunchHook {
  argv: string[];
  /** As written; looked up in the container's own /etc/passwd when the hook runs. */
  user?: string;
  /** All capabilities (the container's seccomp filter stays). */
  privileged?: boolean;
  cwd?: string;
  env: Record<string, string>;
}

/** A healthcheck as the shim runs it: the argv (exec'd in the container, as `exec` does), in milliseconds. */
export interface LaunchHealthcheck {
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startIntervalMs: number;
}
