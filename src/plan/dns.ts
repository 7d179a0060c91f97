/**
 * Service discovery over DNS, as Docker's embedded DNS does it for
 * user-defined networks: the project's DNS server answers on each bridge's
 * gateway; a container's resolv.conf points at the gateway of its first
 * network. The server sees, per querying container, the names of the
 * networks that container is on (service names, container names, aliases,
 * `<service>-<n>`), A/AAAA and PTR; anything else goes to the host's
 * resolvers (or the service's `dns:` servers). This module builds the
 * server's configuration; pure.
 */
import { cidrContains, formatIP, parseCidr, parseIP } from '../net/ip';
import type { ServiceSpec } from '../compose/types';
import type { DesiredInterface, DesiredNetwork, DnsClient, DnsConfig, DnsNameRecord } from './model';
import type { HostResolver } from './files';

export interface DnsReplica {
  name: string;
  service: ServiceSpec;
  index: number;
  interfaces: DesiredInterface[];
}

export function buildDnsConfig(
  project: string,
  networks: Record<string, DesiredNetwork>,
  replicas: DnsReplica[],
  host: HostResolver,
): DnsConfig | undefined {
  const bridged = replicas.filter((r) => r.interfaces.length > 0);
  // Not on the default bridge (shared with other projects; as docker0, it has no name service).
  // Names on another tscompose project's network we joined: its server answers there, ours
  // publishes our names on it (plan/dns-peers.ts); any other external bridge is not ours to name.
  const named = (k: string) => servedByUs(networks[k]!) || networks[k]!.joined !== undefined;
  if (!bridged.some((r) => r.interfaces.some((i) => named(i.network)))) return undefined;
  const used = new Set(bridged.flatMap((r) => r.interfaces.map((i) => i.network)));
  const keys = Object.keys(networks).filter((k) => used.has(k) && named(k)).sort();
  const names: DnsConfig['names'] = {};
  const ptr: DnsConfig['ptr'] = {};
  const listen: DnsConfig['listen'] = [];
  const bridges: Record<string, string> = {};
  for (const key of keys) {
    const net = networks[key]!;
    bridges[key] = net.bridge;
    // A joined network's gateway is shared with its owner's server (which may go first); any other
    // external bridge's address is not ours to answer on (libvirt's dnsmasq may be there).
    const shared = servedByUs(net) ? {} : { shared: true as const };
    // An IPv6-only network: its IPv6 gateway only.
    if (net.gateway) listen.push({ network: key, address: net.gateway, ...shared });
    if (net.ipv6) listen.push({ network: key, address: net.ipv6.gateway, ...shared });
    const table: Record<string, DnsNameRecord> = {};
    const add = (name: string, iface: DesiredInterface) => {
      const rec = (table[name.toLowerCase()] ??= { a: [], aaaa: [] });
      if (iface.address && !rec.a.includes(iface.address)) rec.a.push(iface.address);
      if (iface.address6 && !rec.aaaa.includes(iface.address6)) rec.aaaa.push(iface.address6);
    };
    const members = bridged.flatMap((r) => r.interfaces.filter((i) => i.network === key).map((iface) => ({ r, iface })));
    for (const { r, iface } of members) {
      add(r.service.name, iface);
      add(r.name, iface);
      for (const alias of r.service.networks.find((n) => n.network === key)?.aliases ?? []) add(alias, iface);
    }
    // `<service>-<n>` (the replicas' host names) unless a real name says otherwise.
    for (const { r, iface } of members) {
      const replicaName = `${r.service.name}-${r.index}`.toLowerCase();
      const own = (t: DnsNameRecord) => (iface.address ? t.a.every((a) => a === iface.address) : t.aaaa.every((a) => a === iface.address6));
      if (!table[replicaName] || own(table[replicaName]!)) add(replicaName, iface);
    }
    names[key] = table;
    ptr[key] = Object.fromEntries(
      members.flatMap(({ r, iface }) => [...(iface.address ? [[iface.address, r.name]] : []), ...(iface.address6 ? [[iface.address6, r.name]] : [])]),
    );
  }
  const clients: DnsConfig['clients'] = {};
  for (const r of bridged) {
    const nets = r.interfaces.map((i) => i.network).filter((n) => keys.includes(n));
    // Whether another project's network is internal only its owner knows: the server settles it (dns-peers.ts).
    const joined = nets.filter((n) => networks[n]!.joined !== undefined);
    const client: DnsClient = {
      networks: nets,
      ...(r.service.dns.length ? { upstream: r.service.dns } : {}),
      forward: r.interfaces.some((i) => !networks[i.network]!.internal && networks[i.network]!.joined === undefined),
      ...(joined.length ? { joined } : {}),
    };
    for (const i of r.interfaces) {
      if (i.address) clients[i.address] = client;
      if (i.address6) clients[i.address6] = client;
    }
  }
  const subnets = keys.filter((k) => servedByUs(networks[k]!)).flatMap((k) => [...(networks[k]!.subnet ? [networks[k]!.subnet!] : []), ...(networks[k]!.ipv6 ? [networks[k]!.ipv6!.subnet] : [])]);
  const internal = keys.filter((k) => servedByUs(networks[k]!) && networks[k]!.internal);
  return { version: 1, project, listen, upstream: host.nameservers, names, ptr, clients, subnets, bridges, ...(internal.length ? { internal } : {}) };
}

