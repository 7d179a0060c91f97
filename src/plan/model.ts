/**
 * The three shapes the planner works with, all plain data:
 *  - `Desired`: the compose file resolved into concrete kernel objects
 *    (names, addresses, MACs, file contents, process launch settings);
 *  - `Observed`: what observe/ read from the machine (links, namespaces,
 *    processes, our previous state), passed in so plan() stays pure;
 *  - `ProjectState`: the journal under /run/tscompose/<project>/state.json.
 */
import type { PortProtocol, ServiceResources, SourceMap } from '../compose/types';
import type { SpecIssue } from '../errors';
import type { DnsConfig } from './dns';
import type { ObservedFirewall } from './firewall';
import type { Qdisc } from './shaping';

export type Namespace = 'mount' | 'uts' | 'ipc' | 'pid' | 'cgroup';

export interface DesiredNetwork {
  /** Key in the compose file's `networks:`. */
  key: string;
  /** Display name, as Docker Compose prints it: `PROJECT_NETWORK`. */
  displayName: string;
  bridge: string;
  /** false for `external: true` networks: we attach to them, never create or delete them. */
  managed: boolean;
  internal: boolean;
  mtu: number;
  /** Fixed bridge MAC (managed bridges). */
  mac?: string;
  subnet: string;
  prefixLen: number;
  gateway: string;
  /** ifalias ownership mark. */
  alias: string;
  /** `enable_ipv6`: the IPv6 subnet and the bridge's IPv6 gateway. */
  ipv6?: { subnet: string; prefixLen: number; gateway: string };
  /** Masquerade traffic from this subnet that leaves the host (not for internal networks). */
  masquerade: boolean;
  /** Containers of this bridge may talk to each other (`enable_icc`). */
  icc: boolean;
  /** `host_binding_ipv4`: where its containers' ports are published when they name no address. */
  hostBindingIpv4?: string;
}

export interface DesiredInterface {
  network: string;
  /** Name inside the container (`eth0`, or `interface_name`). */
  ifname: string;
  /** Host end of the veth. */
  hostVeth: string;
  bridge: string;
  mac: string;
  mtu: number;
  address: string;
  prefixLen: number;
  gateway: string;
  /** ifalias mark of the host end. */
  alias: string;
  /** IPv6 address, prefix length and gateway (networks with enable_ipv6). */
  address6?: string;
  prefixLen6?: number;
  gateway6?: string;
  /** `x-netem` of the attachment: the root qdisc of both ends. */
  shaping?: Qdisc;
}

/** One end of a p2p link: a veth end inside a container's namespace. */
export interface DesiredLinkEnd {
  container: string;
  /** /run/netns name. */
  netns: string;
  ifname: string;
  mac: string;
  mtu: number;
  /** IPv4 and IPv6 addresses (none: an unnumbered link). */
  addresses: Array<{ address: string; prefixLen: number }>;
  /** Root qdisc shaping what leaves this end. */
  shaping?: Qdisc;
}

/** A `driver: p2p` network: a veth pair whose two ends live in two containers. */
export interface DesiredLink {
  /** Key in the compose file's `networks:` (for x-links: `r1:eth1--r2:eth1`). */
  key: string;
  /** ifalias mark of both ends. */
  alias: string;
  ends: [DesiredLinkEnd, DesiredLinkEnd];
}

/** An `x-routes` entry, resolved to an interface. */
export interface DesiredRoute {
  /** `default` or a CIDR. */
  dst: string;
  family: 4 | 6;
  via?: string;
  ifname: string;
  metric?: number;
}

export type NetnsPlacement =
  /** Its own namespace under /run/netns (bridged networks, or `network_mode: none`). */
  | { kind: 'own'; name: string }
  /** `network_mode: host`. */
  | { kind: 'host' }
  /** `network_mode: service:X`: the namespace of another container. */
  | { kind: 'container'; container: string; name: string };

/** A mount of the container, as the shim makes it (plan/isolation.ts). */
export type LaunchMount =
  | {
      type: 'bind';
      source: string;
      target: string;
      readOnly: boolean;
      propagation: string;
      recursive: boolean;
      /** Make the source directory if it is missing. */
      createHostPath: boolean;
    }
  /** A named volume, by its real name (a directory of the volume store). */
  | { type: 'volume'; volume: string; target: string; readOnly: boolean; subpath?: string }
  /** An anonymous volume: a directory of the container's own, gone with the container. */
  | { type: 'anonymous'; id: string; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; readOnly: boolean; size?: number; mode?: number; exec: boolean };

