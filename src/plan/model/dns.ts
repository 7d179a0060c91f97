/**
 * The DNS server's configuration (plan/dns.ts builds it, dns/server.ts
 * answers with it): part of `Desired`.
 */

export interface DnsNameRecord {
  a: string[];
  aaaa: string[];
}

export interface DnsClient {
  /** The networks whose names this container sees, in its attachment order. */
  networks: string[];
  /** The service's `dns:` servers, used instead of the host's for other names. */
  upstream?: string[];
  /** false: only on internal networks, other names are refused (no way out, not even by DNS). */
  forward: boolean;
  /**
   * Its networks that are another project's: forward stays false for them
   * only while their owner says they are internal (plan/dns-peers.ts).
   */
  joined?: string[];
}

export interface DnsConfig {
  version: 1;
  project: string;
  /**
   * Addresses the server answers on (each network's gateways). `shared`: the
   * gateway of another project's network we joined, where its server answers
   * too (UDP only, dns/server.ts).
   */
  listen: Array<{ network: string; address: string; shared?: true }>;
  /** The host's resolvers, for every other name. */
  upstream: string[];
  /** network → lowercase name → addresses. */
  names: Record<string, Record<string, DnsNameRecord>>;
  /** network → address → container name. */
  ptr: Record<string, Record<string, string>>;
  /** Container address → what it sees. */
  clients: Record<string, DnsClient>;
  /** The project's subnets: reverse lookups inside them are answered here, never forwarded. */
  subnets: string[];
  /**
   * network → kernel bridge, for the networks of `names` (its own and the
   * tscompose networks of other projects it joined): how the servers of
   * projects sharing a bridge match each other's records (plan/dns-peers.ts).
   */
  bridges?: Record<string, string>;
  /** Its own internal networks (their joiners' containers there get no way out by DNS either). */
  internal?: string[];
}
