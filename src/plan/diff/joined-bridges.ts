/**
 * A bridge another project joined (`external: true` by its name) outlives
 * its owner's `down` while a joiner's journal still has addresses on it, as
 * Docker keeps a network with active endpoints; the last joiner to go down
 * removes it (its owner's mark, and no journal names it any more).
 */
import type { SpecIssue } from '../../errors';
import type { Desired, Observed } from '../model';
import { parseOwnerAlias } from '../names';
import type { DiffContext } from './context';

/** Other projects with addresses (either family: an IPv6-only network's users have no IPv4) on `bridge`. */
export const joinersOf = (observed: Observed, bridge: string) =>
  observed.otherProjects.filter((o) => [...o.addresses, ...(o.addresses6 ?? [])].some((a) => a.bridge === bridge)).map((o) => o.project);

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

/** The joiner's side: a joined bridge whose owner is gone and that nobody else uses goes with us. */
export function orphanedJoinedBridges(ctx: DiffContext, after: string[]): void {
  const { desired, observed } = ctx;
  const wanted = new Set(Object.values(desired.networks).map((n) => n.bridge));
  const projects = new Set(observed.otherProjects.map((o) => o.project));
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
    });
  }
}