/** Full isolation: the root filesystem, mounts and privileges. */
export interface LaunchIsolation {
  /** Lower layer of the root overlay: "/" (the host's root) or `x-rootfs`. */
  rootfs: string;
  readOnly: boolean;
  /** In mount order (parents first). */
  mounts: LaunchMount[];
  /** The capability set, by name. */
  caps: string[];
  privileged: boolean;
  init: boolean;
}

export interface LaunchSettings {
  /** Empty argv: the shim's built-in pause (a namespace holder). */
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  user?: { uid: number; gid: number };
  hostname: string;
  domainname?: string;
  namespaces: Namespace[];
  sysctls: Record<string, string>;
  /** Absent only in journals written before isolation (the host's root). */
  isolation?: LaunchIsolation;
  /** `stop_signal` (default SIGTERM) and `stop_grace_period` (default 10 s, or `-t`). */
  stopSignal?: string;
  stopGraceSec?: number;
  /** The container's cgroup, relative to each hierarchy's root (see plan/cgroups.ts); absent: no cgroups on the host. */
  cgroup?: string;
  /** `ulimits`, by name; -1 is unlimited. */
  rlimits?: Record<string, { soft: number; hard: number }>;
  oomScoreAdj?: number;
}

/**
 * What a container's cgroup enforces: the cgroup part of the resource keys,
 * in Docker's units (sys/cgroup turns them into files). Absent: the
 * kernel's default.
 */
export type CgroupLimits = Pick<
  ServiceResources,
  'nanoCpus' | 'cpuShares' | 'cpuQuota' | 'cpuPeriod' | 'cpuset' | 'memory' | 'memoryReservation' | 'memorySwap' | 'pids' | 'blkioWeight'
>;

/** Where a container's cgroup is, in every hierarchy. */
export interface CgroupRef {
  /** `cgroup_parent` ('' = the hierarchy root): used as it is if it exists, never removed. */
  parent: string;
  /** Path from `parent`: `tscompose/<project>/<service>-<n>`, our own subtree. */
  path: string;
}

export interface DesiredCgroup extends CgroupRef {
  limits: CgroupLimits;
}

export interface GeneratedFiles {
  hosts: string;
  resolvConf: string;
  hostname: string;
}

export interface DesiredContainer {
  name: string;
  service: string;
  index: number;
  netns: NetnsPlacement;
  interfaces: DesiredInterface[];
  /** Default route, via the gateway of the highest-priority non-internal network. */
  defaultRoute?: { via: string; ifname: string };
  /** IPv6 default route, via the IPv6 gateway of that network (if it has IPv6). */
  defaultRoute6?: { via: string; ifname: string };
  /** `x-routes` (a default among them replaces `defaultRoute`). */
  routes?: DesiredRoute[];
  files: GeneratedFiles;
  launch: LaunchSettings;
  /** Containers that must be started first (depends_on, network_mode: service:X). */
  startAfter: string[];
  /** Hash of every launch setting; a change means the process is recreated. */
  launchHash: string;
  /** Its cgroup (absent when the host has no cgroup hierarchy). */
  cgroup?: DesiredCgroup;
}

/** One published host port (ranges are expanded), DNATed to a container address. */
export interface DesiredPort {
  container: string;
  service: string;
  protocol: PortProtocol;
  family: 4 | 6;
  /** Host address it is published on; absent: every address of the family. */
  hostIp?: string;
  hostPort: number;
  /** The container's address and port it reaches. */
  address: string;
  port: number;
  network: string;
  bridge: string;
  /** The `ports` entry as written (short form), for messages. */
  spec: string;
}

/** A host-wide or per-bridge kernel setting `up` needs (`sysctl -w KEY=VALUE`). */
export interface DesiredSysctl {
  key: string;
  value: string;
  /** Why it is needed, for the plan. */
  why: string;
}

