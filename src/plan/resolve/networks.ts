/**
 * Bridge networks in use: kernel bridge names (external ones must exist),
 * IPv4 and IPv6 subnets and addresses from IPAM, and each container's
 * bridged interfaces (veth names, MACs, MTUs, addresses, shaping).
 */
import { PlanError, type SpecIssue } from '../../errors';
import type { Project } from '../../compose/types';
import { formatCidr, formatIP } from '../../net/ip';
import { allocate, attachmentKey, type Attachment } from '../ipam';
import { allocate6 } from '../ipam6';
import { attachmentIfnames, isP2p } from '../lab';
import type { DesiredInterface, DesiredNetwork, Observed } from '../model';
import { bridgeIfname, deterministicMac, dummyIfname, ownerAlias, vethIfname } from '../names';
import { qdiscFor } from '../shaping';
import { lowerLinkAlias, lowerLinkIssues } from './lower-links';
import { knownNetworks, otherProjectNetwork } from './external-networks';
import { joinedFamilies, type JoinedFamilies } from './joined-families';
import { isExternal, SHARED_ALIAS, SHARED_BRIDGE } from '../shared-bridge';
import type { Replica } from './replicas';

export const DEFAULT_MTU = 1500;

export interface ResolvedNetworks {
  networks: Record<string, DesiredNetwork>;
  /** Each container's bridged interfaces, in attachment order. */
  interfaces: Map<string, DesiredInterface[]>;
}

export function resolveNetworks(project: Project, replicas: Replica[], observed: Observed): ResolvedNetworks {
  // Networks in use; p2p networks have no bridge: they are resolved by lab.ts.
  const used = new Set(replicas.flatMap((r) => r.service.networks.map((n) => n.network)));
  const keys = Object.keys(project.networks).filter((k) => used.has(k) && !isP2p(project, k)).sort();
  const bridges = bridgeNames(project, keys, observed);
  const joined = joinedFamilies(project, keys, bridges, observed);
  const { ipam, ipam6 } = allocateAddresses(project, replicas, keys, bridges, joined, observed);
  const networks: Record<string, DesiredNetwork> = {};
  for (const key of keys) {
    const spec = project.networks[key]!;
    const alloc = ipam.networks[key];
    const alloc6 = ipam6.networks[key];
    const external = isExternal(spec);
    networks[key] = {
      key,
      displayName: external ? (spec.externalName ?? key) : spec.shared ? key : (spec.externalName ?? `${project.name}_${key}`),
      bridge: bridges[key]!,
      // A macvlan/ipvlan network has no bridge of ours: nothing to create, firewall or remove on the host.
      managed: !external && !spec.lowerLink,
      internal: spec.internal,
      // A macvlan/ipvlan takes its parent's MTU unless the file says (as Docker).
      mtu: spec.mtu ?? (spec.lowerLink ? observed.hostLinks.find((l) => l.name === spec.lowerLink!.parent)?.mtu : undefined) ?? DEFAULT_MTU,
      ...(external || spec.lowerLink ? {} : { mac: spec.shared ? deterministicMac('*', 'bridge', SHARED_BRIDGE) : deterministicMac(project.name, 'bridge', key) }),
      // An IPv6-only network (enable_ipv4: false) has no IPv4 allocation.
      ...(alloc ? { subnet: formatCidr(alloc.subnet), prefixLen: alloc.subnet.prefix, gateway: formatIP({ family: alloc.subnet.family, value: alloc.gateway }) } : {}),
      alias: spec.shared ? SHARED_ALIAS : ownerAlias(project.name, `network:${key}`),
      ...(alloc6
        ? { ipv6: { subnet: formatCidr(alloc6.subnet), prefixLen: alloc6.subnet.prefix, gateway: formatIP({ family: 6, value: alloc6.gateway }) } }
        : {}),
      masquerade: spec.ipMasquerade,
      icc: spec.icc,
      ...(spec.hostBindingIpv4 ? { hostBindingIpv4: spec.hostBindingIpv4 } : {}),
      // A dummy parent gets its name here (names.ts).
      ...(spec.lowerLink ? { lowerLink: { ...spec.lowerLink, parent: bridges[key]! } } : {}),
      ...(spec.shared ? { shared: true as const } : {}),
      ...(external ? joinedOwner(bridges[key]!, observed) : {}),
    };
  }
  return { networks, interfaces: bridgedInterfaces(project, replicas, networks, ipam, ipam6) };
}

/** The project whose tscompose network an external bridge is (by its journal), if any. */
function joinedOwner(bridge: string, observed: Observed): { joined?: string } {
  const owner = observed.otherProjects.find((o) => o.networks?.some((n) => n.bridge === bridge));
  return owner ? { joined: owner.project } : {};
}

