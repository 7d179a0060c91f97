/**
 * `rm`: the DNS configuration without the removed containers' addresses
 * (their names, reverse names and client entries), so the project's server
 * — and, through the configuration it publishes, the servers of the other
 * projects on its networks (plan/dns-peers.ts) — stop answering for them.
 * Pure.
 */
import type { DnsConfig, DnsNameRecord } from './model';

export function withoutAddresses(config: DnsConfig, gone: string[]): DnsConfig {
  const drop = new Set(gone);
  const names: DnsConfig['names'] = {};
  for (const [net, table] of Object.entries(config.names)) {
    const kept: Record<string, DnsNameRecord> = {};
    for (const [name, rec] of Object.entries(table)) {
      const a = rec.a.filter((x) => !drop.has(x));
      const aaaa = rec.aaaa.filter((x) => !drop.has(x));
      if (a.length || aaaa.length) kept[name] = { a, aaaa };
    }
    names[net] = kept;
  }
  const ptr = Object.fromEntries(Object.entries(config.ptr).map(([net, t]) => [net, Object.fromEntries(Object.entries(t).filter(([address]) => !drop.has(address)))]));
  const clients = Object.fromEntries(Object.entries(config.clients).filter(([address]) => !drop.has(address)));
  return { ...config, names, ptr, clients };
}
