/**
 * Names across projects on one bridge, as Docker's embedded DNS resolves per
 * network whoever started the containers: every project publishes its DNS
 * configuration (apply/handlers/dns.ts, `/run/tscompose/.dns/PROJECT.json`),
 * and each server merges the others' into its own (dns/server.ts reloads
 * when one changes). Networks are matched by kernel bridge, never by key.
 *
 * The servers of all the projects on a bridge answer on its gateway
 * (dns/server.ts), so any of them may get a query from any container there:
 * each knows every project's containers (`clients`) and names. What a
 * container sees is still decided by its own networks only: a peer's
 * records for a bridge join the table of our network on that bridge; a
 * peer's bridge that is none of ours goes under `@BRIDGE`, which only the
 * peers' own containers (asking us on a gateway we share) see. Pure.
 */
import type { DnsConfig, DnsNameRecord } from './model';

export const FOREIGN_PREFIX = '@';

export function mergePeers(own: DnsConfig, peers: DnsConfig[]): DnsConfig {
  const others = peers.filter((p) => p.project !== own.project && p.bridges);
  return settleForward(others.length ? mergeRecords(own, others) : own, [own, ...others]);
}

function mergeRecords(own: DnsConfig, peers: DnsConfig[]): DnsConfig {
  const keyOf = new Map(Object.entries(own.bridges ?? {}).map(([key, bridge]) => [bridge, key]));
  const names: DnsConfig['names'] = Object.fromEntries(Object.entries(own.names).map(([k, t]) => [k, copyTable(t)]));
  const ptr: DnsConfig['ptr'] = Object.fromEntries(Object.entries(own.ptr).map(([k, t]) => [k, { ...t }]));
  const clients: DnsConfig['clients'] = { ...own.clients };
  const subnets = new Set(own.subnets);
  for (const peer of [...peers].sort((a, b) => a.project.localeCompare(b.project))) {
    // Its containers may ask us (on a gateway we share): reverse lookups in its subnets stay here too.
    for (const net of peer.subnets) subnets.add(net);
    const target = (peerKey: string) => {
      const bridge = peer.bridges![peerKey];
      return bridge === undefined ? undefined : (keyOf.get(bridge) ?? `${FOREIGN_PREFIX}${bridge}`);
    };
    for (const [peerKey, table] of Object.entries(peer.names)) {
      const key = target(peerKey);
      if (key === undefined) continue;
      const into = (names[key] ??= {});
      for (const [name, rec] of Object.entries(table)) mergeRecord((into[name] ??= { a: [], aaaa: [] }), rec);
      // Our own containers' names win for their addresses; a peer's fill the rest.
      ptr[key] = { ...(peer.ptr[peerKey] ?? {}), ...(ptr[key] ?? {}) };
    }
    for (const [address, client] of Object.entries(peer.clients)) {
      if (clients[address]) continue;
      const mapped = (keys: string[]) => keys.map(target).filter((k): k is string => k !== undefined);
      clients[address] = { ...client, networks: mapped(client.networks), ...(client.joined ? { joined: mapped(client.joined) } : {}) };
    }
  }
  return { ...own, names, ptr, clients, subnets: [...subnets] };
}

/**
 * A container whose only way out is another project's network: no way out
 * by DNS either when that network is internal (as its owner publishes);
 * with its owner gone or silent, as any network.
 */
function settleForward(config: DnsConfig, all: DnsConfig[]): DnsConfig {
  const internal = new Set(all.flatMap((c) => (c.internal ?? []).map((k) => c.bridges?.[k])));
  const bridgeOf = (key: string) => (key.startsWith(FOREIGN_PREFIX) ? key.slice(FOREIGN_PREFIX.length) : config.bridges?.[key]);
  const clients: DnsConfig['clients'] = {};
  for (const [address, c] of Object.entries(config.clients)) {
    clients[address] = !c.forward && c.joined?.length ? { ...c, forward: c.joined.some((k) => !internal.has(bridgeOf(k))) } : c;
  }
  return { ...config, clients };
}

function copyTable(t: Record<string, DnsNameRecord>): Record<string, DnsNameRecord> {
  return Object.fromEntries(Object.entries(t).map(([n, r]) => [n, { a: [...r.a], aaaa: [...r.aaaa] }]));
}

function mergeRecord(into: DnsNameRecord, rec: DnsNameRecord): void {
  for (const a of rec.a) if (!into.a.includes(a)) into.a.push(a);
  for (const a of rec.aaaa) if (!into.aaaa.includes(a)) into.aaaa.push(a);
}
