/**
 * The lab part of diff(): p2p links (created with both ends born in their
 * namespaces, repaired in place when only an address, MTU or state
 * drifted), `x-routes`, and the root qdiscs that shape links. Impairments
 * are changed in place (a qdisc replace), never by recreating anything.
 */
import { isLinkLocal } from '../../net/ip';
import type { Action, Draft } from '../actions';
import type { DesiredContainer, DesiredLink, DesiredLinkEnd, Observed, ObservedLink, ObservedNetns, ObservedQdisc } from '../model';
import { describeQdisc, sameQdisc, type Qdisc } from '../shaping';
import type { DiffContext } from './context';
import { tunnelEnd } from './tunnels';

/** Kernel default metrics: what a route without one gets. */
const defaultMetric = (family: 4 | 6) => (family === 6 ? 1024 : 0);

/** Runs after the bridge part (whose actions it reads); returns, per container, the ids its start must follow. */
export function diffLab(ctx: DiffContext): Map<string, string[]> {
  const { desired, observed } = ctx;
  const deps = new Map<string, string[]>();
  const dep = (container: string, id: string) => {
    const list = deps.get(container) ?? [];
    list.push(id);
    deps.set(container, list);
  };
  const nsOf = (name: string): ObservedNetns | undefined => (ctx.netnsCreated.has(name) ? undefined : observed.netns[name]);
  const selected = (c: string) => !ctx.only || ctx.only.has(c);
  // Interfaces this plan creates or changes, by `container/ifname`: routes through them follow.
  const touched = new Map<string, string[]>();
  const touch = (container: string, ifname: string, id: string) => {
    const k = `${container}/${ifname}`;
    touched.set(k, [...(touched.get(k) ?? []), id]);
  };
  // Veth removals by container: a new end may take a name one of them frees.
  const vethDeletes = new Map<string, string[]>();
  for (const a of ctx.actions) {
    if (a.kind === 'veth.create') touch(a.container, a.peer, a.id);
    if (a.kind === 'lowerlink.create') touch(a.container, a.ifname, a.id);
    if ((a.kind === 'addr.add' || a.kind === 'link.update') && a.container && a.netns) touch(a.container, a.ifname, a.id);
    if (a.kind === 'veth.delete') vethDeletes.set(a.container, [...(vethDeletes.get(a.container) ?? []), a.id]);
  }

  for (const link of Object.values(desired.links ?? {})) {
    const [x, y] = link.ends;
    if (link.tunnel) {
      tunnelledLink(link, ctx, dep, touch, nsOf);
      continue;
    }
    if (!selected(x.container) && !selected(y.container)) continue;
    // A partial `up`: the other end's namespace must exist or be made by this plan.
    const ready = (e: DesiredLinkEnd) => ctx.netnsCreated.has(e.netns) || (observed.netns[e.netns] && !observed.netns[e.netns]!.stale);
    if (!ready(x) || !ready(y)) continue;
    const have = link.ends.map((e) => nsOf(e.netns)?.links.find((l) => l.name === e.ifname));
    const [hx, hy] = have;
    const healthy =
      hx?.kind === 'veth' &&
      hy?.kind === 'veth' &&
      hx.alias === link.alias &&
      hy.alias === link.alias &&
      (hx.peerIndex === undefined || hy.peerIndex === undefined || (hx.peerIndex === hy.index && hy.peerIndex === hx.index));
    if (!healthy) createLink(link, have, ctx, dep, touch, observed, vethDeletes);
    else {
      const added = link.ends.map((e, i) => repairEnd(link, e, have[i]!, nsOf(e.netns)!, ctx, dep, touch));
      // The peer's permanent neighbour entries follow an end's new address or MAC.
      link.ends.forEach((e, i) => {
        const peer = link.ends[1 - i]!;
        const macChanged = have[i]!.mac !== e.mac;
        for (const a of e.addresses) {
          if (!added[i]!.has(a.address) && !macChanged) continue;
          dep(peer.container, pushNeighbor(ctx, peer, e, a.address, [`link.update:${peer.container}:${peer.ifname}`, `link.update:${e.container}:${e.ifname}`]));
        }
      });
    }
  }

  const vethCreates = new Map<string, Action>();
  for (const a of ctx.actions) if (a.kind === 'veth.create') vethCreates.set(`${a.container}\0${a.network}`, a);
  for (const c of Object.values(desired.containers)) {
    if (!selected(c.name) || c.netns.kind !== 'own') continue;
    shapeBridgePorts(c, observed, ctx, dep, nsOf(c.netns.name), vethCreates);
    routes(c, nsOf(c.netns.name), ctx, dep, touched);
  }
  return deps;
}

