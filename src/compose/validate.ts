/**
 * Checks that relate several objects of the file: references between
 * services and networks, dependency cycles, subnet overlaps, static
 * addresses against their network's pools, replicas against fixed names.
 * Locations come from the source map, so they point at the file that wrote
 * the key. Host routes and pool allocation are the planner's business.
 */
import type { SourceLoc } from '../errors';
import { cidrContains, cidrsOverlap, parseCidr, parseIP } from '../net/ip';
import type { Cidr, IPAddr } from '../net/ip';
import type { Issues } from './issues';
import { checkNamespaceShares, sharedNamespaceKey } from './validate-process';
import type { IpamPool, NetworkSpec, ServiceSpec, SourceMap } from './types';

interface Model {
  networks: Record<string, NetworkSpec>;
  services: Record<string, ServiceSpec>;
}

export function validateProject(model: Model, sources: SourceMap, issues: Issues): void {
  const at = (path: string): SourceLoc | undefined => sources.get(path);
  const err = (path: string, message: string, locPath = path) => issues.error(path, message, at(locPath) ?? nearest(sources, locPath));
  checkReferences(model, err, issues);
  checkNamespaceShares(model, err);
  checkServiceConflicts(model, err);
  checkCycles(model, err);
  checkSubnets(model, err);
  checkStaticAddresses(model, err);
}

type Report = (path: string, message: string, locPath?: string) => void;

/** The closest recorded ancestor's location (for paths the file did not write, e.g. defaults). */
function nearest(sources: SourceMap, path: string): SourceLoc | undefined {
  for (let p = path; p.includes('.'); ) {
    p = p.slice(0, p.lastIndexOf('.'));
    const loc = sources.get(p);
    if (loc) return loc;
  }
  return undefined;
}

function checkReferences(model: Model, err: Report, issues: Issues): void {
  const containerNames = new Map<string, string>();
  for (const svc of Object.values(model.services)) {
    const base = `services.${svc.name}`;
    for (const a of svc.networks) {
      if (!Object.hasOwn(model.networks, a.network)) {
        err(`${base}.networks.${a.network}`, `network "${a.network}" is not declared in the top-level networks`);
      }
    }
    if (svc.networkMode.kind === 'service') {
      const target = svc.networkMode.service;
      if (target === svc.name) err(`${base}.network_mode`, 'a service cannot share its own network namespace');
      else if (!Object.hasOwn(model.services, target)) err(`${base}.network_mode`, `service "${target}" is not defined`);
      else if (!Object.hasOwn(svc.dependsOn, target)) {
        // As Compose: sharing a service's namespace implies starting it first.
        svc.dependsOn = sortDeps({ ...svc.dependsOn, [target]: { condition: 'service_started', required: true, restart: false } });
      }
    }
    for (const [i, v] of (svc.volumesFrom ?? []).entries()) {
      const key = `${base}.volumes_from.${i}`;
      if (v.service === svc.name) err(key, 'a service cannot take volumes from itself');
      else if (!Object.hasOwn(model.services, v.service)) err(key, `service "${v.service}" is not defined`);
      else if (!Object.hasOwn(svc.dependsOn, v.service)) {
        // As Compose: the service whose volumes it takes starts first.
        svc.dependsOn = sortDeps({ ...svc.dependsOn, [v.service]: { condition: 'service_started', required: true, restart: false } });
      }
    }
    for (const [i, l] of (svc.links ?? []).entries()) {
      if (!Object.hasOwn(model.services, l.service)) err(`${base}.links.${i}`, `links to service "${l.service}", which is not defined`);
      else if (!Object.hasOwn(svc.dependsOn, l.service)) {
        // As Compose: a link implies starting the linked service first.
        svc.dependsOn = sortDeps({ ...svc.dependsOn, [l.service]: { condition: 'service_started', required: true, restart: false } });
      }
    }
    for (const [dep, d] of Object.entries(svc.dependsOn)) {
      if (Object.hasOwn(model.services, dep)) continue;
      if (d.required) err(`${base}.depends_on.${dep}`, `depends on service "${dep}", which is not defined`);
      else {
        issues.warn(`${base}.depends_on.${dep}`, `optional dependency "${dep}" is not defined; ignored`);
        const rest = { ...svc.dependsOn };
        delete rest[dep];
        svc.dependsOn = rest;
      }
    }
    if (svc.containerName !== undefined) {
      const other = containerNames.get(svc.containerName);
      if (other !== undefined) err(`${base}.container_name`, `container name "${svc.containerName}" is already used by service "${other}"`);
      else containerNames.set(svc.containerName, svc.name);
    }
  }
}

