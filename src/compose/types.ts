/**
 * The normalized compose model: what `load()` returns after reading every
 * `-f` file, merging them, interpolating variables, validating and filling in
 * defaults. Everything downstream (plan/, cli `config`) reads only this.
 *
 * Conventions: optional scalars are `undefined` when the file does not set
 * them; lists and maps are always present (possibly empty); records are keyed
 * by the name used in the file and their keys are sorted.
 */
import type { SourceLoc, SpecIssue } from '../errors';
import type { HostsSpec, NetemSpec, RouteSpec, VerifySpec } from './lab-types';
import type { HealthcheckSpec, HookSpec, RestartPolicy } from './lifecycle-types';
import type { WatchRule } from './develop-types';
import type { ServiceProcess } from './process-types';
import type { BuildSpec, ServiceImage } from './image-types';
import type { ExtraHost } from './extra-host';

export type { ExtraHost } from './extra-host';

export type { NamespaceShare, ServiceProcess } from './process-types';
export type { HostsSpec, SourceLoc };
export type { BuildSpec, PullPolicy, ServiceImage } from './image-types';

/**
 * Where each key was written, by dotted path (`services.web.networks.front`,
 * list items by index: `networks.front.ipam.config.0.subnet`). Later stages
 * (IPAM overlap with host routes, pool exhaustion) use it to point at the file.
 */
export type SourceMap = ReadonlyMap<string, SourceLoc>;

export interface Project {
  /** Project name: `-p`, COMPOSE_PROJECT_NAME, top-level `name`, or the directory. */
  name: string;
  /** Directory relative paths are resolved against (the first file's directory). */
  workingDir: string;
  /** The compose files, absolute, in `-f` order. */
  files: string[];
  networks: Record<string, NetworkSpec>;
  services: Record<string, ServiceSpec>;
  /** Top-level `volumes` (named volumes); absent when the file has none. */
  volumes?: Record<string, VolumeSpec>;
  /** Top-level `x-*` keys, as written (after interpolation). */
  extensions: Record<string, unknown>;
  sources: SourceMap;
  /** Top-level `x-verify`: reachability the user expects, checked by `tscompose verify`. */
  verify?: VerifySpec[];
  /** `x-hosts` (with `x-vxlan`): the machines one lab is split across; absent: one machine. */
  hosts?: HostsSpec;
  /**
   * What Compose would warn about (unset variables, obsolete `version`,
   * deprecated keys); absent when there is nothing to say. Not printed by spec/.
   */
  warnings?: SpecIssue[];
}

export type NetworkDriver = 'bridge' | 'p2p' | 'macvlan' | 'ipvlan';

export interface IpamPool {
  /** CIDR as written, normalized (`10.1.0.0/24`). */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  /** Reserved addresses by host name (`aux_addresses`). */
  auxAddresses: Record<string, string>;
}

export interface NetworkSpec {
  /** The key in `networks:`. */
  name: string;
  driver: NetworkDriver;
  /** `external: true`: a bridge made by someone else, found by `externalName`. */
  external: boolean;
  /** The network's `name:` (for external networks: the existing bridge/network name). */
  externalName?: string;
  /** `com.docker.network.bridge.name`: the kernel name to give the bridge. */
  bridgeName?: string;
  /** `com.docker.network.driver.mtu`. */
  mtu?: number;
  internal: boolean;
  enableIpv6: boolean;
  /** `enable_ipv4: false` (or its driver option): an IPv6-only network, no IPv4 subnet or addresses (compose/ipv6-only.ts). */
  ipv6Only?: true;
  /** `com.docker.network.bridge.enable_ip_masquerade` (default true): masquerade traffic leaving the host. */
  ipMasquerade: boolean;
  /** `com.docker.network.bridge.enable_icc` (default true): containers of this bridge reach each other. */
  icc: boolean;
  /** `com.docker.network.bridge.host_binding_ipv4`: host address of published ports that name none. */
  hostBindingIpv4?: string;
  /** `driver_opts` as written (strings), including the keys above. */
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  ipam: IpamPool[];
  extensions: Record<string, unknown>;
  /** `x-netem` (p2p networks, and networks made from `x-links`): shaping of both directions. */
  netem?: NetemSpec;
  /** Set on the p2p networks made from a top-level `x-links` entry. */
  fromLink?: { index: number };
  /** The machine-wide default bridge (`network_mode: bridge`), shared by the projects that use it (compose/shared-bridge.ts). */
  shared?: true;
  /** `driver: macvlan|ipvlan`: the host link the containers' interfaces sit on, and its modes (compose/network-driver.ts). */
  lowerLink?: LowerLink;
}

