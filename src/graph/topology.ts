/**
 * The topology as a picture sees it: containers, bridges, and the edges
 * between them (an attachment to a bridge, a p2p link, a shared
 * namespace), each with what a person needs to read it: interface names,
 * addresses, shaping, published ports, routes. Pure; every renderer (DOT,
 * Mermaid, SVG, HTML) draws this.
 */
import type { Desired, DesiredContainer } from '../plan/model';
import { describeQdisc } from '../plan/shaping';
import type { Project } from '../compose/types';

export type NodeKind = 'router' | 'host' | 'service' | 'bridge' | 'machine';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** One short line under the label (`router`, `10.1.0.0/24`). */
  sub?: string;
  /** Everything else, a line each (interfaces, routes, ports…), for tooltips and the HTML panel. */
  details: string[];
  ports: string[];
  /** `x-host`: the machine it runs on (x-hosts). */
  host?: string;
}

export interface GraphEdge {
  id: string;
  kind: 'attach' | 'link' | 'shared';
  a: string;
  b: string;
  /** Its ends are on two machines (x-hosts): a VXLAN tunnel. */
  tunnel?: boolean;
  /** Text at each end (interface and address) and in the middle (subnet, shaping). */
  aLabel?: string;
  bLabel?: string;
  label?: string;
  shaped?: boolean;
}

export interface Topology {
  project: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const cid = (c: string) => `c:${c}`;
const nid = (n: string) => `n:${n}`;

/**
 * A container's published ports as the planner decided them (ephemeral host
 * ports included): `127.0.0.1:8080→80/tcp`.
 */
export function publishedPorts(desired: Desired, container: string): string[] {
  return (desired.ports ?? [])
    .filter((p) => p.container === container)
    .map((p) => `${p.hostIp ? `${p.family === 6 ? `[${p.hostIp}]` : p.hostIp}:` : ''}${p.hostPort}→${p.port}/${p.protocol}`);
}

function forwards(c: DesiredContainer): boolean {
  const s = c.launch.sysctls;
  return ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding', 'net.ipv6.conf.all.forwarding'].some((k) => s[k] === '1' || s[k] === 'true');
}

export function topology(project: Project, desired: Desired): Topology {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const labelOf = (c: DesiredContainer) => ((project.services[c.service]?.scale ?? 1) > 1 ? c.name : c.service);

  for (const n of Object.values(desired.networks).sort((a, b) => (a.key < b.key ? -1 : 1))) {
    nodes.push({
      id: nid(n.key),
      kind: 'bridge',
      label: n.key,
      sub: `${n.subnet ?? n.ipv6?.subnet}${n.internal ? ' internal' : ''}`,
      details: [
        n.lowerLink ? `${n.lowerLink.kind} on ${n.lowerLink.parent}, mode ${n.lowerLink.mode}` : `bridge ${n.bridge}${n.managed ? '' : ' (external)'}`,
        n.subnet ? `subnet ${n.subnet}, gateway ${n.gateway}` : `IPv6-only: subnet ${n.ipv6?.subnet}, gateway ${n.ipv6?.gateway}`,
        `mtu ${n.mtu}`,
        ...(n.internal ? ['internal: no default route out'] : []),
      ],
      ports: [],
    });
  }
  const ends = new Map<string, string[]>();
  for (const l of Object.values(desired.links ?? {})) {
    for (const e of l.ends) {
      const list = ends.get(e.container) ?? [];
      list.push(`${e.ifname} ${e.addresses.map((a) => `${a.address}/${a.prefixLen}`).join(' ') || '(unnumbered)'} → link ${l.key}${e.shaping ? `, ${describeQdisc(e.shaping)}` : ''}`);
      ends.set(e.container, list);
    }
  }
  const containers = Object.values(desired.containers).sort((a, b) => (a.name < b.name ? -1 : 1));
  let machine = false;
  for (const c of containers) {
    const ports = publishedPorts(desired, c.name);
    const kind: NodeKind = forwards(c) ? 'router' : (ends.get(c.name)?.length ?? 0) > 0 && c.interfaces.length === 0 ? 'host' : 'service';
    const details = [
      ...c.interfaces.map((i) => `${i.ifname} ${i.address ? `${i.address}/${i.prefixLen}` : `${i.address6}/${i.prefixLen6}`} on ${i.network}${i.shaping ? `, ${describeQdisc(i.shaping)}` : ''}`),
      ...(ends.get(c.name) ?? []),
      ...(c.defaultRoute ? [`default via ${c.defaultRoute.via} dev ${c.defaultRoute.ifname}`] : []),
      ...(c.routes ?? []).map((r) => `${r.dst}${r.via ? ` via ${r.via}` : ''} dev ${r.ifname}${r.metric !== undefined ? ` metric ${r.metric}` : ''}`),
      ...Object.entries(c.launch.sysctls).map(([k, v]) => `${k}=${v}`),
      ...(c.launch.argv.length ? [`command: ${c.launch.argv.join(' ')}`] : []),
    ];
    const host = project.services[c.service]?.host;
    const sub = kind === 'router' ? 'router' : c.netns.kind === 'host' ? 'host network' : c.netns.kind === 'container' ? 'shared netns' : undefined;
    const on = host ? `on ${host}` : undefined;
    nodes.push({
      id: cid(c.name),
      kind,
      label: labelOf(c),
      ...(sub || on ? { sub: [sub, on].filter(Boolean).join(' · ') } : {}),
      details: host ? [`host ${host} (${project.hosts!.hosts[host]?.address})`, ...details] : details,
      ports,
      ...(host ? { host } : {}),
    });
    for (const i of c.interfaces) {
      edges.push({ id: `a:${c.name}:${i.network}`, kind: 'attach', a: cid(c.name), b: nid(i.network), aLabel: `${i.ifname} ${i.address ?? i.address6}`, ...(i.shaping ? { label: describeQdisc(i.shaping), shaped: true } : {}) });
    }
    if (c.netns.kind === 'container') edges.push({ id: `s:${c.name}`, kind: 'shared', a: cid(c.name), b: cid(c.netns.container), label: 'network_mode: service' });
    if (c.netns.kind === 'host') {
      machine = true;
      edges.push({ id: `s:${c.name}`, kind: 'shared', a: cid(c.name), b: 'machine', label: 'network_mode: host' });
    }
  }
  if (machine) nodes.push({ id: 'machine', kind: 'machine', label: 'host', sub: 'the machine', details: [], ports: [] });
  for (const l of Object.values(desired.links ?? {}).sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const [x, y] = l.ends;
    const end = (e: typeof x) => `${e.ifname}${e.addresses.length ? ` ${e.addresses.map((a) => `${a.address}/${a.prefixLen}`).join(' ')}` : ''}`;
    const shaping = [...new Set(l.ends.flatMap((e) => (e.shaping ? [describeQdisc(e.shaping)] : [])))];
    const hostOf = (e: typeof x) => project.services[desired.containers[e.container]?.service ?? '']?.host;
    const tunnel = hostOf(x) !== hostOf(y) ? [`VXLAN ${hostOf(x)} ↔ ${hostOf(y)}`] : [];
    edges.push({
      id: `l:${l.key}`,
      kind: 'link',
      a: cid(x.container),
      b: cid(y.container),
      aLabel: end(x),
      bLabel: end(y),
      ...(shaping.length || tunnel.length ? { label: [...tunnel, ...shaping].join(' / ') } : {}),
      ...(shaping.length ? { shaped: true } : {}),
      ...(tunnel.length ? { tunnel: true } : {}),
    });
  }
  return { project: project.name, nodes, edges };
}