export interface Desired {
  project: string;
  /** Where keys were written, for plan errors (absent for `down` without a file). */
  sources?: SourceMap;
  networks: Record<string, DesiredNetwork>;
  containers: Record<string, DesiredContainer>;
  /** Published ports, every one with its host port decided. */
  ports?: DesiredPort[];
  /** The project's DNS server configuration (absent: no bridged container needs one). */
  dns?: DnsConfig;
  /** Kernel settings the networks need (ip_forward, route_localnet, accept_ra on our bridges). */
  sysctls?: DesiredSysctl[];
  /** Named volumes of the file, by key (absent: none). */
  volumes?: Record<string, DesiredVolume>;
  /** p2p links, by network key. */
  links?: Record<string, DesiredLink>;
  /**
   * Restrict convergence to these containers (`up SERVICE…`): nothing else is
   * created, changed or removed. Undefined: the whole project.
   */
  only?: string[];
  /** What the host cannot give and was left out (a limit it cannot enforce), at the key that asked; shown once per run. */
  warnings?: SpecIssue[];
}

export interface DesiredVolume {
  key: string;
  /** Its real name: `name:` or `<project>_<key>`. */
  name: string;
  /** Someone else's: must exist, never created or removed. */
  external: boolean;
}

// ---------------------------------------------------------------- observed

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
  /** Our own oom_score_adj: the lowest a container may get without CAP_SYS_RESOURCE. */
  oomScoreAdj: number;
  /** What the cgroups below each cgroup_parent ('' the root) can enforce; a parent absent here: assume everything. */
  support?: Record<string, CgroupSupport>;
}

/** Which kinds of limit a host's cgroups can enforce, from the files they have (which files: plan/cgroup-support.ts). */
export type CgroupSupport = Record<'cpuShares' | 'cpuQuota' | 'cpuset' | 'memory' | 'memoryReservation' | 'memorySwap' | 'pids' | 'blkioWeight', boolean>;

export interface OtherProject {
  project: string;
  subnets: string[];
  /** Host ports it publishes ("tcp 0.0.0.0 8080"). */
  ports?: string[];
  /** Addresses its containers use, by bridge name (for shared external bridges). */
  addresses: Array<{ bridge: string; address: string }>;
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
  host: { resolvConf: string; passwd: string; group: string };
  /** Our nftables tables, foreign chains that drop, our rules in them (absent: not read, e.g. in unit tests). */
  firewall?: ObservedFirewall;
  /** Current values of the sysctls we manage (`net.ipv4.ip_forward`, `net.ipv4.conf.BRIDGE.route_localnet`, …). */
  sysctls?: Record<string, string>;
  /** The project's DNS server: alive, and the configuration it runs with. */
  dns?: { running: boolean; config?: string };
  /** cgroup layout, our cgroups, and the host limits resource keys are checked against; absent: as `none`. */
  cgroups?: ObservedCgroups;
  /** /etc/passwd and /etc/group of each `x-rootfs` directory (read inside it); absent: unreadable. */
  rootfsUsers?: Record<string, { passwd: string; group: string }>;
  /** Names of the volumes in the volume store. */
  volumes?: string[];
  /** Root qdiscs (tbf, netem) on host links: the bridge ports of shaped attachments. */
  hostQdiscs?: ObservedQdisc[];
  /** What the kernel can do, when it was probed (absent: assume it can). */
  kernel?: { netem: boolean };
}

// ------------------------------------------------------------------ state

export interface StateNetwork {
  bridge: string;
  managed: boolean;
  subnet: string;
  gateway: string;
  subnet6?: string;
}

export interface StateInterface {
  network: string;
  ifname: string;
  hostVeth: string;
  address: string;
  prefixLen: number;
  mac: string;
  address6?: string;
}

export interface StateContainer {
  service: string;
  index: number;
  /** Own /run/netns entry, if any. */
  netns?: string;
  interfaces: StateInterface[];
  launchHash: string;
  launch: LaunchSettings;
  netnsPlacement: NetnsPlacement;
  /** Containers started before it (depends_on, network_mode: service:X): `stop` and `down` stop it first. */
  startAfter?: string[];
  /** Published host ports ("tcp 0.0.0.0 8080"), kept so ephemeral ports stay stable and other projects see them. */
  ports?: string[];
  /**
   * Its cgroup, with the limits known to be applied (absent while an `up`
   * that creates it runs); `oldCgroups`: earlier ones that `up` removes.
   */
  cgroup?: CgroupRef & { limits?: CgroupLimits };
  oldCgroups?: CgroupRef[];
}

export interface ProjectState {
  version: 1;
  project: string;
  workingDir?: string;
  files?: string[];
  networks: Record<string, StateNetwork>;
  containers: Record<string, StateContainer>;
  /** Named volumes this project created (by real name): `down -v` removes them. */
  volumes?: string[];
  updatedAt: string;
}
