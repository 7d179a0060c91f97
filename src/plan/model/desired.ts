/**
 * `Desired`: the compose file resolved into concrete kernel objects
 * (names, addresses, MACs, file contents, process launch settings).
 */
import type { ServiceResources, SourceMap } from '../../compose/types';
import type { SpecIssue } from '../../errors';
import type { DnsConfig } from './dns';
import type { LaunchSettings } from './launch';
import type { DesiredInterface, DesiredLink, DesiredNetwork, DesiredPort, DesiredRoute, DesiredSysctl, NetnsPlacement } from './network';

/**
 * What a container's cgroup enforces: the cgroup part of the resource keys,
 * in Docker's units (sys/cgroup turns them into files). Absent: the
 * kernel's default.
 */
export type CgroupLimits = Pick<
  ServiceResources,
  'nanoCpus' | 'cpuShares' | 'cpuQuota' | 'cpuPeriod' | 'cpuset' | 'memory' | 'memoryReservation' | 'memorySwap' | 'pids' | 'blkioWeight' | 'memorySwappiness' | 'oomKillDisable'
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
  /** A `run` container: not in the file, yet `up` keeps it (and its address) until `down` or `rm`. */
  oneOff?: true;
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
  /** depends_on conditions its start waits for (beyond being started). */
  waitFor?: WaitCondition[];
  /** Containers of dependencies with `depends_on.<dep>.restart: true`: restarting one of them restarts this one. */
  restartWith?: string[];
  /** Hash of every launch setting; a change means the process is recreated. */
  launchHash: string;
  /** Its cgroup (absent when the host has no cgroup hierarchy). */
  cgroup?: DesiredCgroup;
  /** The service's labels and Compose's own com.docker.compose.* labels (plan/metadata.ts). */
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** `expose`: recorded only (no firewall change, as Docker). */
  expose?: string[];
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
  /** `up --host NAME`: the machine of x-hosts this desired state is for (only its containers). */
  host?: string;
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

/** A dependency's container must be healthy, or have exited 0, before this one starts. */
export interface WaitCondition {
  container: string;
  service: string;
  condition: 'service_healthy' | 'service_completed_successfully';
}
