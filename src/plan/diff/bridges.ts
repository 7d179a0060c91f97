/**
 * The project's bridges: created when missing, repaired in place when
 * their state, MTU, mark or addresses drifted. A link of that name that is
 * not ours is an error (nothing is changed).
 */
import { PlanError, type SpecIssue } from '../../errors';
import { isLinkLocal } from '../../net/ip';
import type { Draft } from '../actions';
import type { DesiredNetwork, ObservedLink } from '../model';
import { parseOwnerAlias } from '../names';
import type { DiffContext } from './context';
import { linkDrift } from './drift';

/** Pushes each managed network's bridge.create or bridge.update and records it in ctx.bridgeReady. */
export function bridgeActions(ctx: DiffContext): void {
  const { desired, observed } = ctx;
  const conflicts: SpecIssue[] = [];
  for (const net of Object.values(desired.networks)) {
    if (!net.managed) continue;
    const link = ctx.hostLinks.get(net.bridge);
    if (!link) {
      ctx.bridgeReady.set(net.key, ctx.push(bridgeCreate(net, observed.state?.networks[net.key] ? 'missing (deleted behind our back)' : 'missing')));
      continue;
    }
    const ours =
      parseOwnerAlias(link.alias)?.project === desired.project || observed.state?.networks[net.key]?.bridge === link.name || (net.shared && link.alias === net.alias);
    if (!ours || link.kind !== 'bridge') {
      conflicts.push({
        path: `networks.${net.key}`,
        loc: desired.sources?.get(`networks.${net.key}`),
        message: ours
          ? `${net.bridge} exists but is a ${link.kind ?? 'non-bridge'} link`
          : `a link named ${net.bridge} already exists and is not managed by project ${desired.project}; declare the network external: true to attach to it`,
      });
      continue;
    }
    const update = bridgeDrift(net, link);
    if (update) ctx.bridgeReady.set(net.key, ctx.push(update));
  }
  if (conflicts.length) throw new PlanError(conflicts);
}

function bridgeCreate(net: DesiredNetwork, reason: string): Draft {
  return {
    kind: 'bridge.create',
    id: `bridge.create:${net.key}`,
    target: net.bridge,
    reason,
    network: net.key,
    bridge: net.bridge,
    mtu: net.mtu,
    ...(net.mac ? { mac: net.mac } : {}),
    ...(net.gateway ? { address: net.gateway, prefixLen: net.prefixLen! } : {}),
    ...(net.ipv6 ? { address6: net.ipv6.gateway, prefixLen6: net.ipv6.prefixLen } : {}),
    alias: net.alias,
  };
}

function bridgeDrift(net: DesiredNetwork, link: ObservedLink): Draft | undefined {
  const drift = linkDrift(link, { up: true, mtu: net.mtu, alias: net.alias });
  const reasons = drift ? [drift.reason.slice('drifted: '.length)] : [];
  const a: Draft & { kind: 'bridge.update' } = {
    kind: 'bridge.update',
    id: `bridge.update:${net.key}`,
    target: net.bridge,
    reason: '',
    network: net.key,
    bridge: net.bridge,
    ...(drift?.change.up !== undefined ? { up: drift.change.up } : {}),
    ...(drift?.change.mtu !== undefined ? { mtu: drift.change.mtu } : {}),
    ...(drift?.change.alias !== undefined ? { alias: drift.change.alias } : {}),
  };
  const v4 = link.addresses.filter((x) => !x.address.includes(':') && !isLinkLocal(x.address));
  if (net.gateway && !v4.some((x) => x.address === net.gateway && x.prefixLen === net.prefixLen)) {
    a.addAddress = { address: net.gateway, prefixLen: net.prefixLen! };
    reasons.push(`gateway ${net.gateway}/${net.prefixLen} missing`);
  }
  const extra = v4.filter((x) => !(x.address === net.gateway && x.prefixLen === net.prefixLen));
  const v6 = link.addresses.filter((x) => x.address.includes(':') && !isLinkLocal(x.address));
  if (net.ipv6 && !v6.some((x) => x.address === net.ipv6!.gateway && x.prefixLen === net.ipv6!.prefixLen)) {
    a.addAddress6 = { address: net.ipv6.gateway, prefixLen: net.ipv6.prefixLen };
    reasons.push(`IPv6 gateway ${net.ipv6.gateway}/${net.ipv6.prefixLen} missing`);
  }
  extra.push(...v6.filter((x) => !(net.ipv6 && x.address === net.ipv6.gateway && x.prefixLen === net.ipv6.prefixLen)));
  if (extra.length) {
    a.removeAddresses = extra;
    reasons.push(`unexpected address ${extra.map((x) => `${x.address}/${x.prefixLen}`).join(', ')}`);
  }
  if (!reasons.length) return undefined;
  a.reason = `drifted: ${reasons.join(', ')}`;
  return a;
}