/** Our own bridges, where our server answers (not the machine's default bridge: as docker0, no names there). */
const servedByUs = (net: DesiredNetwork) => net.managed && !net.shared;

/**
 * The nameserver of a container: the gateway of its first network of ours,
 * else of its first joined tscompose network (its owner's server and ours
 * both answer there); undefined: the host's resolvers.
 */
export function dnsGatewayFor(networks: Record<string, DesiredNetwork>, view: Array<{ network: string }>): string | undefined {
  const ours = view.find((i) => networks[i.network] && servedByUs(networks[i.network]!));
  const joined = view.find((i) => networks[i.network]?.joined !== undefined);
  const key = (ours ?? joined)?.network;
  // An IPv6-only network's server listens on its IPv6 gateway.
  return key ? (networks[key]!.gateway ?? networks[key]!.ipv6?.gateway) : undefined;
}

/**
 * resolv.conf of a container on bridged networks: our server on the gateway
 * of its first network, the service's (else the host's) search domains and
 * options, as Docker writes it for user-defined networks.
 */
export function renderEmbeddedResolvConf(
  nameserver: string,
  host: HostResolver,
  svc: { dnsSearch: string[]; dnsOpt: string[] },
): string {
  const search = svc.dnsSearch.length ? svc.dnsSearch : host.search;
  const options = svc.dnsOpt.length ? svc.dnsOpt : host.options;
  const lines = ['# Generated by tscompose: the project\'s DNS server (service names, then the host\'s resolvers).', `nameserver ${nameserver}`];
  if (search.length) lines.push(`search ${search.join(' ')}`);
  if (options.length) lines.push(`options ${options.join(' ')}`);
  return lines.join('\n') + '\n';
}

// ------------------------------------------------------------- answering

export type DnsAnswer =
  | { kind: 'records'; type: 'A' | 'AAAA'; addresses: string[] }
  | { kind: 'ptr'; name: string }
  /** Our name, but no record of that type: NOERROR without answers. */
  | { kind: 'nodata' }
  /** In our reverse zones but unknown: NXDOMAIN, never forwarded. */
  | { kind: 'nxdomain' }
  | { kind: 'forward'; upstream: string[] }
  | { kind: 'refused' };

/** The networks a query is answered from: the client's, else the one it arrived on. */
export function viewOf(config: DnsConfig, client: string, arrivedOn: string): { networks: string[]; client?: DnsClient } {
  const c = config.clients[canonicalIp(client)];
  return c ? { networks: c.networks, client: c } : { networks: [arrivedOn] };
}

/** What to answer for one question. Pure: the server does the sockets. */
export function answer(config: DnsConfig, client: string, arrivedOn: string, qname: string, qtype: string): DnsAnswer {
  const { networks, client: c } = viewOf(config, client, arrivedOn);
  const name = qname.toLowerCase().replace(/\.$/, '');
  const reverse = reverseAddress(name);
  if (reverse !== undefined) {
    if (qtype === 'PTR') {
      for (const n of networks) {
        const hit = config.ptr[n]?.[reverse];
        if (hit) return { kind: 'ptr', name: hit };
      }
    }
    const ip = parseIP(reverse);
    if (ip && config.subnets.some((s) => cidrContains(parseCidr(s)!, ip))) return { kind: 'nxdomain' };
  } else {
    for (const n of networks) {
      const rec = config.names[n]?.[name];
      if (!rec) continue;
      if (qtype === 'A' && rec.a.length) return { kind: 'records', type: 'A', addresses: rec.a };
      if (qtype === 'AAAA' && rec.aaaa.length) return { kind: 'records', type: 'AAAA', addresses: rec.aaaa };
      return { kind: 'nodata' };
    }
  }
  if (c && !c.forward) return { kind: 'refused' };
  const upstream = c?.upstream ?? config.upstream;
  return upstream.length ? { kind: 'forward', upstream } : { kind: 'refused' };
}

function canonicalIp(s: string): string {
  // IPv4-mapped IPv6 (a dual-stack socket's view of an IPv4 client).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) return mapped[1]!;
  const ip = parseIP(s);
  if (!ip || ip.family === 4) return s;
  // The same text our planner writes (RFC 5952).
  return formatIP(ip);
}

/** `4.3.2.1.in-addr.arpa` → `1.2.3.4`; nibble `ip6.arpa` names → the IPv6 address; else undefined. */
export function reverseAddress(name: string): string | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
  if (v4) {
    const text = [v4[4], v4[3], v4[2], v4[1]].join('.');
    return parseIP(text)?.family === 4 ? text : undefined;
  }
  const v6 = /^((?:[0-9a-f]\.){32})ip6\.arpa$/.exec(name);
  if (v6) {
    const nibbles = v6[1]!.split('.').filter(Boolean).reverse().join('');
    return formatIP({ family: 6, value: BigInt(`0x${nibbles}`) });
  }
  return undefined;
}
