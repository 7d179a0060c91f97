/**
 * What the file no longer has: containers stopped and removed (dependents
 * first), `down -v` volumes, then veths, namespaces and, last, bridges.
 * Only objects with this project's mark, or in its journal, are removed.
 */
import { lifecycleIds, lifecycleOrder, stopAction } from '../lifecycle';
import { netnsPrefix, parseOwnerAlias } from '../names';
import type { StateContainer } from '../model';
import type { DiffContext, DiffOptions } from './context';
import { tunnelRemovals } from './tunnels';
import { sharedBridgeRemoval } from './shared-bridge';
import { joinersOf, orphanedJoinedBridges } from './joined-bridges';
import { dummyParentRemovals } from './dummy-parents';

export function removals(ctx: DiffContext, opts: DiffOptions): void {
  const kept = keptOneOffs(ctx, opts);
  const stopIds = stopLeaving(ctx, opts, kept);
  const stops = [...stopIds.values()];
  volumeRemovals(ctx, opts, stops);
  const doomedNs = doomedNamespaces(ctx, kept);
  const removed = vethRemovals(ctx, stopIds, doomedNs, kept);
  // Every stop precedes every namespace removal: a container may live in another's namespace.
  for (const ns of [...doomedNs].sort()) {
    removed.push(
      ctx.push({ kind: 'netns.delete', id: `netns.delete:${ns}`, target: ns, reason: 'container removed (its veths go with it)', after: [...stops], netns: ns }),
    );
  }
  // Tunnel ports of bridges (x-hosts) before their bridge.
  removed.push(...tunnelRemovals(ctx));
  bridgeRemovals(ctx, [...removed, ...stops]);
  dummyParentRemovals(ctx, [...removed, ...stops]);
  sharedBridgeRemoval(ctx, [...removed, ...stops]);
  orphanedJoinedBridges(ctx, [...removed, ...stops]);
}

/** `up` (keepOneOffs): the journal's `run` containers, which stay with their namespace, veths and cgroup. */
export function keptOneOffs(ctx: Pick<DiffContext, 'observed'>, opts: DiffOptions): Map<string, StateContainer> {
  if (!opts.keepOneOffs) return new Map();
  return new Map(Object.entries(ctx.observed.state?.containers ?? {}).filter(([, c]) => c.oneOff));
}

/** Containers in the journal or on the machine that the file no longer has. Returns container → its stop id. */
function stopLeaving(ctx: DiffContext, opts: DiffOptions, kept: Map<string, StateContainer>): Map<string, string> {
  const state = ctx.observed.state;
  const known = new Set([...Object.keys(ctx.observed.containers), ...Object.keys(state?.containers ?? {})]);
  const leaving = [...known].filter((name) => !ctx.desired.containers[name] && !kept.has(name)).sort();
  // Dependents stop first, as Docker Compose stops them.
  const first = lifecycleOrder(leaving, (n) => state?.containers[n]?.startAfter, 'stop');
  const stopIds = new Map<string, string>();
  for (const name of leaving) {
    const prior = state?.containers[name];
    const stop = stopAction({ name, service: prior?.service ?? name }, 'not in the file any more', {
      after: lifecycleIds('stop', first.get(name)!),
      timeoutSec: opts.stopTimeoutSec,
      launch: prior?.launch,
      remove: true,
    });
    stopIds.set(name, ctx.push(stop));
  }
  return stopIds;
}

/** `down -v`: named volumes, after every container that may use them has stopped. */
function volumeRemovals(ctx: DiffContext, opts: DiffOptions, stops: string[]): void {
  const existing = new Set(ctx.observed.volumes ?? []);
  for (const v of [...new Set(opts.removeVolumes ?? [])].sort()) {
    if (!existing.has(v)) continue;
    ctx.push({ kind: 'volume.delete', id: `volume.delete:${v}`, target: v, reason: 'down -v', after: [...stops], volume: v });
  }
}