type Dep = (container: string, id: string) => void;
type Touch = (container: string, ifname: string, id: string) => void;

/** A link whose other end is on another machine: only the local end, a VXLAN device (diff/tunnels.ts), made or repaired here. */
function tunnelledLink(link: DesiredLink, ctx: DiffContext, dep: Dep, touch: Touch, nsOf: (name: string) => ObservedNetns | undefined): void {
  const e = link.ends[link.tunnel!.localEnd!];
  const peer = link.ends[1 - link.tunnel!.localEnd!]!;
  if ((ctx.only && !ctx.only.has(e.container)) || !(ctx.netnsCreated.has(e.netns) || (ctx.observed.netns[e.netns] && !ctx.observed.netns[e.netns]!.stale))) return;
  const ns = nsOf(e.netns);
  const have = ns?.links.find((l) => l.name === e.ifname);
  const id = tunnelEnd(link, have, ctx);
  if (!id) {
    const added = repairEnd(link, e, have!, ns!, ctx, dep, touch);
    for (const a of peer.addresses) if (added.size || have!.mac !== e.mac) dep(e.container, pushNeighbor(ctx, e, peer, a.address, [`link.update:${e.container}:${e.ifname}`]));
    return;
  }
  dep(e.container, id);
  touch(e.container, e.ifname, id);
  for (const a of e.addresses) {
    const aid = ctx.push(addrAdd(e, a, `address ${a.address}/${a.prefixLen}`, [id]));
    dep(e.container, aid);
    touch(e.container, e.ifname, aid);
  }
  if (e.shaping) dep(e.container, pushQdisc(ctx, e.container, e.netns, e.ifname, e.shaping, undefined, [id]));
  for (const a of peer.addresses) dep(e.container, pushNeighbor(ctx, e, peer, a.address, [id]));
}

function createLink(
  link: DesiredLink,
  have: Array<ObservedLink | undefined>,
  ctx: DiffContext,
  dep: Dep,
  touch: Touch,
  observed: Observed,
  vethDeletes: Map<string, string[]>,
): void {
  const [x, y] = link.ends;
  const after: string[] = link.ends.map((e) => `netns.create:${e.netns}`);
  const missing = have.every((h) => !h);
  // Old ends go first (a previous pair, or one end of a broken one); deleting one end deletes both.
  link.ends.forEach((e, i) => {
    if (!have[i]) return;
    after.push(
      ctx.push({
        kind: 'veth.delete',
        id: `veth.delete:${e.container}:p2p:${e.ifname}`,
        target: `${e.ifname} of ${e.container}`,
        reason: have[i]!.alias !== link.alias ? `${e.ifname} is not the end of link ${link.key}` : `link ${link.key} is broken`,
        container: e.container,
        netns: e.netns,
        peer: e.ifname,
      }),
    );
  });
  // A veth of the same container being removed may free the name this end takes.
  after.push(...(vethDeletes.get(x.container) ?? []), ...(vethDeletes.get(y.container) ?? []));
  const wasThere = observed.netns[x.netns] && observed.netns[y.netns];
  const id = ctx.push({
    kind: 'p2p.create',
    id: `p2p.create:${link.key}`,
    target: `${x.container}:${x.ifname} — ${y.container}:${y.ifname}`,
    reason: missing ? (wasThere ? 'missing' : 'new link') : 'recreated',
    after,
    network: link.key,
    alias: link.alias,
    ends: link.ends.map((e) => ({ container: e.container, netns: e.netns, ifname: e.ifname, mac: e.mac, mtu: e.mtu })),
  });
  for (const e of link.ends) {
    dep(e.container, id);
    touch(e.container, e.ifname, id);
    for (const a of e.addresses) {
      const aid = ctx.push(addrAdd(e, a, `address ${a.address}/${a.prefixLen}`, [id]));
      dep(e.container, aid);
      touch(e.container, e.ifname, aid);
    }
    if (e.shaping) dep(e.container, pushQdisc(ctx, e.container, e.netns, e.ifname, e.shaping, undefined, [id]));
    const peer = e === x ? y : x;
    for (const a of peer.addresses) dep(e.container, pushNeighbor(ctx, e, peer, a.address, [id]));
  }
}

