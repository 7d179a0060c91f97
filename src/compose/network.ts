/**
 * Top-level `networks.<name>` → NetworkSpec: shape, syntax and the checks
 * that need only this network (addresses inside their own subnet). Checks
 * across networks and services live in validate.ts.
 */
import { EXTERNAL_KEYS, IPAM_CONFIG_KEYS, IPAM_KEYS, NETWORK_KEYS } from './keys';
import { cidrContains, formatCidr, formatIP, hasHostBits, parseCidr, parseIP } from '../net/ip';
import type { Cidr } from '../net/ip';
import { checkIfName, checkObjectName } from './names';
import { checkIpv6Only } from './ipv6-only';
import { checkLowerLink, isLowerLinkDriver } from './network-driver';
import { field, sortedRecord } from './read';
import type { Field, Reader } from './read';
import { childPath } from './tree';
import type { IpamPool, NetworkSpec } from './types';

const BRIDGE_NAME_OPT = 'com.docker.network.bridge.name';
const MTU_OPT = 'com.docker.network.driver.mtu';
const MASQUERADE_OPT = 'com.docker.network.bridge.enable_ip_masquerade';
const ICC_OPT = 'com.docker.network.bridge.enable_icc';
const HOST_BINDING_OPT = 'com.docker.network.bridge.host_binding_ipv4';
const ENABLE_IPV6_OPT = 'com.docker.network.enable_ipv6';
const ENABLE_IPV4_OPT = 'com.docker.network.enable_ipv4';