/** Existing namespaces of the project that no desired container lives in: deleting one destroys the veths inside it. */
function doomedNamespaces(ctx: DiffContext, kept: Map<string, StateContainer>): Set<string> {
  const { desired, observed } = ctx;
  const wanted = new Set(Object.values(desired.containers).flatMap((c) => (c.netns.kind === 'own' ? [c.netns.name] : [])));
  for (const c of kept.values()) if (c.netns) wanted.add(c.netns);
  const known = [...Object.keys(observed.netns), ...Object.values(observed.state?.containers ?? {}).flatMap((c) => (c.netns ? [c.netns] : []))];
  return new Set(known.filter((ns) => !wanted.has(ns) && ns.startsWith(netnsPrefix(desired.project)) && observed.netns[ns]));
}

/** Host ends of veths that no desired container wants, unless their namespace goes anyway. Returns the ids pushed. */
function vethRemovals(ctx: DiffContext, stopIds: Map<string, string>, doomedNs: Set<string>, kept: Map<string, StateContainer>): string[] {
  const { desired, observed } = ctx;
  const ids: string[] = [];
  const wanted = new Set(Object.values(desired.containers).flatMap((c) => c.interfaces.map((i) => i.hostVeth)));
  for (const c of kept.values()) for (const i of c.interfaces) wanted.add(i.hostVeth);
  const vethOwner = new Map<string, { container: string; netns?: string }>();
  for (const [name, c] of Object.entries(observed.state?.containers ?? {})) {
    for (const i of c.interfaces) vethOwner.set(i.hostVeth, { container: name, ...(c.netns ? { netns: c.netns } : {}) });
  }
  for (const l of observed.hostLinks) {
    if (wanted.has(l.name)) continue;
    const mark = parseOwnerAlias(l.alias);
    const known = vethOwner.get(l.name);
    const ours = (mark?.project === desired.project && mark.object.startsWith('veth:')) || (known && l.kind === 'veth');
    if (!ours) continue;
    const container = known?.container ?? mark?.object.split(':')[1] ?? '';
    const netns = known?.netns ?? desired.containers[container]?.netns;
    const nsName = typeof netns === 'string' ? netns : netns?.kind === 'own' ? netns.name : undefined;
    if (nsName && doomedNs.has(nsName)) continue;
    const stop = stopIds.get(container);
    ids.push(
      ctx.push({
        kind: 'veth.delete',
        id: `veth.delete:${l.name}`,
        target: l.name,
        reason: desired.containers[container] ? 'network detached' : 'container removed',
        after: stop ? [stop] : [],
        container,
        hostVeth: l.name,
      }),
    );
  }
  return ids;
}

/** Bridges last, once nothing is attached (`after`). */
function bridgeRemovals(ctx: DiffContext, after: string[]): void {
  const { desired, observed } = ctx;
  const wanted = new Set(Object.values(desired.networks).filter((n) => n.managed).map((n) => n.bridge));
  const inState = new Map(
    Object.entries(observed.state?.networks ?? {})
      .filter(([, n]) => n.managed && !n.shared)
      .map(([k, n]) => [n.bridge, k]),
  );
  for (const l of observed.hostLinks) {
    if (wanted.has(l.name) || l.kind !== 'bridge') continue;
    const mark = parseOwnerAlias(l.alias);
    const ours = (mark?.project === desired.project && mark.object.startsWith('network:')) || inState.has(l.name);
    // Another project joined it (external: true): it stays, for the last of them (joined-bridges.ts).
    if (!ours || joinersOf(observed, l.name).length) continue;
    const key = mark?.object.slice('network:'.length) ?? inState.get(l.name)!;
    ctx.push({ kind: 'bridge.delete', id: `bridge.delete:${key}`, target: l.name, reason: 'not in the file any more', after: [...after], network: key, bridge: l.name });
  }
}
