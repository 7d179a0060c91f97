/**
 * `external: true` networks that are another tscompose project's network,
 * found by the name that project gave it (`PROJECT_KEY`, as Compose names
 * networks, or its `name:`), read from its journal: we join its bridge.
 */
import type { SourceLoc, SpecIssue } from '../../errors';
import type { Observed } from '../model';

export function otherProjectNetwork(name: string, observed: Observed, loc: SourceLoc | undefined, path: string): { bridge?: string; issue?: SpecIssue } {
  for (const o of observed.otherProjects) {
    const net = o.networks?.find((n) => n.name === name);
    if (!net) continue;
    const link = observed.hostLinks.find((l) => l.name === net.bridge);
    if (link?.kind === 'bridge') return { bridge: net.bridge };
    return { issue: { path, loc, message: `external network ${name} is project ${o.project}'s, but its bridge ${net.bridge} does not exist: bring ${o.project} up first` } };
  }
  return {};
}

/** ` (tscompose networks here: a_front, b_back)`, or nothing when there are none: what the user may have meant. */
export function knownNetworks(observed: Observed): string {
  const names = observed.otherProjects.flatMap((o) => (o.networks ?? []).map((n) => n.name)).sort();
  return names.length ? ` (tscompose networks on this machine: ${names.join(', ')})` : '';
}