/** Network key → kernel bridge name; an external one must be an existing bridge. */
function bridgeNames(project: Project, keys: string[], observed: Observed): Record<string, string> {
  const bridges: Record<string, string> = {};
  for (const key of keys) {
    const spec = project.networks[key]!;
    const lower = spec.lowerLink && (spec.lowerLink.dummy ? dummyIfname(project.name, key) : spec.lowerLink.parent);
    bridges[key] = isExternal(spec) ? (spec.externalName ?? key) : (lower ?? spec.bridgeName ?? (spec.shared ? SHARED_BRIDGE : bridgeIfname(project.name, key)));
  }
  const issues: SpecIssue[] = lowerLinkIssues(project, keys, observed);
  for (const key of keys) {
    if (!isExternal(project.networks[key]!)) continue;
    const link = observed.hostLinks.find((l) => l.name === bridges[key]);
    if (link && link.kind === 'bridge') continue;
    // Another project's network, by its name (`PROJECT_KEY` or its `name:`): its bridge.
    const joined = otherProjectNetwork(bridges[key]!, observed, project.sources.get(`networks.${key}`), `networks.${key}`);
    if (joined.bridge) bridges[key] = joined.bridge;
    if (joined.issue) issues.push(joined.issue);
    if (joined.bridge || joined.issue) continue;
    issues.push({
      path: `networks.${key}`,
      loc: project.sources.get(`networks.${key}`),
      message: link
        ? `external network ${bridges[key]} is a ${link.kind ?? 'non-bridge'} link, not a bridge`
        : `external network ${bridges[key]} not found: no Linux bridge of that name, and no tscompose project's network is called that${knownNetworks(observed)}`,
    });
  }
  if (issues.length) throw new PlanError(issues);
  return bridges;
}

function allocateAddresses(project: Project, replicas: Replica[], keys: string[], bridges: Record<string, string>, joined: Record<string, JoinedFamilies>, observed: Observed) {
  // No IPv4 on an IPv6-only network, ours or another project's we join.
  const v4 = (k: string) => !project.networks[k]!.ipv6Only && (!joined[k] || joined[k]!.v4 !== undefined);
  const attachments: Attachment[] = [];
  const issues: SpecIssue[] = [];
  for (const r of replicas) {
    for (const n of r.service.networks) {
      const path = `services.${r.service.name}.networks.${n.network}.ipv4_address`;
      if (n.ipv4Address && joined[n.network] && !joined[n.network]!.v4) {
        issues.push({ path, loc: project.sources.get(path), message: `network ${n.network} is project ${joined[n.network]!.project}'s IPv6-only network: it has no IPv4 address to give` });
      }
      if (isP2p(project, n.network) || !v4(n.network)) continue;
      attachments.push({ container: r.name, network: n.network, static: n.ipv4Address, path });
    }
  }
  if (issues.length) throw new PlanError(issues);
  const common = { project, otherProjects: observed.otherProjects, hostRoutes: observed.hostRoutes, state: observed.state };
  const fixed = Object.fromEntries(Object.entries(joined).flatMap(([k, j]) => (j.v4 ? [[k, j.v4]] : [])));
  const ipam = allocate({ ...common, bridges, networks: keys.filter(v4), attachments, hostLinks: observed.hostLinks, fixed });
  // IPv6: our enable_ipv6 networks, and the IPv6 of another project's network we join (its subnet, taken as it is).
  const v6Keys = keys.filter((k) => (project.networks[k]!.enableIpv6 && !isExternal(project.networks[k]!)) || joined[k]?.v6);
  const attachments6 = replicas.flatMap((r) =>
    r.service.networks
      .filter((n) => v6Keys.includes(n.network))
      .map((n) => ({ container: r.name, network: n.network, static: n.ipv6Address, path: `services.${r.service.name}.networks.${n.network}.ipv6_address` })),
  );
  const fixed6 = Object.fromEntries(Object.entries(joined).flatMap(([k, j]) => (j.v6 ? [[k, { ...j.v6, taken: j.taken6 }]] : [])));
  const ipam6 = allocate6({ ...common, networks: v6Keys, attachments: attachments6, bridges: new Set(Object.values(bridges)), fixed: fixed6 });
  return { ipam, ipam6 };
}

function bridgedInterfaces(
  project: Project,
  replicas: Replica[],
  networks: Record<string, DesiredNetwork>,
  ipam: ReturnType<typeof allocate>,
  ipam6: ReturnType<typeof allocate6>,
): Map<string, DesiredInterface[]> {
  const interfaces = new Map<string, DesiredInterface[]>();
  for (const r of replicas) {
    const ifnames = attachmentIfnames(r.service);
    const list = r.service.networks.filter((n) => !isP2p(project, n.network)).map((n) => {
      const net = networks[n.network]!;
      const addr = ipam.addresses.get(attachmentKey(r.name, n.network));
      const addr6 = ipam6.addresses.get(attachmentKey(r.name, n.network));
      const mtu = n.mtu ?? net.mtu;
      const lower = net.lowerLink;
      return {
        network: n.network,
        ifname: ifnames.get(n.network)!,
        hostVeth: lower ? '' : vethIfname(project.name, r.name, n.network),
        bridge: net.bridge,
        mac: n.macAddress?.toLowerCase() ?? deterministicMac(project.name, r.name, n.network),
        mtu,
        ...(addr !== undefined ? { address: formatIP({ family: 4, value: addr }), prefixLen: net.prefixLen!, gateway: net.gateway! } : {}),
        alias: lower ? lowerLinkAlias(project.name, r.name, n.network, lower) : ownerAlias(project.name, `veth:${r.name}:${n.network}`),
        ...(addr6 !== undefined && net.ipv6
          ? { address6: formatIP({ family: 6, value: addr6 }), prefixLen6: net.ipv6.prefixLen, gateway6: net.ipv6.gateway }
          : {}),
        ...(n.netem ? { shaping: qdiscFor(n.netem, mtu) } : {}),
        ...(lower ? { lowerLink: lower } : {}),
      } satisfies DesiredInterface;
    });
    interfaces.set(r.name, list);
  }
  return interfaces;
}
