/**
 * One lab across machines (`x-hosts`, `up --host NAME`). Pure.
 *
 * The whole file is resolved first, exactly as on one machine, so every
 * machine computes the same addresses, MACs and names; then this keeps the
 * part of NAME: its containers, the links and networks they use, and, for
 * each p2p link or bridge network whose members sit on two machines, a
 * unicast VXLAN tunnel (VNI from the project and the link's name, both
 * machines derive the same) with the MTU lowered by the VXLAN overhead.
 *
 * A p2p link's local end is the VXLAN device itself, born in the container's
 * namespace with its UDP socket in this machine's namespace (the kernel keeps
 * a vxlan device's socket in the namespace that created it): no veth, no
 * per-link bridge, one device per end, and `down` (deleting the namespace)
 * removes it. A bridge network gets a VXLAN port on its bridge instead.
 */
import type { HostsSpec, Project } from '../compose/types';
import { PlanError, type SpecIssue } from '../errors';
import type { PlanTunnel } from './actions';
import type { Desired, DesiredContainer, DesiredTunnel, Observed } from './model';
import { shortHash } from './names';
import { ownerAlias } from './names';

/** Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 (RFC 7348); IPv6 is 20 bytes longer. */
export const VXLAN_OVERHEAD = { 4: 50, 6: 70 } as const;
const MAX_VNI = 0xffffff;

/** The VNI a tunnelled link or network gets: x-vxlan.links.KEY.vni, else BASE + its rank, else a hash of project and key (1 … 2^24-1). */
export function vniFor(project: string, key: string, hosts: Pick<HostsSpec, 'vniBase' | 'linkVni'>, rank: number): number {
  const fixed = hosts.linkVni[key];
  if (fixed !== undefined) return fixed;
  if (hosts.vniBase !== undefined) return hosts.vniBase + rank;
  return (parseInt(shortHash(project, 'vxlan', key).slice(0, 8), 16) % (MAX_VNI - 1)) + 1;
}

/** The MTU of a stitched interface: what was asked, but no more than the smallest underlay MTU less the VXLAN overhead. */
export function tunnelMtu(asked: number, hosts: HostsSpec, names: string[]): { mtu: number; mtuReason: string } {
  const family = hosts.hosts[names[0]!]!.family;
  const underlay = Math.min(...names.map((n) => hosts.hosts[n]!.mtu));
  const room = underlay - VXLAN_OVERHEAD[family];
  if (asked <= room) return { mtu: asked, mtuReason: `${asked} as asked (fits underlay ${underlay} − ${VXLAN_OVERHEAD[family]} VXLAN overhead)` };
  return { mtu: room, mtuReason: `${room} = underlay MTU ${underlay} − ${VXLAN_OVERHEAD[family]} bytes of VXLAN over IPv${family} (${asked} asked)` };
}

/** Which machine each container is on (services without x-host: none, only in a one-machine lab). */
function hostOf(project: Project, desired: Desired): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of Object.values(desired.containers)) {
    const h = project.services[c.service]?.host;
    if (h) out.set(c.name, h);
  }
  return out;
}

