/**
 * The order of `start`, `stop` and `down` over the journal's containers, as
 * Docker Compose keeps it: a container starts after what it depends on
 * (depends_on, network_mode: service:X) and stops before it. Pure.
 */

/**
 * For each container in `names`, the containers (of `names`) it must wait
 * for: its dependencies when starting, its dependents when stopping. Edges
 * that would close a cycle (only a hand-edited journal has one) are left
 * out, so that a run can never wait forever.
 */
export function lifecycleOrder(names: string[], startAfter: (name: string) => string[] | undefined, phase: 'start' | 'stop'): Map<string, string[]> {
  const set = new Set(names);
  const deps = new Map(names.map((n) => [n, (startAfter(n) ?? []).filter((d) => set.has(d) && d !== n).sort()]));
  // Depth-first over the dependencies; an edge back into the current path is dropped.
  const kept = new Map<string, string[]>(names.map((n) => [n, []]));
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string) => {
    state.set(n, 'open');
    for (const d of deps.get(n)!) {
      if (state.get(d) === 'open') continue;
      kept.get(n)!.push(d);
      if (!state.has(d)) visit(d);
    }
    state.set(n, 'done');
  };
  for (const n of [...names].sort()) if (!state.has(n)) visit(n);
  if (phase === 'start') return kept;
  const dependents = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [n, ds] of kept) for (const d of ds) dependents.get(d)!.push(n);
  for (const list of dependents.values()) list.sort();
  return dependents;
}
