/**
 * The three shapes the planner works with, all plain data:
 *  - `Desired`: the compose file resolved into concrete kernel objects
 *    (names, addresses, MACs, file contents, process launch settings);
 *  - `Observed`: what observe/ read from the machine (links, namespaces,
 *    processes, our previous state), passed in so plan() stays pure;
 *  - `ProjectState`: the journal under /run/tscompose/<project>/state.json.
 */
import type { SourceMap } from '../spec/types';
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
  /** `x-routes` (a default among them replaces `defaultRoute`). */
  routes?: DesiredRoute[];
  files: GeneratedFiles;
  launch: LaunchSettings;
  /** Containers that must be started first (depends_on, network_mode: service:X). */
  startAfter: string[];
  /** Hash of every launch setting; a change means the process is recreated. */
  launchHash: string;
}

export interface Desired {
  project: string;
  /** Where keys were written, for plan errors (absent for `down` without a file). */
  sources?: SourceMap;
  networks: Record<string, DesiredNetwork>;
  containers: Record<string, DesiredContainer>;
  /** p2p links, by network key. */
  links?: Record<string, DesiredLink>;
  /**
   * Restrict convergence to these containers (`up SERVICE…`): nothing else is
   * created, changed or removed. Undefined: the whole project.
   */
  only?: string[];
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
}

export interface OtherProject {
  project: string;
  subnets: string[];
  /** Addresses its containers use, by bridge name (for shared external bridges). */
  addresses: Array<{ bridge: string; address: string }>;
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
  /** Host facts the generated files and user lookup need. */
  host: { resolvConf: string; passwd: string; group: string };
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
}

export interface StateInterface {
  network: string;
  ifname: string;
  hostVeth: string;
  address: string;
  prefixLen: number;
  mac: string;
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
}

export interface ProjectState {
  version: 1;
  project: string;
  workingDir?: string;
  files?: string[];
  networks: Record<string, StateNetwork>;
  containers: Record<string, StateContainer>;
  updatedAt: string;
}
