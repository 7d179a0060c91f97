/** The checks p2p networks need: exactly two members, no gateway, room for two addresses, one subnet a family. */
import { parseCidr } from '../../net/ip';
import type { Issues } from '../issues';
import type { Model, Sources } from './common';

export function checkP2p(model: Model, sources: Sources, issues: Issues): void {
  const members = new Map<string, string[]>();
  for (const svc of Object.values(model.services)) {
    for (const a of svc.networks) {
      const net = model.networks[a.network];
      if (net?.driver !== 'p2p') continue;
      const list = members.get(a.network) ?? [];
      for (let i = 1; i <= svc.scale; i++) list.push(svc.scale > 1 ? `${svc.name} (replica ${i})` : svc.name);
      members.set(a.network, list);
    }
  }
  const at = (path: string) => sources.get(path) ?? undefined;
  for (const net of Object.values(model.networks)) {
    if (net.driver !== 'p2p') continue;
    const base = `networks.${net.name}`;
    const err = (path: string, message: string) => issues.error(path, message, at(path) ?? at(base));
    const list = members.get(net.name) ?? [];
    if (list.length !== 2) {
      err(base, `a p2p network links exactly two containers; ${list.length === 0 ? 'none attaches' : `${list.length} attach`} to it${list.length ? ` (${list.join(', ')})` : ''}`);
    }
    if (net.external) err(`${base}.external`, 'a p2p network cannot be external (it is a veth pair between two containers)');
    if (net.bridgeName !== undefined) err(`${base}.driver_opts`, 'a p2p network has no bridge: com.docker.network.bridge.name does not apply');
    const families = new Set<number>();
    net.ipam.forEach((p, i) => {
      const path = `${base}.ipam.config.${i}`;
      if (p.gateway !== undefined) err(`${path}.gateway`, 'a p2p link has no gateway: the two ends talk directly (route through the peer with x-routes)');
      const c = p.subnet ? parseCidr(p.subnet) : undefined;
      if (!c) return;
      if (families.has(c.family)) err(`${path}.subnet`, `a p2p link takes one IPv${c.family} subnet`);
      families.add(c.family);
      if (c.prefix >= (c.family === 4 ? 32 : 128)) err(`${path}.subnet`, `${p.subnet} has room for one address; a link needs two (use a /31 or /30${c.family === 6 ? ', or /127' : ''})`);
    });
  }
}
