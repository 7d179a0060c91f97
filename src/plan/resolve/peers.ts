/** What /etc/hosts lists: every named interface (bridged or p2p) of every container, in attachment order. */
import type { DesiredInterface } from '../model';
import { PeerDirectory } from '../hosts';
import type { LinksResult } from '../lab';
import type { Replica } from './replicas';

/** An interface that /etc/hosts lists: its network and IPv4 address (IPv6 on an IPv6-only network). */
export interface NamedIface {
  network: string;
  address: string;
}

export function namedInterfaces(replicas: Replica[], interfaces: Map<string, DesiredInterface[]>, lab: LinksResult): Map<string, NamedIface[]> {
  const named = new Map<string, NamedIface[]>();
  for (const r of replicas) {
    const bridged = interfaces.get(r.name) ?? [];
    const ends = lab.ends.get(r.name) ?? [];
    const list: NamedIface[] = [];
    for (const n of r.service.networks) {
      const b = bridged.find((i) => i.network === n.network);
      const v4 = b ? b.address : ends.find((e) => e.network === n.network)?.addresses.find((a) => !a.address.includes(':'))?.address;
      const address = v4 ?? b?.address6;
      if (address) list.push({ network: n.network, address });
    }
    named.set(r.name, list);
  }
  return named;
}

/** `listed`: the networks whose members /etc/hosts names. */
export function peerDirectory(replicas: Replica[], named: Map<string, NamedIface[]>, listed: (network: string) => boolean = () => true): PeerDirectory {
  return new PeerDirectory(
    replicas.map((r, order) => ({
      container: r.name,
      service: r.service.name,
      order,
      on: new Map(
        (named.get(r.name) ?? []).filter((i) => listed(i.network)).map((i) => [
          i.network,
          { address: i.address, aliases: r.service.networks.find((n) => n.network === i.network)?.aliases ?? [] },
        ]),
      ),
    })),
  );
}
