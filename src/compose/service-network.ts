/**
 * A service's network keys: `networks` (attachments), `network_mode`,
 * `sysctls` (net.* and the IPC ones), `dns`, `dns_search`, `dns_opt`, `extra_hosts`,
 * and the checks between them once the service is read.
 */
import { unbracket } from './canonical';
import { ATTACHMENT_KEYS } from './keys';
import { IPC_SYSCTLS, isIpcSysctl } from './process-keys';
import { checkHostname, checkIfName } from './names';
import { formatIP, parseIP, parseMac } from '../net/ip';
import { field, sortedRecord } from './read';
import type { Field, Reader } from './read';
import type { ExtraHost, NetworkMode, ServiceNetwork, ServiceSpec } from './types';
import { sharedAttachment } from './shared-bridge';
import { endpointOpts } from './endpoint-opts';

export function defaultAttachment(): ServiceNetwork {
  return { network: 'default', aliases: [], gwPriority: 0, priority: 0 };
}

export function attachments(f: Field, r: Reader): ServiceNetwork[] {
  const map = r.map(f);
  if (!map) return [];
  const out: ServiceNetwork[] = [];
  const ifnames = new Map<string, Field>();
  for (const e of map.entries.values()) {
    const af = field(f.path, e);
    const a: ServiceNetwork = { network: e.key, aliases: [], gwPriority: 0, priority: 0 };
    out.push(a);
    const amap = r.map(af, { nullable: true });
    if (!amap) continue;
    const keys = r.keys(amap, af.path, ATTACHMENT_KEYS);
    for (const [key, kf] of keys) {
      switch (key) {
        case 'aliases':
          for (const { value, field: itf } of r.strings(kf) ?? []) {
            const problem = checkHostname(value);
            if (problem) r.error(itf, `alias "${value}" ${problem}`);
            else a.aliases.push(value);
          }
          break;
        case 'ipv4_address': {
          const v = r.string(kf);
          if (v === undefined) break;
          const ip = parseIP(v);
          if (!ip || ip.family !== 4) r.error(kf, `"${v}" is not an IPv4 address`);
          else a.ipv4Address = v; // the strict parse accepts only the canonical form
          break;
        }
        case 'ipv6_address': {
          const v = r.string(kf);
          if (v === undefined) break;
          const ip = parseIP(unbracket(v));
          if (!ip || ip.family !== 6) r.error(kf, `"${v}" is not an IPv6 address`);
          else a.ipv6Address = formatIP(ip);
          break;
        }
        case 'mac_address': {
          const mac = macAddress(kf, r);
          if (mac) a.macAddress = mac;
          break;
        }
        case 'interface_name': {
          const v = r.string(kf);
          if (v === undefined) break;
          const problem = v === 'lo' ? 'is the loopback interface' : checkIfName(v);
          const dup = ifnames.get(v);
          if (problem) r.error(kf, `interface name "${v}" ${problem}`);
          else if (dup) r.error(kf, `interface name "${v}" is already used for network "${dup.path.split('.').at(-2)}" of this service`);
          else {
            ifnames.set(v, kf);
            a.interfaceName = v;
          }
          break;
        }
        case 'driver_opts':
          endpointOpts(kf, r, a);
          break;
        case 'priority':
        case 'gw_priority': {
          const v = r.int(kf, { allowString: false });
          if (v !== undefined) a[key === 'priority' ? 'priority' : 'gwPriority'] = v;
          break;
        }
      }
    }
  }
  // Compose's attachment order: priority (desc), then network name.
  return out.sort((x, y) => y.priority - x.priority || (x.network < y.network ? -1 : x.network > y.network ? 1 : 0));
}

/** A unicast MAC address (any case, `:` or `-`), canonical; undefined (with an error at the key) otherwise. */
function macAddress(f: Field, r: Reader): string | undefined {
  const v = r.string(f);
  if (v === undefined) return undefined;
  const mac = parseMac(v);
  if (!mac) r.error(f, `${v} is not a MAC address (expected six hex pairs like 02:42:ac:11:00:02)`);
  else if (mac.multicast) r.error(f, `${v} is a multicast MAC address (the lowest bit of the first byte is set); use a unicast one such as 02:…`);
  else return mac.mac;
  return undefined;
}

/**
 * The service-level `mac_address` (docker run --mac-address): the MAC of its
 * one network attachment. With several networks Compose cannot tell which
 * is meant: set it under `networks.<name>` there.
 */
function serviceMac(svc: ServiceSpec, f: Field, r: Reader): void {
  const mac = macAddress(f, r);
  if (!mac) return;
  if (svc.networkMode.kind !== 'default') return r.error(f, `a MAC address needs a network of the service's own (network_mode is ${svc.networkMode.kind})`);
  if (svc.networks.length !== 1) return r.error(f, `the service has ${svc.networks.length} networks: set mac_address under the one it is for (networks.<name>.mac_address)`);
  const a = svc.networks[0]!;
  if (a.macAddress && a.macAddress !== mac) return r.error(f, `${mac} contradicts networks.${a.network}.mac_address (${a.macAddress})`);
  a.macAddress = mac;
}

export function networkMode(f: Field, r: Reader): NetworkMode | undefined {
  const v = r.string(f);
  if (v === undefined) return undefined;
  // `default` is Docker's name for bridge on Linux.
  if (v === 'bridge' || v === 'default') return { kind: 'default', shared: true };
  if (v === 'none' || v === 'host') return { kind: v };
  if (v.startsWith('service:')) {
    const service = v.slice('service:'.length);
    if (service === '') {
      r.error(f, 'network_mode "service:" needs a service name');
      return undefined;
    }
    return { kind: 'service', service };
  }
  if (v.startsWith('container:')) {
    r.error(f, 'network_mode "container:…" is not supported yet');
    return undefined;
  }
  r.error(f, `"${v}" is not a network mode (use bridge, none, host or service:<name>)`);
  return undefined;
}