/** The addr.add of one of a link end's addresses. */
function addrAdd(end: DesiredLinkEnd, a: { address: string; prefixLen: number }, reason: string, after?: string[]): Draft {
  return {
    kind: 'addr.add',
    id: `addr.add:${end.container}:${end.ifname}:${a.address}`,
    target: `${end.ifname} of ${end.container}`,
    reason,
    ...(after ? { after } : {}),
    container: end.container,
    netns: end.netns,
    ifname: end.ifname,
    address: a.address,
    prefixLen: a.prefixLen,
  };
}

/** `end` reaches `peer`'s address without ARP/ND. */
function pushNeighbor(ctx: DiffContext, end: DesiredLinkEnd, peer: DesiredLinkEnd, address: string, after: string[]): string {
  return ctx.push({
    kind: 'neigh.replace',
    id: `neigh.replace:${end.container}:${end.ifname}:${address}`,
    target: `${end.ifname} of ${end.container}`,
    reason: `${address} is ${peer.container} (${peer.mac})`,
    after,
    container: end.container,
    netns: end.netns,
    ifname: end.ifname,
    address,
    mac: peer.mac,
  });
}

/** Both ends exist and are each other's peer: fix what drifted, in place. Returns the addresses (re)added. */
function repairEnd(link: DesiredLink, e: DesiredLinkEnd, have: ObservedLink, ns: ObservedNetns, ctx: DiffContext, dep: Dep, touch: Touch): Set<string> {
  const added = new Set<string>();
  const target = `${e.ifname} of ${e.container}`;
  const fix: string[] = [];
  const change: { up?: boolean; mtu?: number; mac?: string } = {};
  if (!have.up) {
    change.up = true;
    fix.push('link down');
  }
  if (have.mtu !== e.mtu) {
    change.mtu = e.mtu;
    fix.push(`mtu ${have.mtu} → ${e.mtu}`);
  }
  if (have.mac !== e.mac) {
    change.mac = e.mac;
    fix.push(`mac ${have.mac} → ${e.mac}`);
  }
  if (fix.length) {
    const id = ctx.push({
      kind: 'link.update',
      id: `link.update:${e.container}:${e.ifname}`,
      target,
      reason: `drifted: ${fix.join(', ')}`,
      container: e.container,
      netns: e.netns,
      ifname: e.ifname,
      ...change,
    });
    dep(e.container, id);
    touch(e.container, e.ifname, id);
  }
  const want = new Set(e.addresses.map((a) => `${a.address}/${a.prefixLen}`));
  for (const a of have.addresses) {
    if (isLinkLocal(a.address) || want.has(`${a.address}/${a.prefixLen}`)) continue;
    dep(
      e.container,
      ctx.push({
        kind: 'addr.delete',
        id: `addr.delete:${e.container}:${e.ifname}:${a.address}/${a.prefixLen}`,
        target,
        reason: `address ${a.address}/${a.prefixLen} is not in the file (link ${link.key})`,
        container: e.container,
        netns: e.netns,
        ifname: e.ifname,
        address: a.address,
        prefixLen: a.prefixLen,
      }),
    );
  }
  for (const a of e.addresses) {
    if (have.addresses.some((h) => h.address === a.address && h.prefixLen === a.prefixLen) && !change.up) continue;
    const id = ctx.push(addrAdd(e, a, `address ${a.address}/${a.prefixLen} missing`, fix.length ? [`link.update:${e.container}:${e.ifname}`] : undefined));
    dep(e.container, id);
    touch(e.container, e.ifname, id);
    added.add(a.address);
  }
  const q = qdiscAction(ctx, e.container, e.netns, e.ifname, e.shaping, ns.qdiscs);
  if (q) dep(e.container, q);
  return added;
}

/** The container end and the bridge port of each shaped (or no longer shaped) attachment. */
function shapeBridgePorts(
  c: DesiredContainer,
  observed: Observed,
  ctx: DiffContext,
  dep: Dep,
  ns: ObservedNetns | undefined,
  vethCreates: Map<string, Action>,
): void {
  const netns = c.netns.kind === 'own' ? c.netns.name : undefined;
  if (!netns) return;
  for (const iface of c.interfaces) {
    const created = vethCreates.get(`${c.name}\0${iface.network}`);
    if (created) {
      if (!iface.shaping) continue;
      dep(c.name, pushQdisc(ctx, c.name, netns, iface.ifname, iface.shaping, undefined, [created.id]));
      dep(c.name, pushQdisc(ctx, c.name, undefined, iface.hostVeth, iface.shaping, undefined, [created.id]));
      continue;
    }
    const inner = qdiscAction(ctx, c.name, netns, iface.ifname, iface.shaping, ns?.qdiscs);
    if (inner) dep(c.name, inner);
    const outer = qdiscAction(ctx, c.name, undefined, iface.hostVeth, iface.shaping, observed.hostQdiscs);
    if (outer) dep(c.name, outer);
  }
}