/** Docker reads boolean options with strconv.ParseBool. */
const goBool = (v: string): boolean | undefined =>
  ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v) ? true : ['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v) ? false : undefined;

/** A network as `networks: {NAME: {}}` declares it (Docker's defaults: a bridge, masqueraded, icc on). */
export function defaultNetworkSpec(name: string): NetworkSpec {
  return {
    name,
    driver: 'bridge',
    external: false,
    internal: false,
    enableIpv6: false,
    ipMasquerade: true,
    icc: true,
    driverOpts: {},
    labels: {},
    ipam: [],
    extensions: {},
  };
}

export function normalizeNetwork(name: string, f: Field, r: Reader): NetworkSpec | undefined {
  const nameProblem = checkObjectName(name);
  if (nameProblem) r.error(f, `network name "${name}" ${nameProblem}`);
  const map = r.map(f, { nullable: true });
  if (!map) return undefined;
  const spec = defaultNetworkSpec(name);
  const keys = r.keys(map, f.path, NETWORK_KEYS, spec.extensions);
  let enableIpv4: boolean | undefined;
  for (const [key, kf] of keys) {
    switch (key) {
      case 'name': {
        const v = r.string(kf);
        if (v !== undefined) {
          if (v === '') r.error(kf, 'must not be empty');
          else spec.externalName = v;
        }
        break;
      }
      case 'driver': {
        const v = r.string(kf);
        if (v === 'p2p' || (v !== undefined && isLowerLinkDriver(v))) spec.driver = v;
        else if (v !== undefined && v !== 'bridge') r.error(kf, `the "${v}" network driver is not supported yet (only bridge, p2p, macvlan and ipvlan)`);
        break;
      }
      case 'driver_opts':
        driverOpts(kf, r, spec);
        break;
      case 'ipam':
        spec.ipam = ipam(kf, r);
        break;
      case 'external':
        external(kf, r, spec);
        break;
      case 'internal':
        spec.internal = r.bool(kf) ?? false;
        break;
      case 'enable_ipv6':
        spec.enableIpv6 = r.bool(kf) ?? false;
        break;
      case 'enable_ipv4':
        enableIpv4 = r.bool(kf);
        break;
      case 'attachable':
        r.bool(kf); // meaningful for Swarm only; accepted and ignored
        break;
      case 'labels':
        spec.labels = labels(kf, r);
        break;
    }
  }
  // As Docker: the key wins over its driver-option spelling.
  if (enableIpv4 === false) spec.ipv6Only = true;
  else if (enableIpv4 === true) delete spec.ipv6Only;
  if (!spec.external) checkLowerLink(spec, keys, r);
  if (spec.ipv6Only && !spec.external) checkIpv6Only(spec, keys, r);
  // Docker's way to put services on docker0: an external network named "bridge". Ours is the default bridge tsc0.
  if (spec.external && spec.externalName === 'bridge') spec.shared = true;
  if (spec.external) {
    // As Compose: an external network is configured where it was created.
    for (const key of keys.keys()) {
      if (key !== 'name' && key !== 'external') r.error(keys.get(key)!, `conflicts with "external: true" (an existing network is used as it is)`);
    }
  }
  return spec;
}

function external(f: Field, r: Reader, spec: NetworkSpec): void {
  if (f.node.kind === 'map') {
    // Legacy `external: {name: x}`.
    const keys = r.keys(f.node, f.path, EXTERNAL_KEYS);
    spec.external = true;
    const nf = keys.get('name');
    if (nf) {
      const v = r.string(nf);
      if (v !== undefined) {
        r.issues.warn(nf.path, '"external.name" is deprecated; use "name" next to "external: true"', nf.loc);
        if (spec.externalName !== undefined && spec.externalName !== v) r.error(nf, `conflicts with name "${spec.externalName}"`);
        spec.externalName = v;
      }
    }
    return;
  }
  spec.external = r.bool(f) ?? false;
}

function driverOpts(f: Field, r: Reader, spec: NetworkSpec): void {
  const map = r.map(f);
  if (!map) return;
  const opts: Array<[string, string]> = [];
  for (const e of map.entries.values()) {
    const of = field(f.path, e);
    const v = r.text(of);
    if (v === undefined) continue;
    opts.push([e.key, v]);
    if (e.key === BRIDGE_NAME_OPT) {
      const problem = checkIfName(v);
      if (problem) r.error(of, `bridge name "${v}" ${problem}`);
      else spec.bridgeName = v;
    } else if (e.key === MTU_OPT) {
      if (!/^[0-9]+$/.test(v)) r.error(of, `MTU "${v}" is not an integer`);
      else if (Number(v) < 68 || Number(v) > 65535) r.error(of, `MTU ${v} is out of range (68 to 65535)`);
      else spec.mtu = Number(v);
    } else if (e.key === MASQUERADE_OPT || e.key === ICC_OPT) {
      const b = goBool(v);
      if (b === undefined) r.error(of, `"${v}" is not a boolean (use "true" or "false")`);
      else spec[e.key === ICC_OPT ? 'icc' : 'ipMasquerade'] = b;
    } else if (e.key === ENABLE_IPV6_OPT || e.key === ENABLE_IPV4_OPT) {
      // The driver-option spelling of enable_ipv6 / enable_ipv4 (docker network create -o).
      const b = goBool(v);
      if (b === undefined) r.error(of, `"${v}" is not a boolean (use "true" or "false")`);
      else if (e.key === ENABLE_IPV6_OPT) spec.enableIpv6 ||= b;
      else if (!b) spec.ipv6Only = true;
    } else if (e.key === HOST_BINDING_OPT) {
      const ip = parseIP(v);
      if (!ip || ip.family !== 4) r.error(of, `"${v}" is not an IPv4 address`);
      else if (ip.value !== 0n) spec.hostBindingIpv4 = formatIP(ip);
    } else if (e.key.startsWith('com.docker.network.')) {
      r.error(of, `driver option ${e.key} is not supported yet`);
    }
  }
  spec.driverOpts = sortedRecord(opts);
}

export function labels(f: Field, r: Reader): Record<string, string> {
  // canonical.ts made lists into mappings.
  const map = r.map(f);
  if (!map) return {};
  const out: Array<[string, string]> = [];
  for (const e of map.entries.values()) {
    const v = r.text(field(f.path, e), { bool: true, nullAs: '' });
    if (v !== undefined) out.push([e.key, v]);
  }
  return sortedRecord(out);
}

function ipam(f: Field, r: Reader): IpamPool[] {
  const map = r.map(f);
  if (!map) return [];
  const keys = r.keys(map, f.path, IPAM_KEYS);
  const df = keys.get('driver');
  if (df) {
    const v = r.string(df);
    if (v !== undefined && v !== 'default') r.error(df, `the "${v}" IPAM driver is not supported yet (only default)`);
  }
  const cf = keys.get('config');
  if (!cf) return [];
  if (cf.node.kind !== 'seq') {
    r.error(cf, 'must be a list of mappings with subnet, ip_range, gateway, aux_addresses');
    return [];
  }
  const pools: IpamPool[] = [];
  cf.node.items.forEach((item, i) => {
    const pf: Field = { path: childPath(cf.path, i), loc: item.loc, node: item };
    const pool = ipamPool(pf, r);
    if (pool) pools.push(pool);
  });
  return pools;
}

function ipamPool(f: Field, r: Reader): IpamPool | undefined {
  const map = r.map(f);
  if (!map) return undefined;
  const keys = r.keys(map, f.path, IPAM_CONFIG_KEYS);
  const pool: IpamPool = { auxAddresses: {} };
  let subnet: Cidr | undefined;
  const sf = keys.get('subnet');
  if (sf) {
    const v = r.string(sf);
    if (v !== undefined) {
      subnet = parseCidr(v);
      if (!subnet) r.error(sf, `"${v}" is not a valid subnet in CIDR notation (e.g. 10.10.0.0/24 or fd00:1::/64)`);
      else if (hasHostBits(subnet)) {
        r.error(sf, `invalid subnet ${v}: host bits are set; the network is ${formatCidr(subnet)}`);
        subnet = undefined;
      } else pool.subnet = formatCidr(subnet);
    }
  }
  const inSubnet = (af: Field, what: string): string | undefined => {
    const v = r.string(af);
    if (v === undefined) return undefined;
    const ip = parseIP(v);
    if (!ip) {
      r.error(af, `${v} is not an IP address`);
      return undefined;
    }
    if (sf === undefined) r.error(af, `${what} needs a subnet in the same ipam config entry`);
    else if (subnet && !cidrContains(subnet, ip)) r.error(af, `${what} ${v} is not inside subnet ${pool.subnet}`);
    return formatIP(ip);
  };
  const gf = keys.get('gateway');
  if (gf) pool.gateway = inSubnet(gf, 'gateway');
  const rf = keys.get('ip_range');
  if (rf) {
    const v = r.string(rf);
    if (v !== undefined) {
      const range = parseCidr(v);
      if (!range) r.error(rf, `"${v}" is not a valid ip_range in CIDR notation`);
      else if (hasHostBits(range)) r.error(rf, `invalid ip_range ${v}: host bits are set; the range is ${formatCidr(range)}`);
      else if (sf === undefined) r.error(rf, 'ip_range needs a subnet in the same ipam config entry');
      else if (subnet && (range.family !== subnet.family || range.first < subnet.first || range.last > subnet.last)) {
        r.error(rf, `ip_range ${v} is not inside subnet ${pool.subnet}`);
      } else pool.ipRange = formatCidr(range);
    }
  }
  const af = keys.get('aux_addresses');
  if (af) {
    const amap = r.map(af);
    if (amap) {
      const aux: Array<[string, string]> = [];
      for (const e of amap.entries.values()) {
        const v = inSubnet(field(af.path, e), `aux address "${e.key}"`);
        if (v !== undefined) aux.push([e.key, v]);
      }
      pool.auxAddresses = sortedRecord(aux);
    }
  }
  return pool;
}
