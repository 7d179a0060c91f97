/**
 * A tscompose lab as a containerlab topology (`*.clab.yml`). Pure: the
 * loaded Project in, the topology object and what did not map out.
 *
 *   service          → node `kind: linux`, `network-mode: none` (a tscompose
 *                      container has only the interfaces the file gives it)
 *   x-links / p2p    → `links: [{endpoints: ["r1:eth1", "r2:eth1"], mtu}]`,
 *                      addresses as `exec: ip addr add A/P dev IF`
 *   bridge network   → a `kind: bridge` node (an existing host bridge) linked to each member
 *   x-routes         → `exec: ip [-6] route add …`
 *   sysctls, env, binds, user, hostname, labels, cap_add, privileged → the node keys of the same name
 *   x-netem          → a `containerlab tools netem set` command in a warning (not part of a topology)
 */
import type { Project, ServiceSpec } from '../compose/types';
import { attachmentIfnames, resolveLinks, type LabReplica } from '../plan/lab';
import { shapingWarning } from './containerlab-netem';
import { bridgeNodes } from './containerlab-bridges';
import { serviceNode } from './containerlab-node';
import { unmappedKeys } from './unmapped';
import type { ClabLink, ClabNode, ClabTopology } from './containerlab-types';
import type { ConvertWarning, Warn } from './warnings';

export type { ClabLink, ClabNode, ClabTopology };
export { shellQuote } from './containerlab-node';

export interface ClabResult {
  file: ClabTopology;
  warnings: ConvertWarning[];
}

export function toContainerlab(project: Project): ClabResult {
  const warnings: ConvertWarning[] = [];
  const warn: Warn = (kind, path, message, fallback) =>
    warnings.push({ kind, path, loc: project.sources.get(path) ?? (fallback ? project.sources.get(fallback) : undefined), message });
  const nodes: Record<string, ClabNode> = {};
  const exec = new Map<string, string[]>();
  const addExec = (node: string, cmd: string) => exec.set(node, [...(exec.get(node) ?? []), cmd]);

  for (const svc of Object.values(project.services)) nodes[svc.name] = serviceNode(svc, warn);

  const links: ClabLink[] = [];
  const replicas: LabReplica[] = Object.values(project.services)
    .filter((s) => s.networkMode.kind === 'default')
    .map((s) => ({ name: s.name, service: s, index: 1 }));
  const resolved = resolveLinks(project, replicas, () => '-');
  for (const issue of resolved.issues) warn('unmapped', issue.path, issue.message);
  // In the file's order: x-links entries first, as written, then p2p networks by name.
  const order = (key: string) => project.networks[key]?.fromLink?.index ?? Number.MAX_SAFE_INTEGER;
  for (const link of Object.values(resolved.links).sort((x, y) => order(x.key) - order(y.key))) {
    const [a, b] = link.ends;
    // containerlab's default link MTU is 9500, tscompose's 1500: every link says its own.
    const mtu = a.mtu;
    links.push({ endpoints: [`${a.container}:${a.ifname}`, `${b.container}:${b.ifname}`], mtu });
    for (const end of [a, b]) {
      for (const ad of end.addresses) addExec(end.container, `ip addr add ${ad.address}/${ad.prefixLen} dev ${end.ifname}`);
      // One MTU a link in containerlab: the other end's own x-mtu is set after deploy.
      if (end.mtu !== mtu) addExec(end.container, `ip link set dev ${end.ifname} mtu ${end.mtu}`);
    }
  }
  for (const svc of Object.values(project.services)) {
    const ifnames = attachmentIfnames(svc);
    for (const att of svc.networks) shapingWarning(project, svc.name, att.network, ifnames.get(att.network)!, warn);
  }

  const bridges = bridgeNodes(project, warn);
  Object.assign(nodes, bridges.nodes);
  links.push(...bridges.links);
  for (const [node, cmds] of bridges.exec) for (const c of cmds) addExec(node, c);

  for (const svc of Object.values(project.services)) {
    for (const r of svc.routes ?? []) addExec(svc.name, routeCommand(r));
    const cmds = exec.get(svc.name);
    if (!cmds?.length) continue;
    const node = nodes[svc.name]!;
    node.exec = cmds;
    // A container runtime may start a node with IPv6 off (Docker does on networks without it);
    // tscompose's namespaces have it on. Links are added after start: `default` covers them.
    if (cmds.some((c) => c.startsWith('ip -6 ') || /^ip addr add \S*:/.test(c))) {
      node.sysctls = { 'net.ipv6.conf.all.disable_ipv6': '0', 'net.ipv6.conf.default.disable_ipv6': '0', ...node.sysctls };
    }
  }
  warnings.push(...unmappedKeys(project));
  // In file order, so the list reads alongside the file.
  const at = (w: ConvertWarning) => [w.loc?.file ?? '\uffff', w.loc?.line ?? 0, w.loc?.col ?? 0] as const;
  warnings.sort((x, y) => {
    const [fa, la, ca] = at(x);
    const [fb, lb, cb] = at(y);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb;
  });
  return { file: { name: project.name, topology: { nodes, ...(links.length ? { links } : {}) } }, warnings };
}

function routeCommand(r: NonNullable<ServiceSpec['routes']>[number]): string {
  const parts = [r.family === 6 ? 'ip -6 route add' : 'ip route add', r.to];
  if (r.via !== undefined) parts.push('via', r.via);
  if (r.dev !== undefined) parts.push('dev', r.dev);
  if (r.metric !== undefined) parts.push('metric', String(r.metric));
  return parts.join(' ');
}