/** A macvlan or ipvlan network's `driver_opts`, checked. */
export interface LowerLink {
  kind: 'macvlan' | 'ipvlan';
  /** `parent`: an existing host link. */
  parent: string;
  /** macvlan: bridge|vepa|private|passthru; ipvlan: l2|l3|l3s. */
  mode: string;
  /** ipvlan only: bridge|private|vepa. */
  flag?: string;
  /**
   * No `parent` in the file: as Docker (its `dm-…` links), a dummy link of
   * ours is the parent, named by the plan (`parent` is '' until then): the
   * containers reach each other only.
   */
  dummy?: true;
}

export interface ServiceNetwork {
  /** The key in the top-level `networks:`. */
  network: string;
  ipv4Address?: string;
  ipv6Address?: string;
  aliases: string[];
  macAddress?: string;
  /** Name inside the container; default `eth0`, `eth1`, … in attachment order. */
  interfaceName?: string;
  /** Highest `gw_priority` (then attachment order) gives the default route. */
  gwPriority: number;
  /** `priority`: order in which networks are attached (higher first). */
  priority: number;
  /** `x-mtu`: this end's MTU, instead of the network's. */
  mtu?: number;
  /** `x-netem`: shaping of this attachment (both directions of its veth). */
  netem?: NetemSpec;
  /** Made from this `x-links` entry. */
  fromLink?: number;
  /** `driver_opts.com.docker.network.endpoint.sysctls`, keys with `IFNAME` still in them (compose/endpoint-opts.ts). */
  endpointSysctls?: Record<string, string>;
}

export interface PortRange {
  start: number;
  /** Inclusive; equal to start for a single port. */
  end: number;
}

export type PortProtocol = 'tcp' | 'udp';

/** One `ports` entry, short or long form. */
export interface PortSpec {
  /** Container port(s). */
  target: PortRange;
  /** Host port(s); absent: an ephemeral host port chosen at plan time. */
  published?: PortRange;
  /** Canonical host address; absent: every address (or the network's host_binding_ipv4). `::` = every IPv6 address. */
  hostIp?: string;
  protocol: PortProtocol;
  /** `host` or `ingress`: the same without Swarm. */
  mode: 'ingress' | 'host';
  name?: string;
  appProtocol?: string;
}

export type NetworkMode =
  | { kind: 'default'; shared?: true } // attach to `networks` (or the project's `default` network); shared: `network_mode: bridge`, the machine's default bridge
  | { kind: 'none' }
  | { kind: 'host' }
  | { kind: 'service'; service: string };

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Dependency {
  condition: DependsCondition;
  required: boolean;
  restart: boolean;
}

