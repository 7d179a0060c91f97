/**
 * Compose bridge networks as containerlab `kind: bridge` nodes: containerlab
 * plugs one veth per member into a bridge that must already exist on the host
 * (it never creates it, nor gives it an address or NAT). Members' static
 * addresses become `ip addr add` exec commands; an address tscompose would
 * allocate at `up` has no equivalent and is listed.
 */
import { parseCidr } from '../net/ip';
import type { NetworkSpec, Project, ServiceSpec } from '../compose/types';
import { attachmentIfnames } from '../plan/lab';
import type { ClabLink, ClabNode } from './containerlab-types';
import type { Warn } from './warnings';

/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
const IFNAMSIZ = 15;

export interface BridgeResult {
  nodes: Record<string, ClabNode>;
  links: ClabLink[];
  exec: Map<string, string[]>;
}

/** The host bridge's name: external networks name one; others get the driver option or `<project>-<key>`. */
function bridgeName(project: Project, net: NetworkSpec): string {
  if (net.external) return net.externalName ?? net.name;
  return net.bridgeName ?? `${project.name}-${net.name}`.slice(0, IFNAMSIZ).replace(/[-_.]+$/, '');
}

export function bridgeNodes(project: Project, warn: Warn): BridgeResult {
  const out: BridgeResult = { nodes: {}, links: [], exec: new Map() };
  const usedPorts = new Set<string>();
  for (const net of Object.values(project.networks)) {
    if (net.driver !== 'bridge') continue;
    const members = Object.values(project.services).filter(
      (s) => s.networkMode.kind === 'default' && s.networks.some((a) => a.network === net.name),
    );
    if (!members.length) continue;
    const bridge = bridgeName(project, net);
    out.nodes[bridge] = { kind: 'bridge' };
    const path = `networks.${net.name}`;
    // The implicit `default` network is written nowhere: point at its first member.
    const near = `services.${members[0]!.name}`;
    warn(
      'note',
      path,
      `network ${net.name} is the containerlab bridge node "${bridge}", which must exist on the host before deploy: ` +
        `ip link add ${bridge} type bridge && ip link set ${bridge} up`,
      near,
    );
    if (!net.internal) {
      warn(
        'unmapped',
        path,
        `network ${net.name}: its gateway address on the host, the members' default route through it and outbound masquerade are made by tscompose, not by containerlab ` +
          '(give the host bridge an address and a masquerade rule yourself, and add default routes with x-routes)',
        near,
      );
    }
    for (const svc of members) out.links.push(memberLink(net, svc, bridge, usedPorts, out.exec, warn));
  }
  return out;
}

function memberLink(
  net: NetworkSpec,
  svc: ServiceSpec,
  bridge: string,
  usedPorts: Set<string>,
  exec: Map<string, string[]>,
  warn: Warn,
): ClabLink {
  const att = svc.networks.find((a) => a.network === net.name)!;
  const ifname = attachmentIfnames(svc).get(net.name)!;
  // The bridge side is an interface in the host's namespace: unique on the host, at most 15 bytes.
  let port = `${svc.name}-${ifname}`;
  for (let n = 1; port.length > IFNAMSIZ || usedPorts.has(port); n++) port = `${bridge.slice(0, IFNAMSIZ - 4)}-p${n}`;
  usedPorts.add(port);
  const cmds = exec.get(svc.name) ?? [];
  const path = `services.${svc.name}.networks.${net.name}`;
  for (const [family, address] of [[4, att.ipv4Address], [6, att.ipv6Address]] as const) {
    const subnet = net.ipam.map((p) => (p.subnet ? parseCidr(p.subnet) : undefined)).find((c) => c?.family === family);
    if (address && subnet) cmds.push(`ip addr add ${address}/${subnet.prefix} dev ${ifname}`);
    else if (address) warn('unmapped', `${path}.ipv${family}_address`, `${address} has no subnet in network ${net.name}'s ipam: its prefix length is unknown`, path);
    else if (family === 4 || net.enableIpv6) {
      warn(
        'unmapped',
        path,
        `${svc.name}'s IPv${family} address on ${net.name} is allocated by tscompose at up; containerlab allocates none: give it ipv${family}_address`,
        `services.${svc.name}`,
      );
    }
  }
  if (att.mtu !== undefined || net.mtu !== undefined) cmds.push(`ip link set dev ${ifname} mtu ${att.mtu ?? net.mtu}`);
  if (cmds.length) exec.set(svc.name, cmds);
  return { endpoints: [`${svc.name}:${ifname}`, `${bridge}:${port}`] };
}