function sortDeps<T>(deps: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function checkServiceConflicts(model: Model, err: Report): void {
  for (const svc of Object.values(model.services)) {
    const base = `services.${svc.name}`;
    const mode = svc.networkMode;
    if (mode.kind === 'service') {
      const set: Array<[string, boolean]> = [
        ['hostname', svc.hostname !== undefined],
        ['domainname', svc.domainname !== undefined],
        ['dns', svc.dns.length > 0],
        ['dns_search', svc.dnsSearch.length > 0],
        ['dns_opt', svc.dnsOpt.length > 0],
        ['extra_hosts', svc.extraHosts.length > 0],
      ];
      for (const [key, isSet] of set) {
        if (isSet) err(`${base}.${key}`, `cannot be set with network_mode "service:${mode.service}": the network namespace, /etc/hosts and resolv.conf belong to that service`);
      }
    }
    if (mode.kind === 'host' && Object.keys(svc.sysctls).some((k) => k.startsWith('net.'))) {
      err(`${base}.sysctls`, 'net.* sysctls cannot be set with network_mode "host": they would change the host');
    }
    if (svc.scale > 1) {
      if (svc.containerName !== undefined) err(`${base}.container_name`, `a fixed container_name cannot be used with ${svc.scale} replicas (container names must be unique)`);
      for (const a of svc.networks) {
        const fixed: Array<[string, string | undefined]> = [
          ['ipv4_address', a.ipv4Address],
          ['ipv6_address', a.ipv6Address],
          ['mac_address', a.macAddress],
        ];
        for (const [key, v] of fixed) {
          if (v !== undefined) err(`${base}.networks.${a.network}.${key}`, `a fixed ${key} cannot be used with ${svc.scale} replicas (each replica needs its own)`);
        }
      }
    }
  }
}

/** One report per cycle, at the key that closes it; edges are depends_on (and network_mode: service:). */
function checkCycles(model: Model, err: Report): void {
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    const svc = model.services[name]!;
    for (const dep of Object.keys(svc.dependsOn)) {
      if (!Object.hasOwn(model.services, dep)) continue;
      const s = state.get(dep);
      if (s === 'active') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const viaMode = svc.networkMode.kind === 'service' && svc.networkMode.service === dep;
        const viaVolumes = (svc.volumesFrom ?? []).findIndex((v) => v.service === dep);
        const viaShare = sharedNamespaceKey(svc, dep);
        const key = viaMode
          ? `services.${name}.network_mode`
          : viaShare
            ? `services.${name}.${viaShare}`
            : viaVolumes >= 0
              ? `services.${name}.volumes_from.${viaVolumes}`
              : `services.${name}.depends_on.${dep}`;
        err(key, `dependency cycle: ${cycle.join(' → ')}`);
      } else if (s === undefined) visit(dep);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(model.services)) if (!state.has(name)) visit(name);
}

interface Pool {
  network: string;
  index: number;
  cidr: Cidr;
  text: string;
}

function checkSubnets(model: Model, err: Report): void {
  const pools: Pool[] = [];
  const bridges = new Map<string, string>();
  for (const net of Object.values(model.networks)) {
    net.ipam.forEach((p, index) => {
      const cidr = p.subnet === undefined ? undefined : parseCidr(p.subnet);
      if (cidr) pools.push({ network: net.name, index, cidr, text: p.subnet! });
    });
    if (net.bridgeName !== undefined) {
      const other = bridges.get(net.bridgeName);
      const path = `networks.${net.name}.driver_opts.com.docker.network.bridge.name`;
      if (other !== undefined) err(path, `bridge name "${net.bridgeName}" is already used by network "${other}"`);
      else bridges.set(net.bridgeName, net.name);
    }
  }
  // Sorted by start address, an overlap shows up between neighbours (or with a wider earlier one).
  pools.sort((a, b) => a.cidr.family - b.cidr.family || (a.cidr.first < b.cidr.first ? -1 : a.cidr.first > b.cidr.first ? 1 : 0));
  let widest: Pool | undefined;
  for (const p of pools) {
    if (widest && cidrsOverlap(widest.cidr, p.cidr)) {
      const where = widest.network === p.network ? 'another ipam config entry of the same network' : `network "${widest.network}"`;
      err(`networks.${p.network}.ipam.config.${p.index}.subnet`, `subnet ${p.text} overlaps subnet ${widest.text} of ${where}`);
    }
    if (!widest || widest.cidr.family !== p.cidr.family || p.cidr.last > widest.cidr.last) widest = p;
  }
}

