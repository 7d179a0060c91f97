/**
 * A fake machine for planner tests: the Observed state that a perfect apply
 * of `desired` would leave behind. Tests then break one thing and check that
 * the plan repairs exactly that.
 */
import { bridgeTunnelAlias } from '../../src/plan/multihost';
import { buildFirewall } from '../../src/plan/firewall';
import { journalAfter } from '../../src/plan/journal';
import type { Desired, Observed, ObservedLink, ObservedNetns } from '../../src/plan/model';
import { emptyObserved } from './project';

export function observedAfter(desired: Desired, base: Observed = emptyObserved()): Observed {
  let index = 100;
  const hostLinks: ObservedLink[] = [...base.hostLinks];
  for (const n of Object.values(desired.networks)) {
    if (!n.managed) continue;
    hostLinks.push({
      name: n.bridge,
      index: index++,
      kind: 'bridge',
      alias: n.alias,
      mtu: n.mtu,
      ...(n.mac ? { mac: n.mac } : {}),
      up: true,
      addresses: [...(n.gateway ? [{ address: n.gateway, prefixLen: n.prefixLen! }] : []), ...(n.ipv6 ? [{ address: n.ipv6.gateway, prefixLen: n.ipv6.prefixLen }] : [])],
    });
  }
  const netns: Record<string, ObservedNetns> = {};
  let hostQdiscs: Observed['hostQdiscs'];
  const containers: Observed['containers'] = {};
  for (const c of Object.values(desired.containers)) {
    if (c.netns.kind === 'own') {
      const links: ObservedLink[] = [{ name: 'lo', index: 1, up: true, addresses: [{ address: '127.0.0.1', prefixLen: 8 }] }];
      c.interfaces.forEach((i, k) => {
        if (i.lowerLink) {
          // A macvlan/ipvlan: nothing on the host, marked in the namespace.
          links.push({ name: i.ifname, index: 2 + k, kind: i.lowerLink.kind, alias: i.alias, mtu: i.mtu, ...(i.lowerLink.kind === 'macvlan' ? { mac: i.mac } : {}), up: true, addresses: [...(i.address ? [{ address: i.address, prefixLen: i.prefixLen! }] : []), ...(i.address6 ? [{ address: i.address6, prefixLen: i.prefixLen6! }] : [])] });
          return;
        }
        const hostIndex = index++;
        hostLinks.push({
          name: i.hostVeth,
          index: hostIndex,
          kind: 'veth',
          alias: i.alias,
          mtu: i.mtu,
          up: true,
          master: i.bridge,
          hairpin: true,
          peerIndex: 2 + k,
          addresses: [],
        });
        links.push({
          name: i.ifname,
          index: 2 + k,
          peerIndex: hostIndex,
          kind: 'veth',
          mtu: i.mtu,
          mac: i.mac,
          up: true,
          addresses: [
            ...(i.address ? [{ address: i.address, prefixLen: i.prefixLen! }] : []),
            ...(i.address6 ? [{ address: i.address6, prefixLen: i.prefixLen6! }] : []),
            { address: 'fe80::1', prefixLen: 64 },
          ],
        });
      });
      netns[c.netns.name] = {
        name: c.netns.name,
        links,
        routes: [
          ...(c.defaultRoute ? [{ dst: 'default', gateway: c.defaultRoute.via, dev: c.defaultRoute.ifname }] : []),
          ...(c.defaultRoute6 ? [{ dst: 'default', gateway: c.defaultRoute6.via, dev: c.defaultRoute6.ifname }] : []),
          ...(c.routes ?? []).map((r) => ({
            dst: r.dst,
            ...(r.via ? { gateway: r.via } : {}),
            dev: r.ifname,
            ...(r.family === 6 ? { family: 6 as const } : {}),
            protocol: 'static',
            metric: r.metric ?? (r.family === 6 ? 1024 : 0),
          })),
        ],
      };
      const qdiscs = c.interfaces.flatMap((i) => (i.shaping ? [{ dev: i.ifname, qdisc: i.shaping }] : []));
      if (qdiscs.length) netns[c.netns.name]!.qdiscs = qdiscs;
      for (const i of c.interfaces) if (i.shaping) (hostQdiscs ??= []).push({ dev: i.hostVeth, qdisc: i.shaping });
    }
    containers[c.name] = { name: c.name, running: true, shimAlive: true, pid: 1000 + index++, files: { ...c.files } };
  }
  // p2p links: both ends, each other's peer, with their mark, addresses and shaping.
  for (const l of Object.values(desired.links ?? {})) {
    // A tunnelled link (x-hosts): only the local end, a VXLAN device.
    const here = l.tunnel ? [l.ends[l.tunnel.localEnd!]] : l.ends;
    const made = here.map((e) => {
      const ns = netns[e.netns]!;
      const link: ObservedLink = {
        name: e.ifname,
        index: ns.links.length + 1,
        kind: l.tunnel ? 'vxlan' : 'veth',
        alias: l.alias,
        mtu: e.mtu,
        mac: e.mac,
        up: true,
        addresses: [...e.addresses, { address: 'fe80::2', prefixLen: 64 }],
      };
      ns.links.push(link);
      if (e.shaping) (ns.qdiscs ??= []).push({ dev: e.ifname, qdisc: e.shaping });
      return link;
    });
    if (l.tunnel) continue;
    made[0]!.peerIndex = made[1]!.index;
    made[1]!.peerIndex = made[0]!.index;
  }
  for (const n of Object.values(desired.networks)) {
    const t = n.tunnel;
    if (t?.device) {
      const alias = bridgeTunnelAlias(desired.project, n.key, t);
      hostLinks.push({ name: t.device, index: index++, kind: 'vxlan', alias, mtu: t.mtu, up: true, master: n.bridge, addresses: [] });
    }
  }
  const model = buildFirewall(desired, base.firewall);
  const firewall = {
    available: true,
    tables: model.tables.map((t) => ({ family: t.family, name: t.name, chains: Object.fromEntries(t.chains.map((c) => [c.name, c.rules.length])) })),
    drops: base.firewall?.drops ?? [],
    inserted: model.passthrough.map((p, i) => ({ family: p.family, table: p.table, chain: p.chain, handle: 1000 + i, comment: p.comment })),
  };
  const volumes = [...new Set([...(base.volumes ?? []), ...Object.values(desired.volumes ?? {}).map((v) => v.name)])].sort();
  return {
    ...base,
    ...(hostQdiscs ? { hostQdiscs } : {}),
    hostLinks,
    netns,
    containers,
    firewall,
    sysctls: Object.fromEntries((desired.sysctls ?? []).map((x) => [x.key, x.value])),
    ...(desired.dns ? { dns: { running: true, ready: true, config: JSON.stringify(desired.dns) } } : {}),
    ...(volumes.length ? { volumes } : {}),
    state: journalAfter(base.state, desired, { now: '2026-01-01T00:00:00Z' }),
    ...(base.cgroups
      ? {
          cgroups: {
            ...base.cgroups,
            existing: Object.values(desired.containers).flatMap((c) => (c.cgroup ? [{ parent: c.cgroup.parent, path: c.cgroup.path }] : [])),
          },
        }
      : {}),
  };
}