export function sysctls(f: Field, r: Reader): Record<string, string> {
  const map = r.map(f);
  if (!map) return {};
  const out: Array<[string, string]> = [];
  for (const e of map.entries.values()) {
    const sf = field(f.path, e);
    if ((!e.key.startsWith('net.') || e.key.length <= 4) && !isIpcSysctl(e.key)) {
      r.error(sf, `sysctl "${e.key}" is not supported: only namespaced sysctls can be set (net.*, ${IPC_SYSCTLS.join(', ')}, fs.mqueue.*)`);
      continue;
    }
    const v = r.text(sf, { bool: true });
    if (v !== undefined) out.push([e.key, v]);
  }
  return sortedRecord(out);
}

/** Docker's special extra_hosts value: the host, as the container reaches it. */
export const HOST_GATEWAY = 'host-gateway';

export function extraHosts(f: Field, r: Reader): ExtraHost[] {
  const map = r.map(f);
  if (!map) return [];
  const out: ExtraHost[] = [];
  for (const e of map.entries.values()) {
    const hf = field(f.path, e);
    if (e.key === '' || /[\s#]/.test(e.key)) {
      r.error(hf, `"${e.key}" is not a host name`);
      continue;
    }
    if (e.value.kind !== 'seq') continue; // canonical.ts made every value a list
    for (const it of e.value.items) {
      if (it.kind !== 'scalar' || typeof it.value !== 'string') continue;
      if (it.value === HOST_GATEWAY) {
        out.push({ host: e.key, ip: HOST_GATEWAY });
        continue;
      }
      const ip = parseIP(it.value);
      if (!ip) r.error(hf, `${it.value} is not an IP address`);
      else out.push({ host: e.key, ip: formatIP(ip) });
    }
  }
  return out;
}

/** `dns`: servers by IP address. */
export function dnsServers(f: Field, r: Reader): string[] {
  return (r.strings(f) ?? []).flatMap(({ value, field: itf }) => {
    const ip = parseIP(value);
    if (!ip) {
      r.error(itf, `DNS server ${value} is not an IP address`);
      return [];
    }
    return [formatIP(ip)];
  });
}

/** `dns_search`: domains (`.` for none). */
export function dnsSearch(f: Field, r: Reader): string[] {
  return (r.strings(f) ?? []).flatMap(({ value, field: itf }) => {
    const problem = value === '.' ? undefined : checkHostname(value);
    if (problem) r.error(itf, `search domain "${value}" ${problem}`);
    return problem ? [] : [value];
  });
}

/** `dns_opt`: resolv.conf options, one word each. */
export function dnsOptions(f: Field, r: Reader): string[] {
  return (r.strings(f) ?? []).flatMap(({ value, field: itf }) => {
    if (value === '' || /\s/.test(value)) {
      r.error(itf, `DNS option "${value}" must be a single word such as ndots:2`);
      return [];
    }
    return [value];
  });
}

/**
 * What `network_mode` means for the other keys: `networks` cannot go with
 * it, published ports are dropped (host) or refused, and a service with
 * neither joins the `default` network.
 */
export function settleNetworking(svc: ServiceSpec, keys: Map<string, Field>, r: Reader): void {
  const modeField = keys.get('network_mode');
  const networksField = keys.get('networks');
  if (modeField && networksField) {
    // As Compose, whatever the mode (even bridge).
    r.error(modeField, 'network_mode and networks are mutually exclusive; remove one of them');
  }
  const portsField = keys.get('ports');
  if (portsField && svc.ports.length && svc.networkMode.kind !== 'default') {
    if (svc.networkMode.kind === 'host') {
      // As Compose: the container already listens on the host's addresses.
      r.issues.warn(portsField.path, 'published ports are discarded with network_mode: host', portsField.loc);
    } else {
      r.error(portsField, `ports cannot be published with network_mode "${svc.networkMode.kind === 'none' ? 'none' : `service:${svc.networkMode.service}`}" (the container has no network of its own)`);
    }
    svc.ports = [];
  }
  if (svc.networkMode.kind !== 'default') svc.networks = [];
  else if (svc.networkMode.shared) svc.networks = [sharedAttachment()];
  else if (svc.networks.length === 0 && (!networksField || (networksField.node.kind === 'map' && networksField.node.entries.size === 0))) {
    svc.networks = [defaultAttachment()];
  }
  const macField = keys.get('mac_address');
  if (macField) serviceMac(svc, macField, r);
}

/** A service's networking key read into `svc`; false when `key` is not one of them. */
export function networkingKey(svc: ServiceSpec, key: string, kf: Field, r: Reader): boolean {
  switch (key) {
    case 'networks':
      svc.networks = attachments(kf, r);
      return true;
    case 'network_mode':
      svc.networkMode = networkMode(kf, r) ?? svc.networkMode;
      return true;
    case 'sysctls':
      svc.sysctls = sysctls(kf, r);
      return true;
    case 'dns':
      svc.dns = dnsServers(kf, r);
      return true;
    case 'dns_search':
      svc.dnsSearch = dnsSearch(kf, r);
      return true;
    case 'dns_opt':
      svc.dnsOpt = dnsOptions(kf, r);
      return true;
    case 'extra_hosts':
      svc.extraHosts = extraHosts(kf, r);
      return true;
  }
  return false;
}