function pushQdisc(ctx: DiffContext, container: string, netns: string | undefined, ifname: string, q: Qdisc, was: Qdisc | undefined, after: string[] = []): string {
  return ctx.push({
    kind: 'qdisc.replace',
    id: `qdisc.replace:${netns ?? ''}:${ifname}`,
    target: netns ? `${ifname} of ${container}` : ifname,
    reason: was ? `${describeQdisc(was)} → ${describeQdisc(q)}` : describeQdisc(q),
    after,
    container,
    ...(netns ? { netns } : {}),
    ifname,
    qdisc: q,
  });
}

/** Replace a qdisc that differs, remove ours when the file no longer shapes the link. */
function qdiscAction(
  ctx: DiffContext,
  container: string,
  netns: string | undefined,
  ifname: string,
  want: Qdisc | undefined,
  observed: ObservedQdisc[] | undefined,
): string | undefined {
  const have = observed?.find((q) => q.dev === ifname)?.qdisc;
  if (want) return sameQdisc(want, have) ? undefined : pushQdisc(ctx, container, netns, ifname, want, have);
  if (!have) return undefined;
  return ctx.push({
    kind: 'qdisc.delete',
    id: `qdisc.delete:${netns ?? ''}:${ifname}`,
    target: netns ? `${ifname} of ${container}` : ifname,
    reason: `${describeQdisc(have)} is not in the file any more`,
    container,
    ...(netns ? { netns } : {}),
    ifname,
  });
}

/** `x-routes`: ours carry `proto static`; those the file no longer has go. */
function routes(c: DesiredContainer, ns: ObservedNetns | undefined, ctx: DiffContext, dep: Dep, touched: Map<string, string[]>): void {
  const netns = (c.netns as { name: string }).name;
  const want = c.routes ?? [];
  const ours = (ns?.routes ?? []).filter((r) => r.protocol === 'static');
  const family = (r: { family?: 4 | 6 }) => r.family ?? 4;
  const matched = new Set<object>();
  // A partial `up` may leave a link for later: its routes come with it.
  const present = (ifname: string) => (ns?.links ?? []).some((l) => l.name === ifname) || touched.has(`${c.name}/${ifname}`);
  for (const d of want) {
    if (!present(d.ifname)) continue;
    const metric = d.metric ?? defaultMetric(d.family);
    const have = ours.find((r) => r.dst === d.dst && family(r) === d.family && (r.metric ?? defaultMetric(family(r))) === metric);
    if (have) matched.add(have);
    const through = touched.get(`${c.name}/${d.ifname}`) ?? [];
    if (have && have.gateway === d.via && have.dev === d.ifname && !through.length) continue;
    const describe = `${d.via ? `via ${d.via} ` : ''}dev ${d.ifname}${d.metric !== undefined ? ` metric ${d.metric}` : ''}`;
    dep(
      c.name,
      ctx.push({
        kind: 'route.replace',
        id: `route.replace:${c.name}:${d.family}:${d.dst}:${metric}`,
        target: `route ${d.dst} of ${c.name}`,
        reason: !have ? describe : have.gateway !== d.via || have.dev !== d.ifname ? `was ${have.gateway ? `via ${have.gateway} ` : ''}dev ${have.dev}` : `${d.ifname} is (re)configured`,
        after: through,
        container: c.name,
        netns,
        dst: d.dst,
        ...(d.via ? { via: d.via } : {}),
        ifname: d.ifname,
        static: true,
        family: d.family,
        ...(d.metric !== undefined ? { metric: d.metric } : {}),
      }),
    );
  }
  for (const r of ours) {
    if (matched.has(r)) continue;
    // The bridge's default route takes this one's place (routes.ts replaces it).
    if (r.dst === 'default' && family(r) === 4 && c.defaultRoute) continue;
    dep(
      c.name,
      ctx.push({
        kind: 'route.delete',
        id: `route.delete:${c.name}:${family(r)}:${r.dst}:${r.metric ?? defaultMetric(family(r))}`,
        target: `route ${r.dst} of ${c.name}`,
        reason: 'not in x-routes any more',
        container: c.name,
        netns,
        dst: r.dst,
        ...(r.gateway ? { via: r.gateway } : {}),
        family: family(r),
        ...(r.metric !== undefined ? { metric: r.metric } : {}),
      }),
    );
  }
}