export interface ServiceSpec {
  /** The key in `services:`. */
  name: string;
  /**
   * argv. String forms are split like a POSIX shell word list (no expansion),
   * as Docker Compose does. `undefined` = not set.
   */
  command?: string[];
  entrypoint?: string[];
  /** `env_file` entries (in order) then `environment`, resolved; `KEY` alone takes the host's value. */
  environment: Record<string, string>;
  hostname?: string;
  domainname?: string;
  /** `container_name`. */
  containerName?: string;
  networkMode: NetworkMode;
  /** Attachments in attachment order (priority desc, then network name, as Compose orders them). Empty unless networkMode is 'default'. */
  networks: ServiceNetwork[];
  /** Namespaced sysctls (`net.*`, and the IPC ones: process-keys.ts), values as strings. */
  sysctls: Record<string, string>;
  dns: string[];
  dnsSearch: string[];
  dnsOpt: string[];
  extraHosts: ExtraHost[];
  dependsOn: Record<string, Dependency>;
  workingDir?: string;
  user?: string;
  /** Published ports (`ports`), in file order. */
  ports: PortSpec[];
  /** Replicas (`scale`, `deploy.replicas`); 1 unless set. */
  scale: number;
  /** Resource keys (cgroup limits, ulimits, oom_score_adj); absent when the service sets none. */
  resources?: ServiceResources;
  // Isolation (spec/isolation.ts); absent means the default.
  /** `volumes` then `tmpfs`, in the order they are mounted (a parent before what is inside it). */
  mounts?: ServiceMount[];
  /** `read_only`: the root filesystem is mounted read-only. */
  readOnly?: boolean;
  /** `cap_add` / `cap_drop`, canonical (`NET_ADMIN`, or `ALL`). */
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  /** `devices`: host device nodes given to the container (compose/devices.ts). */
  devices?: ServiceDevice[];
  /** `x-host-secrets`: on the host's root, show the host's secrets again (all, or these paths; plan/host-secrets.ts). */
  hostSecrets?: true | string[];
  /** `device_cgroup_rules`, canonical (`c 1:3 rwm`): more of the device cgroup allowlist. */
  deviceCgroupRules?: string[];
  /** `security_opt: no-new-privileges[:true|false]`; absent: the default (set unless privileged). */
  noNewPrivileges?: boolean;
  /** `security_opt: seccomp=…`: `unconfined`, or a profile file read at load; absent: our default (plan/seccomp.ts). */
  seccomp?: 'unconfined' | SeccompProfile;
  /** `security_opt: apparmor=PROFILE` (plan/security-labels.ts). */
  apparmor?: string;
  /** `security_opt: label=…`, SELinux options in file order. */
  securityLabel?: string[];
  /** `init: true`: a reaping init is PID 1 and runs the command. */
  init?: boolean;
  /** `stdin_open` (docker run -i): stdin stays open, never EOF; `attach` writes into it. */
  stdinOpen?: true;
  /** `tty` (docker run -t): stdin, stdout and stderr a pseudo-terminal of the shim's; `attach` relays it. */
  tty?: true;
  /** `logging` (logging.ts); absent: json-file, unlimited. */
  logging?: ServiceLogging;
  /** `stop_signal`, as a name (`SIGUSR1`). */
  stopSignal?: string;
  /** `post_start` / `pre_stop` (hooks.ts); absent: none. */
  postStart?: HookSpec[];
  /** `attach: false`: `up` without -d does not show its output (`logs` still has it). */
  attach?: false;
  /** `develop.watch`: what `tscompose watch` does when files change (compose/develop.ts). */
  develop?: { watch: WatchRule[] };
  preStop?: HookSpec[];
  /** `healthcheck` (healthcheck.ts); absent: the image's, if any. */
  healthcheck?: HealthcheckSpec;
  /** `restart` or `deploy.restart_policy` (restart.ts); absent: `no`. */
  restart?: RestartPolicy;
  /** `stop_grace_period`, in seconds. */
  stopGracePeriodSec?: number;
  /** `x-rootfs`, absolute: the lower layer of the root filesystem (default: the host's /). */
  rootfs?: string;
  /** `profiles` (profiles.ts): the service is off unless one is active or it is named; absent: always on. */
  profiles?: string[];
  /** `volumes_from` (volumes-from.ts): the services whose mounts this one also gets; readOnly: `:ro`. */
  volumesFrom?: Array<{ service: string; readOnly?: true }>;
  /** `links` ("db" or "db:alias"): the alias names the service's address in this container's /etc/hosts. */
  links?: Array<{ service: string; alias: string }>;
  /** `external_links` ("container" or "container:alias"): a container of another project, on a network this one shares (plan/resolve/external-links.ts). */
  externalLinks?: Array<{ container: string; alias: string }>;
  /** `label_file` then `labels` (metadata.ts); absent: none. */
  labels?: Record<string, string>;
  /** `annotations` (kept and shown; nothing in the kernel reads them). */
  annotations?: Record<string, string>;
  /** `expose`, canonical ("80/tcp", "9000-9001/udp"): recorded only, as Docker. */
  expose?: string[];
  /** `image` (with `pull_policy`, `platform`): the root filesystem and defaults come from the image. */
  image?: ServiceImage;
  /** `secrets` and `configs`: files mounted read-only into the container. */
  files?: ServiceFile[];
  /** `build`: how to make the image (by buildah); `image` then names the result. */
  build?: BuildSpec;
  /** `x-*` keys of the service, as written. */
  extensions: Record<string, unknown>;
  /** `x-routes`: static routes inside the service's network namespace. */
  routes?: RouteSpec[];
  /** `x-host`: the machine of `x-hosts` it runs on. */
  host?: string;
  /** `shm_size`, `group_add`, `pid`, `ipc`, `uts`, `cgroup` (process-keys.ts); absent: the defaults. */
  process?: ServiceProcess;
}

/** Where a top-level secret or config comes from: a host file (read at each start) or text (`content`, or `environment` read at load). */
export type ProjectFileSource = { file: string } | { content: string; fromEnvironment?: string };

/** A secret or config a service's container gets, resolved (compose/secrets.ts). */
export interface ServiceFile {
  kind: 'secret' | 'config';
  /** The top-level name. */
  name: string;
  /** Absolute path in the container. */
  target: string;
  uid: number;
  gid: number;
  mode: number;
  source: ProjectFileSource;
}

/** A seccomp profile (Docker's format, compose/seccomp-profile.ts), actions as the shim names them. */
export interface SeccompProfile {
  /** The file it was read from (absolute), for `config`. */
  file?: string;
  defaultAction: string;
  syscalls: SeccompProfileRule[];
}

export interface SeccompProfileRule {
  names: string[];
  action: string;
  args: Array<{ index: number; op: 'ne' | 'lt' | 'le' | 'eq' | 'ge' | 'gt' | 'masked_eq'; value: number; valueTwo?: number }>;
  /** Kept only when the container has all of these capabilities. */
  includesCaps?: string[];
  /** Dropped when the container has one of these. */
  excludesCaps?: string[];
}

