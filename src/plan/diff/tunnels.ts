/**
 * The VXLAN part of diff() (`up --host`, plan/multihost.ts): a p2p link's
 * local end is a VXLAN device in its container's namespace; a bridge network
 * spanning two machines has a VXLAN port on its bridge. The device's mark
 * names its VNI, port and addresses, so a changed tunnel is recreated;
 * host ports the file no longer has are removed before their bridge.
 */
import { parseOwnerAlias } from '../names';
import { bridgeTunnelAlias, tunnelIfname } from '../multihost';
import type { DesiredLink, ObservedLink } from '../model';
import type { DiffContext } from './context';

const describe = (t: { vni: number; remote: string; local: string; port: number; mtu: number; extraRemotes?: Array<{ address: string }> }) =>
  `vxlan id ${t.vni} remote ${t.remote} local ${t.local} dstport ${t.port}${(t.extraRemotes ?? []).map((r) => ` + fdb append dst ${r.address}`).join('')}, mtu ${t.mtu}`;

/** The local end of a tunnelled link: its vxlan.create id, or undefined when the end is there and ours. */
export function tunnelEnd(link: DesiredLink, have: ObservedLink | undefined, ctx: DiffContext): string | undefined {
  const t = link.tunnel!;
  const e = link.ends[t.localEnd!];
  if (have?.kind === 'vxlan' && have.alias === link.alias) return undefined;
  const after = [`netns.create:${e.netns}`];
  if (have) {
    after.push(
      ctx.push({
        kind: 'veth.delete',
        id: `veth.delete:${e.container}:p2p:${e.ifname}`,
        target: `${e.ifname} of ${e.container}`,
        reason: have.alias?.startsWith(`tscompose:${ctx.desired.project}:p2p:${link.key}`) ? `tunnel of link ${link.key} changed` : `${e.ifname} is not the end of link ${link.key}`,
        container: e.container,
        netns: e.netns,
        peer: e.ifname,
      }),
    );
  }
  const peer = link.ends[1 - t.localEnd!]!;
  return ctx.push({
    kind: 'vxlan.create',
    id: `vxlan.create:${link.key}`,
    target: `${e.container}:${e.ifname} → ${peer.container}:${peer.ifname} on ${t.peerHost}`,
    reason: `${have ? 'recreated' : 'new link'}: ${describe(t)} (${t.mtuReason})`,
    after,
    network: link.key,
    container: e.container,
    netns: e.netns,
    ifname: e.ifname,
    mac: e.mac,
    mtu: e.mtu,
    alias: link.alias,
    vni: t.vni,
    port: t.port,
    local: t.local,
    remote: t.remote,
  });
}

/** Each bridge network spanning machines: its VXLAN port, made (after the bridge) when missing or changed. */
export function bridgeTunnels(ctx: DiffContext): void {
  const { desired, observed } = ctx;
  for (const net of Object.values(desired.networks)) {
    const t = net.tunnel;
    if (!t?.device) continue;
    const alias = bridgeTunnelAlias(desired.project, net.key, t);
    const have = observed.hostLinks.find((l) => l.name === t.device);
    const fine = have?.kind === 'vxlan' && have.alias === alias && have.up && have.mtu === t.mtu && have.master === net.bridge;
    if (fine) continue;
    const after = ctx.actions.filter((a) => (a.kind === 'bridge.create' || a.kind === 'bridge.update') && a.network === net.key).map((a) => a.id);
    if (have) after.push(ctx.push({ kind: 'vxlan.delete', id: `vxlan.delete:${net.key}`, target: t.device, reason: 'drifted', network: net.key, ifname: t.device, after: [] }));
    ctx.push({
      kind: 'vxlan.create',
      id: `vxlan.create:${net.key}`,
      target: `${t.device} (network ${net.key} → ${[t.peerHost, ...(t.extraRemotes ?? []).map((r) => r.host)].join(', ')})`,
      reason: `${have ? 'recreated' : 'missing'}: ${describe(t)} (${t.mtuReason})`,
      after,
      network: net.key,
      ifname: t.device,
      master: net.bridge,
      mtu: t.mtu,
      alias,
      vni: t.vni,
      port: t.port,
      local: t.local,
      remote: t.remote,
      ...(t.extraRemotes ? { extraRemotes: t.extraRemotes.map((r) => r.address) } : {}),
      learning: true,
    });
  }
}

/**
 * Our bridge ports of networks no longer spanning machines (or gone):
 * removed, before any bridge. Ours by their mark, or by the name the
 * journal's networks give (an `up` killed between creating one and marking it).
 */
export function tunnelRemovals(ctx: DiffContext): string[] {
  const { desired, observed } = ctx;
  const wanted = new Set(Object.values(desired.networks).flatMap((n) => (n.tunnel?.device ? [n.tunnel.device] : [])));
  const journaled = new Map(Object.keys(observed.state?.networks ?? {}).map((k) => [tunnelIfname(desired.project, k), k]));
  const ids: string[] = [];
  for (const l of observed.hostLinks) {
    const mark = parseOwnerAlias(l.alias);
    const marked = mark?.project === desired.project && mark.object.startsWith('vxlan:');
    if (wanted.has(l.name) || l.kind !== 'vxlan' || (!marked && !journaled.has(l.name))) continue;
    const key = marked ? mark!.object.slice('vxlan:'.length).replace(/@.*$/, '') : journaled.get(l.name)!;
    ids.push(ctx.push({ kind: 'vxlan.delete', id: `vxlan.delete:${key}`, target: l.name, reason: 'network no longer spans machines', network: key, ifname: l.name, after: [] }));
  }
  return ids;
}
