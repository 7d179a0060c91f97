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
import type { NetemSpec, RouteSpec, VerifySpec } from './lab-types';

export type { SourceLoc };

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
  /** Top-level `x-*` keys, as written (after interpolation). */
  extensions: Record<string, unknown>;
  sources: SourceMap;
  /** Top-level `x-verify`: reachability the user expects, checked by `tscompose verify`. */
  verify?: VerifySpec[];
  /**
   * What Compose would warn about (unset variables, obsolete `version`,
   * deprecated keys); absent when there is nothing to say. Not printed by spec/.
   */
  warnings?: SpecIssue[];
}

export type NetworkDriver = 'bridge' | 'p2p';

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
  /** `driver_opts` as written (strings), including the keys above. */
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  ipam: IpamPool[];
  extensions: Record<string, unknown>;
  /** `x-netem` (p2p networks, and networks made from `x-links`): shaping of both directions. */
  netem?: NetemSpec;
  /** Set on the p2p networks made from a top-level `x-links` entry. */
  fromLink?: { index: number };
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
}

export type NetworkMode =
  | { kind: 'default' } // attach to `networks` (or the project's `default` network)
  | { kind: 'none' }
  | { kind: 'host' }
  | { kind: 'service'; service: string };

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Dependency {
  condition: DependsCondition;
  required: boolean;
  restart: boolean;
}

export interface ExtraHost {
  host: string;
  ip: string;
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
  /** Namespaced sysctls (`net.*`), values as strings. */
  sysctls: Record<string, string>;
  dns: string[];
  dnsSearch: string[];
  dnsOpt: string[];
  extraHosts: ExtraHost[];
  dependsOn: Record<string, Dependency>;
  workingDir?: string;
  user?: string;
  /** Replicas (`scale`, `deploy.replicas`); 1 unless set. */
  scale: number;
  /** `x-*` keys of the service, as written. */
  extensions: Record<string, unknown>;
  /** `x-routes`: static routes inside the service's network namespace. */
  routes?: RouteSpec[];
}

export * from './lab-types';
