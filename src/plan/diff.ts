/**
 * desired vs observed → actions, each with the reason it is needed and the
 * actions it must follow. Only objects that carry this project's ownership
 * mark (or are in its journal) are ever changed or removed.
 */
import { PlanError, type SpecIssue } from '../errors';
import { lifecycleOrder } from './lifecycle';
import type { Action } from './actions';
import type {
  Desired,
  DesiredContainer,
  DesiredInterface,
  DesiredNetwork,
  LaunchSettings,
  Observed,
  ObservedLink,
  ObservedNetns,
} from './model';
import { hostActions } from './hostdiff';
import { cgroupActions, cgroupRemovals } from './cgroups';
import { diffLab } from './diff-lab';
import { netnsPrefix, parseOwnerAlias } from './names';

export interface DiffOptions {
  /** Grace period before SIGKILL when stopping containers (`-t`); absent: each service's stop_grace_period, else 10 s. */
  stopTimeoutSec?: number;
  /** `down -v`: these named volumes (real names) go too, once no container uses them. */
  removeVolumes?: string[];
}

export const DEFAULT_STOP_TIMEOUT_SEC = 10;

/** The grace period and signal for stopping a container launched with `launch`. */
export function stopSettings(opts: DiffOptions, launch: LaunchSettings | undefined): { timeoutSec: number; signal?: string } {
  return {
    timeoutSec: opts.stopTimeoutSec ?? launch?.stopGraceSec ?? DEFAULT_STOP_TIMEOUT_SEC,
    ...(launch?.stopSignal ? { signal: launch.stopSignal } : {}),
  };
}

/** An action before its `after` list is complete (distributes over the union). */
type Draft = Action extends infer A ? (A extends Action ? Omit<A, 'after'> & { after?: string[] } : never) : never;

const isLinkLocal = (a: string) => a.startsWith('169.254.') || a.toLowerCase().startsWith('fe80:');

