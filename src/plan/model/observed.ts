/**
 * `Observed`: what observe/ read from the machine (links, namespaces,
 * processes, our previous state), passed in so plan() stays pure.
 */
import type { CgroupRef, GeneratedFiles } from './desired';
import type { ProjectState } from './state';
import type { Qdisc } from '../shaping';

export interface ObservedAddress {
  address: string;
  prefixLen: number;
}

export interface ObservedLink {
  name: string;
  index: number;
  kind?: string;
  alias?: string;
  mtu?: number;
  mac?: string;
  up: boolean;
  /** Name of the master (bridge), if enslaved. */
  master?: string;
  /** For a veth: ifindex of its peer, in the peer's namespace. */
  peerIndex?: number;
  /** For a bridge port: hairpin mode. */
  hairpin?: boolean;
  addresses: ObservedAddress[];
}

export interface ObservedRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  /** 4 or 6 (absent: 4). */
  family?: 4 | 6;
  /** `static` marks the routes tscompose made from `x-routes`. */
  protocol?: string;
  metric?: number;
}

/** The root qdisc of a link, when it is one tscompose makes (tbf or netem). */
export interface ObservedQdisc {
  /** Link name. */
  dev: string;
  qdisc: Qdisc;
}

export interface ObservedNetns {
  name: string;
  links: ObservedLink[];
  routes: ObservedRoute[];
  /** The /run/netns entry exists but no namespace is behind it. */
  stale?: boolean;
  /** Root qdiscs tscompose could have made (tbf, netem), by link. */
  qdiscs?: ObservedQdisc[];
}

export interface ObservedContainer {
  name: string;
  /** The container's process is alive. */
  running: boolean;
  /** Its shim (parent, log carrier) is alive. */
  shimAlive: boolean;
  pid?: number;
  shimPid?: number;
  startedAt?: string;
  exit?: { exitCode: number; signal: string | null; finishedAt: string };
  /** The generated files as they are now (undefined: missing). */
  files: Partial<GeneratedFiles>;
  /** Its last run was killed by the memory controller (the shim's `oom_kills`). */
  oomKilled?: boolean;
  /** Not running, but its shim waits out a restart back-off: it will run again by itself. */
  restarting?: boolean;
  /** Times its restart policy started it again. */
  restartCount?: number;
  /** What its healthcheck says, while it runs (Docker's State.Health). */
  health?: ContainerHealth;
}

export interface ContainerHealth {
  status: 'starting' | 'healthy' | 'unhealthy';
  failingStreak: number;
  /** The last results, oldest first; exitCode -1: timed out. */
  log: Array<{ start: string; end: string; exitCode: number; output: string }>;
}

/** The cgroup side of the machine (observe/cgroups.ts). */
export interface ObservedCgroups {
  /** `v1`, `v2`, `hybrid` (v1 controllers with a cgroup2 mount), or `none`. */
  layout: 'v1' | 'v2' | 'hybrid' | 'none';
  /** Every container cgroup of this project that exists (under the hierarchy roots and the cgroup_parents we know of). */
  existing: CgroupRef[];
  /** Online CPUs of the host (`0-1` as numbers). */
  cpus: number[];
  /** The hard rlimits tscompose runs with, by ulimit name (-1 unlimited). */
  hardLimits: Record<string, number>;
  /** CAP_SYS_RESOURCE: rlimits may go above the hard limits, oom_score_adj below ours. */
  sysResource: boolean;
  /** A device allowlist can be enforced: a v1 devices hierarchy, or cgroup2 and a kernel that loads cgroup device programs. */
  devices?: boolean;
  /** Our own oom_score_adj: the lowest a container may get without CAP_SYS_RESOURCE. */
  oomScoreAdj: number;
  /** What the cgroups below each cgroup_parent ('' the root) can enforce; a parent absent here: assume everything. */
  support?: Record<string, CgroupSupport>;
}

/** Which kinds of limit a host's cgroups can enforce, from the files they have (which files: plan/cgroup-support.ts). */
export type CgroupSupport = Record<'cpuShares' | 'cpuQuota' | 'cpuset' | 'memory' | 'memoryReservation' | 'memorySwap' | 'pids' | 'blkioWeight' | 'memorySwappiness' | 'oomControl', boolean>;

export interface OtherProject {
  project: string;
  subnets: string[];
  /** Host ports it publishes ("tcp 0.0.0.0 8080"). */
  ports?: string[];
  /** Addresses its containers use, by bridge name (for shared external bridges). */
  addresses: Array<{ bridge: string; address: string; container?: string }>;
  /** Its containers' IPv6 addresses, by bridge name (a joiner's allocation must not collide with them). */
  addresses6?: Array<{ bridge: string; address: string; container?: string }>;
  /**
   * Its own bridged networks, by name (`PROJECT_KEY` or `name:`), which other
   * projects may join as `external: true`, with the families its journal
   * gives them (no `subnet`: IPv6-only; `subnet6`: dual-stack or IPv6-only).
   */
  networks?: Array<{ name: string; bridge: string; subnet?: string; gateway?: string; subnet6?: string; gateway6?: string }>;
  /** Only a network-only record is left of it (its `down` kept networks other projects still use). */
  keptOnly?: true;
  /** Its journal names the machine's default bridge (plan/shared-bridge.ts). */
  sharedBridge?: boolean;
  /** XFS project IDs its containers' writable layers hold (plan/storage-quota.ts). */
  projectIds?: number[];
}

/** The filesystem the writable layers are on (sys/layer-quota.ts). */
export interface LayerFs {
  /** Its mount point. */
  mount: string;
  fstype: string;
  /** Project quotas are enforced there (xfs `prjquota`/`pquota`). */
  prjquota: boolean;
}

