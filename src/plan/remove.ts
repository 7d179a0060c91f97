/**
 * `rm`: the plan that removes some of the project's containers and keeps
 * the rest (its networks included), from the journal alone: each container
 * stopped (if it still runs) and its state directory removed (writable
 * layer, anonymous volumes, logs), its own network namespace deleted (the
 * veths inside go with it) unless a container that stays lives in it, and
 * its cgroup removed. Pure.
 */
import { complete, type Action, type Draft, type Plan } from './actions';
import { cgroupRelPath } from './cgroups';
import { lifecycleIds, lifecycleOrder, stopAction } from './lifecycle';
import { withoutAddresses } from './dns-prune';
import type { DnsConfig, ProjectState } from './model';
import { toWaves } from './order';

/** `dns`: the running server's configuration, if any: its names of the removed containers go (dns-prune.ts). */
export function removalPlan(state: ProjectState, names: string[], opts: { stopTimeoutSec?: number | undefined; dns?: DnsConfig | undefined } = {}): Plan {
  const doomed = new Set(names);
  const actions: Action[] = [];
  const push = (a: Draft) => {
    if (!actions.some((x) => x.id === a.id)) actions.push(complete(a));
    return a.id;
  };
  // Dependents first, as `down` stops them.
  const first = lifecycleOrder(names, (n) => state.containers[n]?.startAfter, 'stop');
  const stops = new Map<string, string>();
  for (const name of [...names].sort()) {
    const c = state.containers[name];
    if (!c) continue;
    const stop = stopAction({ name, service: c.service }, 'rm', {
      timeoutSec: opts.stopTimeoutSec,
      launch: c.launch,
      remove: true,
      after: lifecycleIds('stop', first.get(name)!),
    });
    stops.set(name, push(stop));
  }
  // network_mode: service:X — a namespace some staying container shares is kept.
  const shared = new Set(
    Object.entries(state.containers).flatMap(([n, c]) => (!doomed.has(n) && c.netnsPlacement.kind !== 'host' ? [c.netnsPlacement.name] : [])),
  );
  const allStops = [...stops.values()];
  for (const [name, stopId] of stops) {
    const c = state.containers[name]!;
    if (c.netns && !shared.has(c.netns)) {
      // Every stop first: a doomed container may live in another doomed one's namespace.
      push({ kind: 'netns.delete', id: `netns.delete:${c.netns}`, target: c.netns, reason: 'container removed (its veths go with it)', after: allStops, netns: c.netns });
    }
    for (const cg of [...(c.cgroup ? [c.cgroup] : []), ...(c.oldCgroups ?? [])]) {
      const rel = cgroupRelPath(cg);
      push({ kind: 'cgroup.delete', id: `cgroup.delete:${rel}`, target: rel, reason: 'container removed', after: [stopId], container: name, parent: cg.parent, path: cg.path });
    }
  }
  const gone = names.flatMap((n) => (state.containers[n]?.interfaces ?? []).flatMap((i) => [...(i.address ? [i.address] : []), ...(i.address6 ? [i.address6] : [])]));
  const pruned = opts.dns && withoutAddresses(opts.dns, gone);
  if (pruned && JSON.stringify(pruned) !== JSON.stringify(opts.dns)) {
    push({ kind: 'dns.reload', id: 'dns.reload', target: `${state.project} DNS`, reason: 'names of removed containers', after: allStops, config: pruned });
  }
  return { version: 1, project: state.project, waves: toWaves(actions) };
}

/** `create` (`up --no-start`): the plan without its container.start actions (and without waits on them). */
export function withoutStarts(p: Plan): Plan {
  const starts = new Set(p.waves.flat().flatMap((a) => (a.kind === 'container.start' ? [a.id] : [])));
  const waves = p.waves
    .map((w) => w.filter((a) => !starts.has(a.id)).map((a) => ({ ...a, after: a.after.filter((id) => !starts.has(id)) })))
    .filter((w) => w.length);
  return { ...p, waves };
}
