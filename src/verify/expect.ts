/**
 * The probes `tscompose verify` runs and what each should find: for every
 * ordered pair of containers, each address of the target, reach or blocked
 * as the routing model says; plus the user's own `x-verify` expectations.
 * Pure.
 */
import { createHash } from 'node:crypto';
import { formatIP, parseIP, type Family } from '../net/ip';
import type { VerifySpec } from '../compose/types';
import { HOST, reachability, type Node, type RoutingModel } from './routing';

export interface Probe {
  id: string;
  /** Container the probe starts in. */
  from: string;
  /** Container holding the address (absent: an address nobody in the project has). */
  to?: string;
  address: string;
  family: Family;
  /** TCP connect to this port; absent: ICMP echo. */
  port?: number;
  expect: 'reach' | 'blocked';
  /** The path the file implies, or why it is blocked. */
  because: string;
  /** Set for `x-verify` entries (their index). */
  verify?: number;
  /** What the routes in the file say, when an x-verify entry expects otherwise. */
  derived?: 'reach' | 'blocked';
}

export interface ProbePlan {
  probes: Probe[];
  /** Derived probes there would be without a limit. */
  total: number;
  /** Pairs were sampled down to the limit. */
  sampled: boolean;
}

export function pathText(model: RoutingModel, path: string[]): string {
  return path.map((n) => model.nodes.get(n)?.label ?? n).join(' → ');
}

function explain(model: RoutingModel, from: string, family: Family, value: bigint): { reach: boolean; because: string } {
  const r = reachability(model, from, family, value);
  if (r.reach) return { reach: true, because: pathText(model, r.path) + (r.back ? ` (back ${pathText(model, r.back)})` : '') };
  return { reach: false, because: r.why ?? 'unreachable' };
}

/** A container named by its service (first replica), its container name, or its label. */
export function findNode(model: RoutingModel, name: string): Node | undefined {
  for (const n of model.nodes.values()) if (n.name !== HOST && (n.name === name || n.label === name)) return n;
  return [...model.nodes.values()].find((n) => n.name !== HOST && n.label.replace(/-\d+$/, '') === name);
}

const shared = (a: Node, b: Node) => a.ifaces.some((i) => b.ifaces.some((j) => j.segment === i.segment));

export function planProbes(model: RoutingModel, verify: VerifySpec[], opts: { maxProbes: number }): ProbePlan {
  const nodes = [...model.nodes.values()].filter((n) => n.name !== HOST).sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const probes: Probe[] = [];
  let seq = 0;
  const id = () => `p${seq++}`;

  // x-verify first: the user's own expectations are never sampled away.
  for (const v of verify) {
    const from = findNode(model, v.from)!;
    const target = parseIP(v.to);
    const to = target ? undefined : findNode(model, v.to)!;
    const candidates = target
      ? [{ family: target.family, value: target.value, text: formatIP(target) }]
      : to!.ifaces.flatMap((i) => i.addresses.map((a) => ({ family: a.family, value: a.value, text: a.text })));
    // For a container: the first address the routes say is reachable (v4 first), else its first one.
    const judged = candidates.map((c) => ({ c, e: explain(model, from.name, c.family, c.value) }));
    const pick = judged.filter((j) => j.c.family === 4).find((j) => j.e.reach) ?? judged.find((j) => j.e.reach) ?? judged[0];
    if (!pick) continue;
    const owner = to?.name ?? [...model.nodes.values()].find((n) => n.ifaces.some((i) => i.addresses.some((a) => a.family === pick.c.family && a.value === pick.c.value)))?.name;
    const derived = pick.e.reach ? 'reach' : 'blocked';
    probes.push({
      id: id(),
      from: from.name,
      ...(owner && owner !== HOST ? { to: owner } : {}),
      address: pick.c.text,
      family: pick.c.family,
      ...(v.port !== undefined ? { port: v.port } : {}),
      expect: v.expect,
      because: pick.e.because,
      verify: v.index,
      ...(derived !== v.expect ? { derived } : {}),
    });
  }

  // Every ordered pair, every address of the target.
  const pairs: Array<{ a: Node; b: Node; neighbours: boolean; rank: string }> = [];
  let total = 0;
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      const count = b.ifaces.reduce((n, i) => n + i.addresses.length, 0);
      if (!count) continue;
      total += count;
      pairs.push({ a, b, neighbours: shared(a, b), rank: createHash('sha1').update(`${a.name}\0${b.name}`).digest('hex') });
    }
  }
  let budget = opts.maxProbes;
  let sampled = false;
  if (total > budget) {
    sampled = true;
    // Neighbours first (every link and bridge gets checked), then a stable pseudo-random sample.
    pairs.sort((x, y) => Number(y.neighbours) - Number(x.neighbours) || (x.rank < y.rank ? -1 : 1));
  }
  for (const { a, b } of pairs) {
    const addrs = b.ifaces.flatMap((i) => i.addresses);
    if (sampled && addrs.length > budget) break;
    for (const addr of addrs) {
      const e = explain(model, a.name, addr.family, addr.value);
      probes.push({ id: id(), from: a.name, to: b.name, address: addr.text, family: addr.family, expect: e.reach ? 'reach' : 'blocked', because: e.because });
    }
    budget -= addrs.length;
  }
  return { probes, total, sampled };
}
