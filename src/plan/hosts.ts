/**
 * The peer part of every container's /etc/hosts: for each network the
 * container is on (in its order), every container on that network with its
 * service and container names (on the first network they share) and its
 * aliases there. It depends only on the list of networks, so it is computed
 * once per distinct list: a thousand containers on one bridge share one.
 */
import type { HostsEntry } from './files';

export interface Member {
  container: string;
  service: string;
  /** Position in replica order, so every file lists peers the same way. */
  order: number;
  /** network → address and aliases there. */
  on: Map<string, { address: string; aliases: string[] }>;
}

export class PeerDirectory {
  private readonly byNetwork = new Map<string, Member[]>();
  private readonly cache = new Map<string, HostsEntry[]>();

  constructor(members: Member[]) {
    for (const m of members) {
      for (const net of m.on.keys()) {
        const list = this.byNetwork.get(net);
        if (list) list.push(m);
        else this.byNetwork.set(net, [m]);
      }
    }
  }

  entriesFor(networks: string[]): HostsEntry[] {
    const key = networks.join('\0');
    let out = this.cache.get(key);
    if (out) return out;
    const peers = new Map<string, Member>();
    for (const net of networks) for (const m of this.byNetwork.get(net) ?? []) peers.set(m.container, m);
    out = [];
    for (const m of [...peers.values()].sort((a, b) => a.order - b.order)) {
      let first = true;
      for (const net of networks) {
        const here = m.on.get(net);
        if (!here) continue;
        const names = [...new Set([...(first ? [m.service, m.container] : []), ...here.aliases])];
        first = false;
        if (names.length) out.push({ address: here.address, names });
      }
    }
    this.cache.set(key, out);
    return out;
  }
}
