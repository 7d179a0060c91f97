/**
 * Turn `after` dependencies into waves: wave N holds every action whose
 * dependencies all sit in earlier waves. Within a wave the order is stable
 * (kind, then id) so plans and their snapshots are deterministic.
 */
import { PlanError } from '../errors';
import type { Action } from './actions';

const KIND_ORDER = [
  'container.stop',
  'dns.stop',
  'firewall.delete',
  'cgroup.delete',
  'veth.delete',
  'lowerlink.delete',
  'addr.delete',
  'route.delete',
  'qdisc.delete',
  'netns.delete',
  'vxlan.delete',
  'bridge.delete',
  'dummy.delete',
  'volume.delete',
  'bridge.create',
  'bridge.update',
  'dummy.create',
  'netns.create',
  'link.update',
  'veth.create',
  'lowerlink.create',
  'p2p.create',
  'vxlan.create',
  'neigh.replace',
  'addr.add',
  'route.replace',
  'qdisc.replace',
  'files.write',
  'sysctl.set',
  'firewall.apply',
  'dns.start',
  'dns.reload',
  'cgroup.create',
  'cgroup.update',
  'volume.create',
  'container.start',
];

export function toWaves(actions: Action[]): Action[][] {
  const byId = new Map(actions.map((a) => [a.id, a]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (a: Action): number => {
    const known = level.get(a.id);
    if (known !== undefined) return known;
    if (visiting.has(a.id)) throw new PlanError({ path: a.target, message: `dependency cycle through ${a.id}` });
    visiting.add(a.id);
    let d = 0;
    for (const dep of a.after) {
      const other = byId.get(dep);
      if (other) d = Math.max(d, depth(other) + 1);
    }
    visiting.delete(a.id);
    level.set(a.id, d);
    return d;
  };
  const waves: Action[][] = [];
  for (const a of actions) {
    a.after = [...new Set(a.after.filter((d) => byId.has(d)))].sort();
    const d = depth(a);
    (waves[d] ??= []).push(a);
  }
  const rank = (k: string) => KIND_ORDER.indexOf(k);
  return waves
    .filter((w) => w && w.length)
    .map((w) => w.sort((x, y) => rank(x.kind) - rank(y.kind) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)));
}