export function diff(desired: Desired, observed: Observed, opts: DiffOptions): Action[] {
  const project = desired.project;
  const out: Action[] = [];
  const push = (a: Draft) => {
    out.push({ ...a, after: a.after ?? [] } as Action);
    return a.id;
  };
  const hostLinks = new Map(observed.hostLinks.map((l) => [l.name, l]));
  const owner = (l: ObservedLink | undefined) => parseOwnerAlias(l?.alias);
  const state = observed.state;
  const only = desired.only ? new Set(desired.only) : undefined;

  // ---------------------------------------------------------------- networks
  const bridgeReady = new Map<string, string>(); // network key → action id that makes it usable
  const conflicts: SpecIssue[] = [];
  for (const net of Object.values(desired.networks)) {
    if (!net.managed) continue;
    const link = hostLinks.get(net.bridge);
    if (!link) {
      bridgeReady.set(
        net.key,
        push({
          kind: 'bridge.create',
          id: `bridge.create:${net.key}`,
          target: net.bridge,
          reason: state?.networks[net.key] ? 'missing (deleted behind our back)' : 'missing',
          network: net.key,
          bridge: net.bridge,
          mtu: net.mtu,
          ...(net.mac ? { mac: net.mac } : {}),
          address: net.gateway,
          prefixLen: net.prefixLen,
          ...(net.ipv6 ? { address6: net.ipv6.gateway, prefixLen6: net.ipv6.prefixLen } : {}),
          alias: net.alias,
        }),
      );
      continue;
    }
    const ours = owner(link)?.project === project || state?.networks[net.key]?.bridge === link.name;
    if (!ours || link.kind !== 'bridge') {
      conflicts.push({
        path: `networks.${net.key}`,
        loc: desired.sources?.get(`networks.${net.key}`),
        message: ours
          ? `${net.bridge} exists but is a ${link.kind ?? 'non-bridge'} link`
          : `a link named ${net.bridge} already exists and is not managed by project ${project}; declare the network external: true to attach to it`,
      });
      continue;
    }
    const update = bridgeDrift(net, link);
    if (update) bridgeReady.set(net.key, push(update));
  }
  if (conflicts.length) throw new PlanError(conflicts);

  // -------------------------------------------------------------- containers
  const selected = Object.values(desired.containers).filter((c) => !only || only.has(c.name));
  const startIds = new Map<string, string>();
  const netnsCreated = new Set<string>();
  const perContainer = new Map<string, string[]>(); // container → ids its start must follow
  // p2p ends are wanted in their namespaces too (diff-lab.ts handles them).
  const linkIfnames = new Map<string, string[]>();
  for (const l of Object.values(desired.links ?? {})) for (const e of l.ends) linkIfnames.set(e.container, [...(linkIfnames.get(e.container) ?? []), e.ifname]);

  for (const c of selected) {
    const deps: string[] = [];
    perContainer.set(c.name, deps);
    let ns: ObservedNetns | undefined;
    let nsReady: string | undefined;
    if (c.netns.kind === 'own') {
      ns = observed.netns[c.netns.name];
      if (!ns || ns.stale) {
        nsReady = push({
          kind: 'netns.create',
          id: `netns.create:${c.netns.name}`,
          target: c.netns.name,
          reason: ns?.stale
            ? 'stale /run/netns entry'
            : state?.containers[c.name]
              ? 'missing (deleted behind our back)'
              : 'missing',
          netns: c.netns.name,
        });
        netnsCreated.add(c.netns.name);
        deps.push(nsReady);
        ns = undefined;
      } else {
        const lo = ns.links.find((l) => l.name === 'lo');
        if (lo && !lo.up) {
          deps.push(
            push({
              kind: 'link.update',
              id: `link.update:${c.name}:lo`,
              target: `lo of ${c.name}`,
              reason: 'drifted: link down',
              container: c.name,
              netns: c.netns.name,
              ifname: 'lo',
              up: true,
            }),
          );
        }
      }
      deps.push(...networkActions(c, c.netns.name, ns, nsReady));
    }
    const filesId = filesAction(c);
    if (filesId) deps.push(filesId);
  }

  function networkActions(c: DesiredContainer, netns: string, ns: ObservedNetns | undefined, nsReady?: string): string[] {
    const ids: string[] = [];
    const addrReady = new Map<string, string>();
    const addrReady6 = new Map<string, string>();
    const wanted = new Set([...c.interfaces.map((i) => i.ifname), ...(linkIfnames.get(c.name) ?? [])]);
    // Links inside the namespace that no attachment wants any more.
    for (const l of ns?.links ?? []) {
      if (l.name === 'lo' || wanted.has(l.name) || l.kind !== 'veth') continue;
      ids.push(
        push({
          kind: 'veth.delete',
          id: `veth.delete:${c.name}:${l.name}`,
          target: `${l.name} of ${c.name}`,
          reason: 'not in the file any more',
          container: c.name,
          netns,
          peer: l.name,
        }),
      );
    }
    for (const iface of c.interfaces) {
      const host = hostLinks.get(iface.hostVeth);
      const peer = ns?.links.find((l) => l.name === iface.ifname);
      // Both ends exist and are each other's peer (a name can be held by another pair after edits).
      const paired =
        host?.peerIndex === undefined || peer?.peerIndex === undefined || (host.peerIndex === peer.index && peer.peerIndex === host.index);
      const healthy = host?.kind === 'veth' && peer?.kind === 'veth' && paired;
      const target = `${iface.ifname} of ${c.name}`;
      if (!healthy) {
        const after: string[] = [];
        if (nsReady) after.push(nsReady);
        const br = bridgeReady.get(iface.network);
        if (br) after.push(br);
        if (host || peer) {
          after.push(
            push({
              kind: 'veth.delete',
              id: `veth.delete:${c.name}:${iface.network}`,
              target,
              reason: !host
                ? `host end ${iface.hostVeth} missing`
                : !peer
                  ? `peer ${iface.ifname} missing in the namespace`
                  : `${iface.ifname} in the namespace is not the peer of ${iface.hostVeth}`,
              container: c.name,
              ...(host ? { hostVeth: iface.hostVeth } : { netns, peer: iface.ifname }),
            }),
          );
        }
        const vid = push({
          kind: 'veth.create',
          id: `veth.create:${c.name}:${iface.network}`,
          target,
          reason: ns ? 'missing' : 'new container',
          after,
          container: c.name,
          network: iface.network,
          netns,
          hostVeth: iface.hostVeth,
          bridge: iface.bridge,
          peer: iface.ifname,
          mac: iface.mac,
          mtu: iface.mtu,
          alias: iface.alias,
        });
        ids.push(vid);
        const aid = push(addrAdd(c, netns, iface, 4, `address ${iface.address}/${iface.prefixLen}`, [vid]));
        ids.push(aid);
        addrReady.set(iface.ifname, aid);
        if (iface.address6) {
          const aid6 = push(addrAdd(c, netns, iface, 6, `address ${iface.address6}/${iface.prefixLen6}`, [vid]));
          ids.push(aid6);
          addrReady6.set(iface.ifname, aid6);
        }
        continue;
      }
      // Both ends exist: repair what drifted, in place.
      const hostFix = linkDrift(host, { up: true, mtu: iface.mtu, master: iface.bridge, hairpin: true });
      if (hostFix) {
        const br = bridgeReady.get(iface.network);
        ids.push(
          push({
            kind: 'link.update',
            id: `link.update:${c.name}:${iface.hostVeth}`,
            target: iface.hostVeth,
            reason: hostFix.reason,
            after: br ? [br] : [],
            container: c.name,
            ifname: iface.hostVeth,
            ...hostFix.change,
          }),
        );
      }
      const peerFix = linkDrift(peer, { up: true, mtu: iface.mtu, mac: iface.mac });
      if (peerFix) {
        ids.push(
          push({
            kind: 'link.update',
            id: `link.update:${c.name}:${iface.ifname}`,
            target,
            reason: peerFix.reason,
            container: c.name,
            netns,
            ifname: iface.ifname,
            ...peerFix.change,
          }),
        );
      }
      const has = peer.addresses.some((a) => a.address === iface.address && a.prefixLen === iface.prefixLen);
      for (const a of peer.addresses) {
        if (a.address.includes(':') || isLinkLocal(a.address)) continue;
        if (a.address === iface.address && a.prefixLen === iface.prefixLen) continue;
        ids.push(
          push({
            kind: 'addr.delete',
            id: `addr.delete:${c.name}:${iface.ifname}:${a.address}/${a.prefixLen}`,
            target,
            reason: `address ${a.address}/${a.prefixLen} is not the planned ${iface.address}/${iface.prefixLen}`,
            container: c.name,
            netns,
            ifname: iface.ifname,
            address: a.address,
            prefixLen: a.prefixLen,
          }),
        );
      }
      if (!has) {
        const changed = peer.addresses.some((a) => !a.address.includes(':') && !isLinkLocal(a.address));
        const aid = push(
          addrAdd(c, netns, iface, 4, changed ? `address changed to ${iface.address}/${iface.prefixLen}` : `address ${iface.address}/${iface.prefixLen} missing`),
        );
        ids.push(aid);
        addrReady.set(iface.ifname, aid);
      }
      const aid6 = ipv6Addresses(c, netns, iface, peer, target, push, ids);
      if (aid6) addrReady6.set(iface.ifname, aid6);
    }
    ids.push(...defaultRoute6(c, netns, ns, addrReady6, push));
    // Default route (unless x-routes gives one: diff-lab.ts owns it then).
    const current = ns?.routes.find((r) => r.dst === 'default' && (r.family ?? (r.gateway?.includes(':') ? 6 : 4)) === 4);
    const fromRoutes = c.routes?.some((r) => r.dst === 'default' && r.family === 4);
    if (c.defaultRoute && !fromRoutes) {
      const want = c.defaultRoute;
      if (!current || current.gateway !== want.via || current.dev !== want.ifname || addrReady.has(want.ifname)) {
        ids.push(push(defaultRouteReplace(c, netns, 4, want, current, addrReady.get(want.ifname))));
      }
    } else if (current && !fromRoutes) {
      ids.push(
        push({
          kind: 'route.delete',
          id: `route.delete:${c.name}:default`,
          target: `default route of ${c.name}`,
          reason: 'no non-internal network gives a default route',
          container: c.name,
          netns,
          dst: 'default',
          ...(current.gateway ? { via: current.gateway } : {}),
        }),
      );
    }
    return ids;
  }

  function filesAction(c: DesiredContainer): string | undefined {
    const have = observed.containers[c.name]?.files ?? {};
    const changed = (['hosts', 'resolvConf', 'hostname'] as const).filter((k) => have[k] !== c.files[k]);
    if (!changed.length) return undefined;
    const missing = changed.every((k) => have[k] === undefined);
    return push({
      kind: 'files.write',
      id: `files.write:${c.name}`,
      target: c.name,
      reason: missing ? 'missing' : `changed: ${changed.map(fileLabel).join(', ')}`,
      container: c.name,
      files: c.files,
    });
  }

  const cgroups = cgroupActions(desired, observed, selected.map((c) => c.name), push);
  for (const [name, id] of cgroups.ready) perContainer.get(name)!.push(id);
  // Named volumes the file declares (external ones must exist: resolve checked).
  const volumeIds = new Map<string, string>();
  const haveVolumes = new Set(observed.volumes ?? []);
  const usedVolumes = new Set(selected.flatMap((c) => (c.launch.isolation?.mounts ?? []).flatMap((m) => (m.type === 'volume' ? [m.volume] : []))));
  for (const v of Object.values(desired.volumes ?? {})) {
    if (v.external || haveVolumes.has(v.name) || (only && !usedVolumes.has(v.name))) continue;
    volumeIds.set(
      v.name,
      push({ kind: 'volume.create', id: `volume.create:${v.name}`, target: v.name, reason: state?.volumes?.includes(v.name) ? 'missing (deleted behind our back)' : 'missing', volume: v.name }),
    );
  }
  // p2p links, x-routes and shaping, after the bridge part they may depend on.
  const lab = diffLab(desired, observed, { push, actions: out, netnsCreated, ...(only ? { only } : {}) });
  for (const [container, ids] of lab) perContainer.get(container)?.push(...ids);

  // Processes: start what is not running, recreate what changed.
  for (const c of selected) {
    const obs = observed.containers[c.name];
    const prior = state?.containers[c.name];
    const ownNs = c.netns.kind === 'own' ? c.netns.name : c.netns.kind === 'container' ? c.netns.name : undefined;
    let why: string | undefined;
    if (obs?.running) {
      if (prior && prior.launchHash !== c.launchHash) why = `configuration changed: ${launchChanges(prior.launch, c.launch).join(', ') || 'network mode'}`;
      else if (!prior) why = 'not in the journal';
      else if (ownNs && netnsCreated.has(ownNs)) why = 'network namespace recreated';
      else if (cgroups.recreated.has(c.name)) why = 'cgroup recreated';
      if (!why) continue;
      perContainer.get(c.name)!.push(
        push({
          kind: 'container.stop',
          id: `container.stop:${c.name}`,
          target: c.name,
          reason: why,
          container: c.name,
          service: c.service,
          ...stopSettings(opts, prior?.launch),
          remove: false,
        }),
      );
    } else {
      why = obs?.exit
        ? `exited with code ${obs.exit.exitCode}`
        : obs && prior
          ? obs.shimAlive
            ? 'not running'
            : 'not running (its shim is gone)'
          : 'new';
    }
    // A container made anew (not a restart of the same one) starts from an empty writable layer.
    const fresh = !obs || !prior || prior.launchHash !== c.launchHash;
    const startId = push({
      kind: 'container.start',
      id: `container.start:${c.name}`,
      target: c.name,
      reason: why,
      container: c.name,
      service: c.service,
      ...(ownNs ? { netns: ownNs } : {}),
      launch: c.launch,
      ...(fresh ? { freshRootfs: true } : {}),
    });
    startIds.set(c.name, startId);
    for (const m of c.launch.isolation?.mounts ?? []) {
      if (m.type === 'volume' && volumeIds.has(m.volume)) perContainer.get(c.name)!.push(volumeIds.get(m.volume)!);
    }
  }
  // ----------------------------------------------------------------- removal
  if (!only) removals(desired, observed, opts, push);
  // A cgroup goes once its processes are gone: after every stop.
  const cgroupDeletes = new Set(cgroupRemovals(desired, observed, push));
  const stops = out.filter((a) => a.kind === 'container.stop').map((a) => a.id);
  for (const a of out) if (cgroupDeletes.has(a.id)) a.after.push(...stops);

  // A new veth follows every veth removal of its container: the name it takes may be freed by one.
  for (const a of out) {
    if (a.kind !== 'veth.create') continue;
    for (const d of out) if (d.kind === 'veth.delete' && d.container === a.container && !a.after.includes(d.id)) a.after.push(d.id);
  }

  // Kernel settings, firewall, DNS server.
  const bridgeCreated = new Set(out.flatMap((a) => (a.kind === 'bridge.create' ? [a.bridge] : [])));
  const host = hostActions(desired, observed, bridgeReady, bridgeCreated);
  out.push(...host.actions);

  // Starts follow their container's setup and their dependencies' starts.
  for (const a of out) {
    if (a.kind !== 'container.start') continue;
    const c = desired.containers[a.container]!;
    a.after.push(...(perContainer.get(c.name) ?? []), ...host.beforeStarts);
    for (const dep of c.startAfter) {
      const id = startIds.get(dep);
      if (id) a.after.push(id);
    }
  }
  return out;
}

