/**
 * A bridge another project joined (`external: true` by its name) outlives
 * its owner's `down` while a joiner's journal still has addresses on it, as
 * Docker keeps a network with active endpoints ("Resource is still in
 * use"). It stays joinable by name: the owner's `down` leaves a
 * network-only record (journal.ts networkOnlyJournal) that the owner's
 * next `up` re-adopts; the last user to go down removes the bridge and its
 * network from that record (the record with its last network).
 */
import type { SpecIssue } from '../../errors';
import type { Desired, Observed, StateNetwork } from '../model';
import { parseOwnerAlias } from '../names';
import type { DiffContext } from './context';

/** Other projects with addresses (either family: an IPv6-only network's users have no IPv4) on `bridge`. */
export const joinersOf = (observed: Observed, bridge: string) =>
  observed.otherProjects.filter((o) => [...o.addresses, ...(o.addresses6 ?? [])].some((a) => a.bridge === bridge)).map((o) => o.project);

/** The owner's networks that stay for other projects (`down` keeps them in a network-only record), or undefined. */
export function keptNetworks(desired: Desired, observed: Observed): Record<string, StateNetwork> | undefined {
  const wanted = new Set(Object.values(desired.networks).map((n) => n.bridge));
  const kept = Object.entries(observed.state?.networks ?? {}).filter(
    ([, n]) => n.managed && !n.shared && !wanted.has(n.bridge) && joinersOf(observed, n.bridge).length && observed.hostLinks.some((l) => l.name === n.bridge),
  );
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** The owner's side: why each of its bridges that other projects use is left in place (plan warnings). */
export function keptForJoiners(desired: Desired, observed: Observed): SpecIssue[] {
  const wanted = new Set(Object.values(desired.networks).map((n) => n.bridge));
  return Object.entries(observed.state?.networks ?? {}).flatMap(([key, n]) => {
    if (!n.managed || n.shared || wanted.has(n.bridge)) return [];
    const users = joinersOf(observed, n.bridge);
    if (!users.length || !observed.hostLinks.some((l) => l.name === n.bridge)) return [];
    return [{ path: `networks.${key}`, message: `network ${n.name ?? key} (bridge ${n.bridge}) is left in place: project ${users.join(', ')} is attached to it; the last of them to go down removes it` }];
  });
}

/** The joiner's side: a joined bridge whose owner is gone (or only its network-only record is left) and that nobody else uses goes with us. */
export function orphanedJoinedBridges(ctx: DiffContext, after: string[]): void {
  const { desired, observed } = ctx;
  const wanted = new Set(Object.values(desired.networks).map((n) => n.bridge));
  const projects = new Set(observed.otherProjects.filter((o) => !o.keptOnly).map((o) => o.project));
  const records = new Set(observed.otherProjects.filter((o) => o.keptOnly).map((o) => o.project));
  for (const [key, n] of Object.entries(observed.state?.networks ?? {})) {
    if (n.managed || n.shared || wanted.has(n.bridge)) continue;
    const link = ctx.hostLinks.get(n.bridge);
    const mark = parseOwnerAlias(link?.alias);
    if (!link || link.kind !== 'bridge' || !mark || !mark.object.startsWith('network:') || mark.project === desired.project) continue;
    if (projects.has(mark.project) || joinersOf(observed, n.bridge).length) continue;
    ctx.push({
      kind: 'bridge.delete',
      id: `bridge.delete:${key}`,
      target: n.bridge,
      reason: `project ${mark.project} is down and left it to its last user`,
      after: [...after],
      network: key,
      bridge: n.bridge,
      ...(records.has(mark.project) ? { record: { project: mark.project, network: mark.object.slice('network:'.length) } } : {}),
    });
  }
}