function checkStaticAddresses(model: Model, err: Report): void {
  const used = new Map<string, string>(); // "network|address" → service
  for (const svc of Object.values(model.services)) {
    for (const a of svc.networks) {
      const net = model.networks[a.network];
      if (!net) continue;
      const attPath = `services.${svc.name}.networks.${a.network}`;
      for (const [key, text] of [
        ['ipv4_address', a.ipv4Address],
        ['ipv6_address', a.ipv6Address],
      ] as const) {
        if (text === undefined) continue;
        const path = `${attPath}.${key}`;
        const ip = parseIP(text);
        if (!ip) continue;
        const problem = net.external ? undefined : net.ipv6Only && ip.family === 4 ? ipv6OnlyProblem(net) : addressProblem(net, ip, text);
        if (problem) err(path, `${text} ${problem}`);
        const k = `${a.network}|${text}`; // already canonical (normalized on load)
        const other = used.get(k);
        if (other !== undefined) err(path, `${text} is already assigned to service "${other}" on network "${a.network}"`);
        else used.set(k, svc.name);
      }
      if (a.macAddress !== undefined) {
        const k = `${a.network}|mac|${a.macAddress}`;
        const other = used.get(k);
        if (other !== undefined) err(`${attPath}.mac_address`, `${a.macAddress} is already used by service "${other}" on network "${a.network}"`);
        else used.set(k, svc.name);
      }
    }
  }
}

const parsedPools = new WeakMap<NetworkSpec, Array<{ pool: IpamPool; cidr: Cidr }>>();

/** The network's pools with a valid subnet, parsed once per network. */
function poolsOf(net: NetworkSpec): Array<{ pool: IpamPool; cidr: Cidr }> {
  let list = parsedPools.get(net);
  if (!list) {
    list = net.ipam.flatMap((pool) => {
      const cidr = pool.subnet === undefined ? undefined : parseCidr(pool.subnet);
      return cidr ? [{ pool, cidr }] : [];
    });
    parsedPools.set(net, list);
  }
  return list;
}

/** `text` is the address in canonical form (as normalized on load), comparable with gateways and aux addresses. */
const ipv6OnlyProblem = (net: NetworkSpec) => `cannot be used: network "${net.name}" is IPv6-only (enable_ipv4: false); give it an ipv6_address`;

function addressProblem(net: NetworkSpec, ip: IPAddr, text: string): string | undefined {
  const subnets = poolsOf(net);
  if (subnets.length === 0) {
    return `cannot be used: a user specified IP address is supported only when connecting to networks with user configured subnets (network "${net.name}" has no ipam subnet)`;
  }
  for (const { pool, cidr } of subnets) {
    if (!cidrContains(cidr, ip)) continue;
    const width = ip.family === 4 ? 32 : 128;
    // /31, /32 (and IPv6 /127, /128) have no network or broadcast address to avoid.
    if (cidr.prefix < width - 1) {
      if (ip.value === cidr.first) return `is the network address of subnet ${pool.subnet}`;
      if (ip.family === 4 && ip.value === cidr.last) return `is the broadcast address of subnet ${pool.subnet}`;
    }
    const addr = text;
    if (pool.gateway === addr) return `is the gateway of subnet ${pool.subnet}`;
    for (const [host, aux] of Object.entries(pool.auxAddresses)) {
      if (aux === addr) return `is reserved as aux address "${host}" of subnet ${pool.subnet}`;
    }
    return undefined;
  }
  const family = subnets.filter((p) => p.cidr.family === ip.family).map((p) => p.pool.subnet);
  return family.length === 0
    ? `cannot be used: network "${net.name}" has no IPv${ip.family} subnet`
    : `is outside every subnet of network "${net.name}" (${family.join(', ')})`;
}
