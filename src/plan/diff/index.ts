/**
 * desired vs observed → actions, each with the reason it is needed and the
 * actions it must follow. Only objects that carry this project's ownership
 * mark (or are in its journal) are ever changed or removed. This conducts:
 * each object kind's actions come from its own module, in this order.
 */
import type { Action } from '../actions';
import { cgroupActions, cgroupRemovals } from '../cgroups';
import { hostActions } from '../hostdiff';
import type { Desired, Observed } from '../model';
import { bridgeActions } from './bridges';
import { dummyParentActions } from './dummy-parents';
import { containerSetup, processActions, volumeActions } from './containers';
import { diffContext, type DiffContext, type DiffOptions } from './context';
import { diffLab } from './lab';
import { keptOneOffs, removals } from './removals';
import { bridgeTunnels } from './tunnels';

export type { DiffOptions } from './context';

export function diff(desired: Desired, observed: Observed, opts: DiffOptions): Action[] {
  const ctx = diffContext(desired, observed);
  bridgeActions(ctx);
  dummyParentActions(ctx);
  bridgeTunnels(ctx);
  const selected = Object.values(desired.containers).filter((c) => !ctx.only || ctx.only.has(c.name));
  // p2p ends are wanted in their namespaces too (lab.ts handles them).
  const ends = new Map<string, string[]>();
  for (const l of Object.values(desired.links ?? {})) for (const e of l.ends) ends.set(e.container, [...(ends.get(e.container) ?? []), e.ifname]);
  // container → the ids its start must follow
  const deps = new Map(selected.map((c) => [c.name, containerSetup(ctx, c, ends.get(c.name) ?? [])]));

  const cgroups = cgroupActions(desired, observed, selected.map((c) => c.name), ctx.push);
  for (const [name, id] of cgroups.ready) deps.get(name)!.push(id);
  const volumes = volumeActions(ctx, selected);
  // p2p links, x-routes and shaping, after the bridge part they may depend on.
  for (const [container, ids] of diffLab(ctx)) deps.get(container)?.push(...ids);
  const startIds = processActions(ctx, selected, opts, { deps, volumes, cgroupRecreated: cgroups.recreated });

  if (!ctx.only) removals(ctx, opts);
  const keptCgroups = [...keptOneOffs(ctx, opts).values()].flatMap((c) => (c.cgroup ? [c.cgroup] : []));
  orderRemovals(ctx, cgroupRemovals(desired, observed, ctx.push, keptCgroups));

  // Kernel settings, firewall, DNS server.
  const bridgeCreated = new Set(ctx.actions.flatMap((a) => (a.kind === 'bridge.create' ? [a.bridge] : [])));
  const host = hostActions(desired, observed, ctx.bridgeReady, bridgeCreated);
  ctx.actions.push(...host.actions);

  // Starts follow their container's setup, the host's and their dependencies' starts.
  for (const a of ctx.actions) {
    if (a.kind !== 'container.start') continue;
    const c = desired.containers[a.container]!;
    a.after.push(...(deps.get(c.name) ?? []), ...host.beforeStarts);
    for (const dep of c.startAfter) {
      const id = startIds.get(dep);
      if (id) a.after.push(id);
    }
  }
  return ctx.actions;
}

/** Orderings between removals and what replaces them, known once every action is in. */
function orderRemovals(ctx: DiffContext, cgroupDeletes: string[]): void {
  // A cgroup goes once its processes are gone: after every stop.
  const deletes = new Set(cgroupDeletes);
  const stops = ctx.actions.filter((a) => a.kind === 'container.stop').map((a) => a.id);
  for (const a of ctx.actions) if (deletes.has(a.id)) a.after.push(...stops);
  // A new interface (veth or macvlan/ipvlan) follows every interface removal of its container: the name it takes may be freed by one.
  const isDelete = (k: string) => k === 'veth.delete' || k === 'lowerlink.delete';
  for (const a of ctx.actions) {
    if (a.kind !== 'veth.create' && a.kind !== 'lowerlink.create') continue;
    for (const d of ctx.actions) if (isDelete(d.kind) && 'container' in d && d.container === a.container && !a.after.includes(d.id)) a.after.push(d.id);
  }
}
