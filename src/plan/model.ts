/**
 * The three shapes the planner works with, all plain data:
 *  - `Desired`: the compose file resolved into concrete kernel objects
 *    (names, addresses, MACs, file contents, process launch settings);
 *  - `Observed`: what observe/ read from the machine (links, namespaces,
 *    processes, our previous state), passed in so plan() stays pure;
 *  - `ProjectState`: the journal under /run/tscompose/<project>/state.json.
 */
import type { SourceMap } from '../spec/types';

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
  /** Named volumes of the file, by key (absent: none). */
  volumes?: Record<string, DesiredVolume>;
  /**
   * Restrict convergence to these containers (`up SERVICE…`): nothing else is
   * created, changed or removed. Undefined: the whole project.
   */
  only?: string[];
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
  addresses: ObservedAddress[];
}

export interface ObservedRoute {
  dst: string;
  gateway?: string;
  dev?: string;
}

export interface ObservedNetns {
  name: string;
  links: ObservedLink[];
  routes: ObservedRoute[];
  /** The /run/netns entry exists but no namespace is behind it. */
  stale?: boolean;
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
  /** /etc/passwd and /etc/group of each `x-rootfs` directory (read inside it); absent: unreadable. */
  rootfsUsers?: Record<string, { passwd: string; group: string }>;
  /** Names of the volumes in the volume store. */
  volumes?: string[];
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
  /** Named volumes this project created (by real name): `down -v` removes them. */
  volumes?: string[];
  updatedAt: string;
}
