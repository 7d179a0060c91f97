/**
 * The address families of another tscompose project's network that we join
 * (`external: true` by its name), as its owner's journal gives them: its
 * IPv4 subnet and gateway (none: an IPv6-only network, where the joiner's
 * containers get no IPv4 either), its IPv6 subnet and gateway (a
 * dual-stack or IPv6-only network: the joiner's containers get an IPv6
 * address there too, as Docker gives every endpoint both families), and
 * the addresses its users hold there, which allocation must not reuse. A
 * plain external Linux bridge has none of this: its IPv4 address is read
 * from the bridge as before (ipam.ts). Pure.
 */
import { cidrContains, hostRange, parseCidr, parseIP } from '../../net/ip';
import type { Observed } from '../model';
import type { NetworkAllocation } from '../ipam';
import { isExternal } from '../shared-bridge';
import type { Project } from '../../compose/types';

export interface JoinedFamilies {
  /** The owner's project. */
  project: string;
  /** IPv4 (absent: IPv6-only). */
  v4?: NetworkAllocation;
  v6?: NetworkAllocation;
  /** IPv6 addresses other projects' containers hold on its bridge. */
  taken6: bigint[];
}

/** network key → the families of the project network it joins; external keys on a plain bridge are absent. */
export function joinedFamilies(project: Project, keys: string[], bridges: Record<string, string>, observed: Observed): Record<string, JoinedFamilies> {
  const out: Record<string, JoinedFamilies> = {};
  for (const key of keys) {
    if (!isExternal(project.networks[key]!)) continue;
    const bridge = bridges[key]!;
    const owner = observed.otherProjects.find((o) => o.networks?.some((n) => n.bridge === bridge));
    const net = owner?.networks?.find((n) => n.bridge === bridge);
    if (!owner || !net) continue;
    const v4 = net.subnet && net.gateway ? { subnet: parseCidr(net.subnet)!, gateway: parseIP(net.gateway)!.value } : undefined;
    const subnet6 = net.subnet6 ? parseCidr(net.subnet6) : undefined;
    const v6 = subnet6 ? { subnet: subnet6, gateway: gateway6(net.gateway6, subnet6, bridge, observed) } : undefined;
    // Without either (an older journal): the bridge's IPv4 address, as for any external bridge.
    if (!v4 && !v6) continue;
    const taken6 = observed.otherProjects.flatMap((o) => (o.addresses6 ?? []).filter((a) => a.bridge === bridge).map((a) => parseIP(a.address)?.value ?? -1n));
    out[key] = { project: owner.project, ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}), taken6: taken6.filter((v) => v >= 0n) };
  }
  return out;
}

/** The journal's IPv6 gateway; else the bridge's address in the subnet (a journal from before gateway6 was kept). */
function gateway6(journal: string | undefined, subnet: NetworkAllocation['subnet'], bridge: string, observed: Observed): bigint {
  if (journal) return parseIP(journal)!.value;
  const link = observed.hostLinks.find((l) => l.name === bridge);
  const onBridge = link?.addresses.map((a) => parseIP(a.address)).find((p) => p?.family === 6 && cidrContains(subnet, p));
  return onBridge?.value ?? hostRange(subnet).first;
}