/** A soft and a hard rlimit; -1 is unlimited. */
export interface Ulimit {
  soft: number;
  hard: number;
}

/**
 * The resource keys of a service in Docker's units, after the conflicts
 * between the service keys and `deploy.resources` were checked. Unset (or
 * "unlimited", as `pids_limit: -1` or `cpu_quota: -1`) is absent.
 */
export interface ServiceResources {
  /** `cpus` or `deploy.resources.limits.cpus`, in billionths of a CPU (Docker's NanoCPUs). */
  nanoCpus?: number;
  /** `cpu_shares`, or `deploy.resources.reservations.cpus` × 1024 (a reservation is a relative weight here). */
  cpuShares?: number;
  /** `cpu_quota` in µs per `cpu_period`. */
  cpuQuota?: number;
  /** `cpu_period` in µs. */
  cpuPeriod?: number;
  /** `cpuset`, canonical: `0-2,5`. */
  cpuset?: string;
  /** `mem_limit` or `deploy.resources.limits.memory`, bytes. */
  memory?: number;
  /** `mem_reservation` or `deploy.resources.reservations.memory`, bytes. */
  memoryReservation?: number;
  /** `memswap_limit`, bytes of memory + swap; -1: unlimited swap. */
  memorySwap?: number;
  /** `pids_limit` or `deploy.resources.limits.pids`. */
  pids?: number;
  /** `blkio_config.weight`, 10 to 1000. */
  blkioWeight?: number;
  /** `mem_swappiness`, 0 to 100 (cgroup v1 memory.swappiness). */
  memorySwappiness?: number;
  /** `oom_kill_disable: true` (cgroup v1 memory.oom_control). */
  oomKillDisable?: number;
  /** `cpu_percent`, 1 to 100: of all the host's CPUs, a CPU quota once the planner knows how many there are. */
  cpuPercent?: number;
  oomScoreAdj?: number;
  /** `ulimits` by name (`nofile`), sorted. */
  ulimits: Record<string, Ulimit>;
  /** `cgroup_parent`, without leading or trailing '/'. */
  cgroupParent?: string;
}

export type BindPropagation = 'private' | 'rprivate' | 'slave' | 'rslave' | 'shared' | 'rshared';

/** One entry of a service's `volumes` (or `tmpfs`), long syntax. */
export type ServiceMount =
  | {
      type: 'bind';
      /** Absolute host path (relative ones are resolved against the project directory). */
      source: string;
      target: string;
      readOnly: boolean;
      propagation: BindPropagation;
      /** Create the source directory when missing (short syntax: yes; long: `bind.create_host_path`). */
      createHostPath: boolean;
      /** Submounts of the source too (`bind.recursive`, default enabled). */
      recursive: boolean;
      /** `:z` / `:Z` (`bind.selinux`): relabel for SELinux; a no-op where SELinux is not enabled (plan/security-labels.ts). */
      selinux?: 'z' | 'Z';
    }
  | {
      type: 'volume';
      /** Key in the top-level `volumes`; absent: an anonymous volume of the container. */
      source?: string;
      target: string;
      readOnly: boolean;
      /** `volume.subpath`: a directory inside the volume. */
      subpath?: string;
      /** `nocopy`: do not fill an empty volume with what the image has at the target (plan/isolation.ts). */
      nocopy?: boolean;
    }
  | {
      type: 'tmpfs';
      target: string;
      readOnly: boolean;
      /** Bytes (`tmpfs.size`, `size=64m`). */
      size?: number;
      /** Permission bits (`tmpfs.mode`, `mode=1777`). */
      mode?: number;
      /** `exec` in the short syntax (Docker's tmpfs are noexec unless asked). */
      exec?: boolean;
    };

export interface VolumeSpec {
  /** The key in the top-level `volumes`. */
  name: string;
  /** `name:`: the volume's real name (default `<project>_<key>`). */
  externalName?: string;
  /** Made by someone else: used, never created or removed. */
  external: boolean;
  labels: Record<string, string>;
  extensions: Record<string, unknown>;
}

export * from './lab-types';
export * from './lifecycle-types';

/** One `devices` entry: the host node, where it appears in the container, its device cgroup access (any of rwm). */
export interface ServiceDevice {
  source: string;
  target: string;
  permissions: string;
}

/** `logging`: json-file and local are our own log (rotated past maxSize, keeping maxFiles files); none keeps nothing. */
export interface ServiceLogging {
  driver: 'json-file' | 'local' | 'none';
  maxSize?: number;
  maxFiles?: number;
}