function removals(desired: Desired, observed: Observed, opts: DiffOptions, push: (a: Draft) => string): void {
  const project = desired.project;
  const state = observed.state;
  const removedIds: string[] = [];
  const stopIds = new Map<string, string>();

  const known = new Set([...Object.keys(observed.containers), ...Object.keys(state?.containers ?? {})]);
  const leaving = [...known].filter((name) => !desired.containers[name]).sort();
  // Dependents stop first, as Docker Compose stops them.
  const first = lifecycleOrder(leaving, (n) => state?.containers[n]?.startAfter, 'stop');
  for (const name of leaving) {
    const prior = state?.containers[name];
    stopIds.set(
      name,
      push({
        kind: 'container.stop',
        id: `container.stop:${name}`,
        target: name,
        reason: 'not in the file any more',
        after: first.get(name)!.map((d) => `container.stop:${d}`),
        container: name,
        service: prior?.service ?? name,
        ...stopSettings(opts, prior?.launch),
        remove: true,
      }),
    );
  }
  // `down -v`: named volumes, after every container that may use them has stopped.
  const existing = new Set(observed.volumes ?? []);
  for (const v of [...new Set(opts.removeVolumes ?? [])].sort()) {
    if (!existing.has(v)) continue;
    push({ kind: 'volume.delete', id: `volume.delete:${v}`, target: v, reason: 'down -v', after: [...stopIds.values()], volume: v });
  }
  // Every stop precedes every namespace removal: a container may live in another's namespace.
  const allStops = [...stopIds.values()];

  // Namespaces no desired container lives in: deleting one destroys the veths inside it.
  const wantedNs = new Set(
    Object.values(desired.containers).flatMap((c) => (c.netns.kind === 'own' ? [c.netns.name] : [])),
  );
  const doomedNs = new Set(
    [
      ...Object.keys(observed.netns),
      ...Object.values(state?.containers ?? {}).flatMap((c) => (c.netns ? [c.netns] : [])),
    ].filter((ns) => !wantedNs.has(ns) && ns.startsWith(netnsPrefix(project)) && observed.netns[ns]),
  );

  // Host ends of veths that no desired container wants, unless their namespace goes anyway.
  const wantedVeths = new Set(Object.values(desired.containers).flatMap((c) => c.interfaces.map((i) => i.hostVeth)));
  const vethOwner = new Map<string, { container: string; netns?: string }>();
  for (const [name, c] of Object.entries(state?.containers ?? {})) {
    for (const i of c.interfaces) vethOwner.set(i.hostVeth, { container: name, ...(c.netns ? { netns: c.netns } : {}) });
  }
  for (const l of observed.hostLinks) {
    if (wantedVeths.has(l.name)) continue;
    const mark = parseOwnerAlias(l.alias);
    const known = vethOwner.get(l.name);
    const ours = (mark?.project === project && mark.object.startsWith('veth:')) || (known && l.kind === 'veth');
    if (!ours) continue;
    const container = known?.container ?? mark?.object.split(':')[1] ?? '';
    const netns = known?.netns ?? desired.containers[container]?.netns;
    const nsName = typeof netns === 'string' ? netns : netns?.kind === 'own' ? netns.name : undefined;
    if (nsName && doomedNs.has(nsName)) continue;
    const stop = stopIds.get(container);
    removedIds.push(
      push({
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

  for (const ns of [...doomedNs].sort()) {
    removedIds.push(
      push({
        kind: 'netns.delete',
        id: `netns.delete:${ns}`,
        target: ns,
        reason: 'container removed (its veths go with it)',
        after: allStops,
        netns: ns,
      }),
    );
  }

  // Bridges last, once nothing is attached.
  const wantedBridges = new Set(Object.values(desired.networks).filter((n) => n.managed).map((n) => n.bridge));
  const stateBridges = new Map(
    Object.entries(state?.networks ?? {})
      .filter(([, n]) => n.managed)
      .map(([k, n]) => [n.bridge, k]),
  );
  for (const l of observed.hostLinks) {
    if (wantedBridges.has(l.name) || l.kind !== 'bridge') continue;
    const mark = parseOwnerAlias(l.alias);
    const ours = (mark?.project === project && mark.object.startsWith('network:')) || stateBridges.has(l.name);
    if (!ours) continue;
    const key = mark?.object.slice('network:'.length) ?? stateBridges.get(l.name)!;
    push({
      kind: 'bridge.delete',
      id: `bridge.delete:${key}`,
      target: l.name,
      reason: 'not in the file any more',
      after: [...removedIds, ...allStops],
      network: key,
      bridge: l.name,
    });
  }
}

interface LinkWanted {
  up: boolean;
  mtu: number;
  mac?: string;
  master?: string;
  alias?: string;
  hairpin?: boolean;
}

/** What differs between a link and what it should be: the change to make and why, or undefined. */
function linkDrift(link: ObservedLink, want: LinkWanted): { change: Partial<LinkWanted>; reason: string } | undefined {
  const change: Partial<LinkWanted> = {};
  const why: string[] = [];
  if (want.master !== undefined && link.master !== want.master) {
    change.master = want.master;
    why.push(`not on bridge ${want.master}`);
  }
  if (want.up && !link.up) {
    change.up = true;
    why.push('link down');
  }
  if (link.mtu !== want.mtu) {
    change.mtu = want.mtu;
    why.push(`mtu ${link.mtu} → ${want.mtu}`);
  }
  if (want.mac !== undefined && link.mac !== want.mac) {
    change.mac = want.mac;
    why.push(`mac ${link.mac} → ${want.mac}`);
  }
  if (want.alias !== undefined && link.alias !== want.alias) {
    change.alias = want.alias;
    why.push('ownership mark missing');
  }
  // A port put back on its bridge is a new port: hairpin off.
  if (want.hairpin !== undefined && (link.hairpin !== want.hairpin || change.master !== undefined)) {
    change.hairpin = want.hairpin;
    if (change.master === undefined) why.push(`hairpin ${want.hairpin ? 'off' : 'on'}`);
  }
  return why.length ? { change, reason: `drifted: ${why.join(', ')}` } : undefined;
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
  if (!v4.some((x) => x.address === net.gateway && x.prefixLen === net.prefixLen)) {
    a.addAddress = { address: net.gateway, prefixLen: net.prefixLen };
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

const fileLabel = (k: string) => (k === 'resolvConf' ? 'resolv.conf' : k);

/** Which launch settings differ, in compose terms, for the plan's reason. */
function launchChanges(before: LaunchSettings, after: LaunchSettings): string[] {
  const names: Record<keyof LaunchSettings, string> = {
    argv: 'command',
    env: 'environment',
    cwd: 'working_dir',
    user: 'user',
    hostname: 'hostname',
    domainname: 'domainname',
    namespaces: 'isolation',
    sysctls: 'sysctls',
    cgroup: 'cgroup_parent',
    rlimits: 'ulimits',
    oomScoreAdj: 'oom_score_adj',
    isolation: 'root filesystem, volumes or privileges',
    stopSignal: 'stop_signal',
    stopGraceSec: 'stop_grace_period',
  };
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof LaunchSettings>;
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map((k) => names[k] ?? k);
}

/** IPv6 address of a healthy interface: add the planned one, remove other global ones. Returns the add's id. */
function ipv6Addresses(
  c: DesiredContainer,
  netns: string,
  iface: DesiredContainer['interfaces'][number],
  peer: ObservedLink,
  target: string,
  push: (a: Draft) => string,
  ids: string[],
): string | undefined {
  const global = peer.addresses.filter((a) => a.address.includes(':') && !isLinkLocal(a.address));
  for (const a of global) {
    if (a.address === iface.address6 && a.prefixLen === iface.prefixLen6) continue;
    ids.push(
      push({
        kind: 'addr.delete',
        id: `addr.delete:${c.name}:${iface.ifname}:${a.address}/${a.prefixLen}`,
        target,
        reason: iface.address6 ? `address ${a.address}/${a.prefixLen} is not the planned ${iface.address6}/${iface.prefixLen6}` : `address ${a.address}/${a.prefixLen}: the network has no IPv6`,
        container: c.name,
        netns,
        ifname: iface.ifname,
        address: a.address,
        prefixLen: a.prefixLen,
      }),
    );
  }
  if (!iface.address6 || global.some((a) => a.address === iface.address6 && a.prefixLen === iface.prefixLen6)) return undefined;
  const id = push(addrAdd(c, netns, iface, 6, `address ${iface.address6}/${iface.prefixLen6} missing`));
  ids.push(id);
  return id;
}

/** The addr.add of an interface's planned IPv4 (4) or IPv6 (6) address. */
function addrAdd(c: DesiredContainer, netns: string, iface: DesiredInterface, family: 4 | 6, reason: string, after?: string[]): Draft {
  const v6 = family === 6;
  return {
    kind: 'addr.add',
    id: `${v6 ? 'addr.add6' : 'addr.add'}:${c.name}:${iface.ifname}`,
    target: `${iface.ifname} of ${c.name}`,
    reason,
    ...(after ? { after } : {}),
    container: c.name,
    netns,
    ifname: iface.ifname,
    address: v6 ? iface.address6! : iface.address,
    prefixLen: v6 ? iface.prefixLen6! : iface.prefixLen,
  };
}

/** The route.replace of a container's IPv4 (4) or IPv6 (6) default route, after its address (`dep`) when that is being added. */
function defaultRouteReplace(
  c: DesiredContainer,
  netns: string,
  family: 4 | 6,
  want: { via: string; ifname: string },
  current: { gateway?: string; dev?: string } | undefined,
  dep: string | undefined,
): Draft {
  return {
    kind: 'route.replace',
    id: `route.replace:${c.name}:${family === 6 ? 'default6' : 'default'}`,
    target: `${family === 6 ? 'IPv6 default' : 'default'} route of ${c.name}`,
    reason: !current ? `via ${want.via} dev ${want.ifname}` : `was via ${current.gateway} dev ${current.dev}`,
    after: dep ? [dep] : [],
    container: c.name,
    netns,
    dst: 'default',
    via: want.via,
    ifname: want.ifname,
  };
}

/** The IPv6 default route of a container's namespace. */
function defaultRoute6(
  c: DesiredContainer,
  netns: string,
  ns: ObservedNetns | undefined,
  addrReady6: Map<string, string>,
  push: (a: Draft) => string,
): string[] {
  const current = ns?.routes.find((r) => r.dst === 'default' && r.gateway?.includes(':'));
  const want = c.defaultRoute6;
  if (want) {
    if (current && current.gateway === want.via && current.dev === want.ifname && !addrReady6.has(want.ifname)) return [];
    return [push(defaultRouteReplace(c, netns, 6, want, current, addrReady6.get(want.ifname)))];
  }
  // No bridge gives one; an x-routes default (diff-lab.ts) is not ours to remove.
  if (!current || c.routes?.some((r) => r.dst === 'default' && r.family === 6)) return [];
  return [
    push({
      kind: 'route.delete',
      id: `route.delete:${c.name}:default6`,
      target: `IPv6 default route of ${c.name}`,
      reason: 'no non-internal IPv6 network gives a default route',
      container: c.name,
      netns,
      dst: 'default',
      ...(current.gateway ? { via: current.gateway } : {}),
    }),
  ];
}