/** A socket of the host holding a port (listening TCP, any UDP), which a published port would hide. */
export interface HostSocket {
  protocol: 'tcp' | 'udp';
  family: 4 | 6;
  /** Absent: the wildcard address (an IPv6 one takes IPv4 too, unless IPV6_V6ONLY: taken as it does). */
  ip?: string;
  port: number;
  inode: number;
}

export interface Observed {
  /** All links of the host namespace (external bridges, name conflicts, our marks). */
  hostLinks: ObservedLink[];
  /** Main-table routes of the host, for subnet overlap checks. */
  hostRoutes: ObservedRoute[];
  /** Our project's namespaces (by /run/netns name). */
  netns: Record<string, ObservedNetns>;
  /** Our project's containers (by name), from their state directories. */
  containers: Record<string, ObservedContainer>;
  /** The journal, if the project was brought up before. */
  state?: ProjectState;
  otherProjects: OtherProject[];
  /** The host's sockets holding ports (absent: not read, e.g. in unit tests). */
  hostSockets?: HostSocket[];
  /** Host facts the generated files and user lookup need. */
  host: {
    resolvConf: string;
    passwd: string;
    group: string;
    /** The host's name (`uts: host` containers see it). */
    hostname?: string;
    /** `$HOME` and `$SUDO_USER` of tscompose: their homes are never relabeled (plan/security-labels.ts). */
    home?: string;
    sudoUser?: string;
  };
  /** Our nftables tables, foreign chains that drop, our rules in them (absent: not read, e.g. in unit tests). */
  firewall?: ObservedFirewall;
  /** Current values of the sysctls we manage (`net.ipv4.ip_forward`, `net.ipv4.conf.BRIDGE.route_localnet`, …). */
  sysctls?: Record<string, string>;
  /** The project's DNS server: alive, and the configuration it runs with. */
  /** `ready`: it answers on every address of its configuration (a server left by a killed `up` may still be waiting for them). */
  dns?: { running: boolean; ready?: boolean; config?: string };
  /** cgroup layout, our cgroups, and the host limits resource keys are checked against; absent: as `none`. */
  cgroups?: ObservedCgroups;
  /** /etc/passwd and /etc/group of each `x-rootfs` directory (read inside it); absent: unreadable. */
  rootfsUsers?: Record<string, { passwd: string; group: string }>;
  /** The host nodes `devices:` names, by path (plan/devices.ts). */
  hostDevices?: Record<string, HostDevice>;
  /** Names of the volumes in the volume store. */
  volumes?: string[];
  /** The images the file names that are in the image store, by canonical name (absent: not pulled). */
  images?: Record<string, ObservedImage>;
  /** Root qdiscs (tbf, netem) on host links: the bridge ports of shaped attachments. */
  hostQdiscs?: ObservedQdisc[];
  /** What the kernel can do, when it was probed (absent: assume it can). */
  /**
   * `apparmor`, `selinux`: the security module can label a process here (security_opt apparmor=, label=, `:z`/`:Z`;
   * plan/security-labels.ts); `apparmorProfiles`: the names of the loaded AppArmor profiles (absent: not read).
   */
  /** Where the containers' writable layers live (`storage_opt.size`); absent: not read (unit tests), assumed able. */
  layerFs?: LayerFs & { dir: string };
  kernel?: { netem?: boolean; ipvlan?: boolean; dummy?: boolean; selinuxEnforcing?: boolean; apparmor?: boolean; selinux?: boolean; apparmorProfiles?: string[] };
}

export interface ObservedFirewall {
  /** The `nft` program ran (false: nftables is not installed). */
  available: boolean;
  /** Our tables: chain name → number of rules. */
  tables: Array<{ family: string; name: string; chains: Record<string, number> }>;
  /** Base chains of other tables at the input/forward hooks that drop what they do not accept. */
  drops: ForeignDrop[];
  /** Our rules inside other tables (comment `tscompose:PROJECT:ID`). */
  inserted: Array<{ family: string; table: string; chain: string; handle: number; comment: string }>;
}

export interface ForeignDrop {
  family: string;
  table: string;
  chain: string;
  hook: 'forward' | 'input';
  /** `policy drop`, or `ends with reject` (firewalld). */
  why: string;
}

/**
 * What a container runs with, from the image's config (OCI image-spec
 * `config`; Docker's field names in camel case). Absent: the image sets none.
 */
export interface ImageRunConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** `KEY=value`, in order. */
  env?: string[];
  workingDir?: string;
  user?: string;
  /** `80/tcp`, `53/udp`. */
  exposedPorts?: string[];
  stopSignal?: string;
  labels?: Record<string, string>;
  /** Paths that get an anonymous volume. */
  volumes?: string[];
  /** Docker's `Healthcheck`, as the image gives it (durations in nanoseconds). */
  healthcheck?: { test?: string[]; interval?: number; timeout?: number; startPeriod?: number; startInterval?: number; retries?: number };
}

/** An image in the store, as the planner needs it. */
export interface ObservedImage {
  /** Canonical reference. */
  name: string;
  manifestDigest: string;
  /** The image ID. */
  configDigest: string;
  /** Its unpacked layers (overlay lowerdirs), top first. */
  layerDirs: string[];
  config: ImageRunConfig;
  /** /etc/passwd and /etc/group of its root filesystem (the topmost layer that has them; empty when none). */
  passwd: string;
  group: string;
  /** When it was pulled (ISO 8601): `pull_policy: daily` and the like compare against it. */
  pulledAt: string;
}

/** A host device node as observe/ found it (stat), or why it is not one. */
export type HostDevice = { type: 'b' | 'c'; major: number; minor: number } | { error: string };