/** Every link and bridge network with members on two machines, with the machines, in key order. */
export function crossingLinks(project: Project, desired: Desired): Array<{ key: string; kind: 'p2p' | 'bridge'; hosts: string[] }> {
  const where = hostOf(project, desired);
  const out: Array<{ key: string; kind: 'p2p' | 'bridge'; hosts: string[] }> = [];
  for (const link of Object.values(desired.links ?? {})) {
    const hosts = [...new Set(link.ends.map((e) => where.get(e.container)!))].sort();
    if (hosts.length > 1) out.push({ key: link.key, kind: 'p2p', hosts });
  }
  for (const net of Object.values(desired.networks)) {
    const members = Object.values(desired.containers).filter((c) => c.interfaces.some((i) => i.network === net.key));
    const hosts = [...new Set(members.map((c) => where.get(c.name)!))].sort();
    if (hosts.length > 1) out.push({ key: net.key, kind: 'bridge', hosts });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The part of `desired` (the whole file, resolved) that machine `host` makes, with its tunnels. */
export function placeOnHost(project: Project, desired: Desired, host: string, observed: Pick<Observed, 'hostLinks'>): Desired {
  const hosts = project.hosts!;
  const where = hostOf(project, desired);
  const local = (c: string) => where.get(c) === host;
  const issues: SpecIssue[] = [];
  const loc = (path: string) => project.sources.get(path);
  const crossing = crossingLinks(project, desired);
  const vnis = new Map<number, string>();
  const tunnels = new Map<string, Omit<DesiredTunnel, 'mtu' | 'mtuReason'> & { hosts: string[] }>();
  crossing.forEach((x, rank) => {
    const vni = vniFor(project.name, x.key, hosts, rank);
    const path = hosts.linkVni[x.key] !== undefined ? `x-vxlan.links.${x.key}.vni` : hosts.vniBase !== undefined ? 'x-vxlan.vni' : `networks.${x.key}`;
    if (vni > MAX_VNI) issues.push({ path, loc: loc(path), message: `VNI ${vni} for ${x.key} is above ${MAX_VNI}: lower x-vxlan.vni` });
    const other = vnis.get(vni);
    if (other !== undefined) issues.push({ path, loc: loc(path), message: `${x.key} and ${other} would share VNI ${vni}: give one x-vxlan.links.<name>.vni` });
    vnis.set(vni, x.key);
    if (x.kind === 'bridge' && !project.networks[x.key]?.ipam.some((p) => p.subnet)) {
      const p = `networks.${x.key}`;
      issues.push({ path: p, loc: loc(p), message: `network ${x.key} spans ${x.hosts.join(' and ')}: give it an ipam subnet (each machine would otherwise pick its own)` });
    }
    if (!x.hosts.includes(host)) return;
    const [peerHost, ...others] = x.hosts.filter((h) => h !== host) as [string, ...string[]];
    const extra = others.length ? { extraRemotes: others.map((h) => ({ host: h, address: hosts.hosts[h]!.address })) } : {};
    tunnels.set(x.key, { vni, port: hosts.port, host, local: hosts.hosts[host]!.address, peerHost, remote: hosts.hosts[peerHost]!.address, ...extra, hosts: x.hosts });
  });
  if (issues.length) throw new PlanError(issues);

  const containers: Record<string, DesiredContainer> = {};
  const warnings: SpecIssue[] = [];
  for (const c of Object.values(desired.containers)) {
    if (!local(c.name)) continue;
    for (const d of new Set([...c.startAfter, ...(c.waitFor ?? []).map((w) => w.container)])) {
      if (local(d)) continue;
      const path = `services.${c.service}.depends_on`;
      warnings.push({ path, loc: loc(path), message: `${c.name} depends on ${d}, which runs on ${where.get(d)}: this machine starts it without waiting` });
    }
    const keep = (list: string[] | undefined) => list?.filter(local);
    containers[c.name] = {
      ...c,
      startAfter: keep(c.startAfter)!,
      ...(c.waitFor ? { waitFor: c.waitFor.filter((w) => local(w.container)) } : {}),
      ...(c.restartWith ? { restartWith: keep(c.restartWith) } : {}),
    };
  }
  const out: Desired = { ...desired, host, containers, networks: {}, links: {} };
  for (const link of Object.values(desired.links ?? {})) {
    const mine = link.ends.map((e) => local(e.container));
    if (!mine[0] && !mine[1]) continue;
    const t = tunnels.get(link.key);
    if (!t) {
      out.links![link.key] = link;
      continue;
    }
    const { hosts: names, ...tunnel } = t;
    const m = tunnelMtu(Math.max(...link.ends.map((e) => e.mtu)), hosts, names);
    const ends = link.ends.map((e) => ({ ...e, mtu: Math.min(e.mtu, m.mtu) })) as typeof link.ends;
    // The mark names the tunnel's settings: a changed address, port or VNI recreates the end.
    const alias = ownerAlias(project.name, `p2p:${link.key}@${shortHash(String(t.vni), String(t.port), t.local, t.remote).slice(0, 8)}`);
    out.links![link.key] = { ...link, alias, ends, tunnel: { ...tunnel, localEnd: mine[0] ? 0 : 1, ...m } };
  }
  for (const net of Object.values(desired.networks)) {
    if (!Object.values(containers).some((c) => c.interfaces.some((i) => i.network === net.key))) continue;
    const t = tunnels.get(net.key);
    if (!t) {
      out.networks[net.key] = net;
      continue;
    }
    const { hosts: names, ...tunnel } = t;
    const m = tunnelMtu(net.mtu, hosts, names);
    out.networks[net.key] = { ...net, mtu: m.mtu, tunnel: { ...tunnel, ...m, device: tunnelIfname(project.name, net.key) } };
    for (const c of Object.values(containers)) {
      if (!c.interfaces.some((i) => i.network === net.key)) continue;
      containers[c.name] = { ...c, interfaces: c.interfaces.map((i) => (i.network === net.key ? { ...i, mtu: Math.min(i.mtu, m.mtu) } : i)) };
    }
  }
  if (!Object.keys(out.links!).length) delete out.links;
  if (desired.ports) out.ports = desired.ports.filter((p) => local(p.container));
  if (desired.only) out.only = desired.only.filter(local);
  // The wrong --host, or an underlay not configured yet: say so (the tunnels carry traffic once it is).
  const address = hosts.hosts[host]!.address;
  if (tunnels.size && !observed.hostLinks.some((l) => l.addresses.some((a) => a.address === address))) {
    const path = `x-hosts.${host}.address`;
    warnings.push({ path, loc: loc(path), message: `this machine has no address ${address}: its tunnels carry nothing until it has (is this host ${host}?)` });
  }
  if (warnings.length) out.warnings = [...(desired.warnings ?? []), ...warnings];
  // The DNS server here answers on this machine's bridges only (names still cover every machine).
  if (desired.dns) {
    const listen = desired.dns.listen.filter((l) => out.networks[l.network]);
    if (listen.length) out.dns = { ...desired.dns, listen };
    else delete out.dns;
  }
  return out;
}

/** The tunnels of a placed desired state, for the plan. */
export function planTunnels(desired: Desired): PlanTunnel[] {
  const out: PlanTunnel[] = [];
  for (const l of Object.values(desired.links ?? {})) {
    if (!l.tunnel) continue;
    const e = l.ends[l.tunnel.localEnd!];
    out.push({ network: l.key, kind: 'p2p', ...l.tunnel, device: `${e.ifname} of ${e.container}` });
  }
  for (const n of Object.values(desired.networks)) if (n.tunnel) out.push({ network: n.key, kind: 'bridge', ...n.tunnel, device: n.tunnel.device! });
  return out.sort((a, b) => (a.network < b.network ? -1 : 1));
}

/** The mark of a bridge network's VXLAN port: it names the tunnel's settings, so a changed one is recreated. */
export function bridgeTunnelAlias(project: string, network: string, t: DesiredTunnel): string {
  const more = (t.extraRemotes ?? []).map((r) => `,${r.address}`).join('');
  return ownerAlias(project, `vxlan:${network}@${t.vni}:${t.port}:${t.local}:${t.remote}${more}`);
}

/** `tsc-x-<9 hex>`: the VXLAN port of a bridge network spanning machines. */
export function tunnelIfname(project: string, network: string): string {
  return `tsc-x-${shortHash(project, 'vxlan', network).slice(0, 9)}`;
}
