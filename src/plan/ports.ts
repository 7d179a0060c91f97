/**
 * Published ports: every `ports` entry of every replica becomes one
 * DesiredPort per host port (ranges expanded), DNATed to the container's
 * address on the network that gives it its default route. Host ports are
 * decided here: as written, the first free one of a host range (one per
 * replica, as Docker does), or an ephemeral one (kept from the previous
 * `up`). Two mappings of the same protocol, family and port whose host
 * addresses overlap are a plan error, within the project or with another;
 * so is a port a socket of the host holds (the DNAT would hide it from its
 * owner), which a range or an ephemeral choice skips. Pure.
 */
import { PlanError, type SpecIssue } from '../errors';
import { parseIP } from '../net/ip';
import { formatPort } from '../compose/ports';
import type { PortSpec, Project, ServiceSpec } from '../compose/types';
import type { DesiredInterface, DesiredNetwork, DesiredPort, HostSocket, OtherProject, ProjectState } from './model';

/** Where ephemeral host ports come from (the upper part of Linux's default ip_local_port_range). */
export const EPHEMERAL = { first: 49153, last: 60999 };

export interface PortReplica {
  name: string;
  service: ServiceSpec;
  /** The interface carrying the default route (the network ports are published through). */
  gateway?: DesiredInterface;
  /** Every interface of the container (to explain why there is no gateway). */
  interfaces: DesiredInterface[];
}

export interface PortsInput {
  project: Project;
  replicas: PortReplica[];
  networks: Record<string, DesiredNetwork>;
  otherProjects: OtherProject[];
  /** The host's sockets holding ports (absent: none known). */
  hostSockets?: HostSocket[];
  state?: ProjectState;
}

/** The key a published port is remembered by: `tcp 0.0.0.0 8080 80` (protocol, host address, host port, container port). */
export function portKey(p: Pick<DesiredPort, 'protocol' | 'family' | 'hostIp' | 'hostPort' | 'port'>): string {
  return `${p.protocol} ${p.hostIp ?? (p.family === 4 ? '0.0.0.0' : '::')} ${p.hostPort} ${p.port}`;
}

interface Claim {
  protocol: string;
  family: 4 | 6;
  hostIp?: string;
  port: number;
  /** Who holds it: a container of this project, `project P`, or a host socket. */
  owner: string;
  /** Held by a socket of the host (bound to this address). */
  socket?: string;
}

const overlaps = (a: Claim, b: Omit<Claim, 'owner'>) =>
  a.protocol === b.protocol && a.family === b.family && a.port === b.port && (a.hostIp === undefined || b.hostIp === undefined || a.hostIp === b.hostIp);

function parseKey(key: string): Omit<Claim, 'owner'> | undefined {
  const [protocol, ip, port] = key.split(' ');
  const addr = ip ? parseIP(ip) : undefined;
  if (!protocol || !addr || !port) return undefined;
  return { protocol, family: addr.family, ...(addr.value === 0n ? {} : { hostIp: ip }), port: Number(port) };
}

export function resolvePorts(input: PortsInput): DesiredPort[] {
  const issues: SpecIssue[] = [];
  const claims: Claim[] = [];
  for (const o of input.otherProjects) {
    for (const k of o.ports ?? []) {
      const c = parseKey(k);
      if (c) claims.push({ ...c, owner: `project ${o.project}` });
    }
  }
  for (const h of input.hostSockets ?? []) {
    const bound = h.ip ? (h.family === 6 ? `[${h.ip}]:${h.port}` : `${h.ip}:${h.port}`) : h.family === 6 ? `[::]:${h.port}` : `0.0.0.0:${h.port}`;
    const claim = { protocol: h.protocol, port: h.port, owner: 'a socket of the host', socket: bound };
    claims.push({ ...claim, family: h.family, ...(h.ip ? { hostIp: h.ip } : {}) });
    // A wildcard IPv6 socket takes IPv4 too (Linux's default, net.ipv6.bindv6only=0).
    if (h.family === 6 && !h.ip) claims.push({ ...claim, family: 4 });
  }
  // Ports this project chose last time (ephemeral, from a range): kept for their owner, skipped by the others.
  const earlier: Claim[] = [];
  for (const [name, c] of Object.entries(input.state?.containers ?? {})) {
    for (const k of c.ports ?? []) {
      const claim = parseKey(k);
      if (claim) earlier.push({ ...claim, owner: name });
    }
  }
  const out: DesiredPort[] = [];
  for (const r of input.replicas) {
    r.service.ports.forEach((spec, i) => {
      const path = `services.${r.service.name}.ports.${i}`;
      const issue = (message: string) => issues.push({ path, loc: input.project.sources.get(path), message });
      const gw = r.gateway;
      if (!gw) {
        issue(
          r.interfaces.length
            ? `${formatPort(spec)} cannot be published: ${r.name} is only on internal networks (no way in or out)`
            : `${formatPort(spec)} cannot be published: ${r.name} has no network`,
        );
        return;
      }
      const net = input.networks[gw.network]!;
      if (net.lowerLink) {
        issue(`${formatPort(spec)} cannot be published: ${r.name} reaches the outside through ${net.lowerLink.kind} network ${gw.network}, where it has its own address on the parent's LAN (${gw.address})`);
        return;
      }
      const hostIp = spec.hostIp ?? net.hostBindingIpv4;
      const families = familiesOf(hostIp, gw);
      if (typeof families === 'string') {
        issue(families);
        return;
      }
      const prior = input.state?.containers[r.name]?.ports ?? [];
      for (const family of families) {
        const ip = hostIp === '::' ? undefined : hostIp;
        const address = family === 4 ? gw.address! : gw.address6!;
        const others = earlier.filter((c) => c.owner !== r.name);
        for (const [hostPort, port] of hostPorts(spec, family, ip, prior, claims, others)) {
          if (hostPort === undefined) {
            issue(`${formatPort(spec)}: no free host port left in ${spec.published ? `${spec.published.start}-${spec.published.end}` : 'the ephemeral range'} for ${r.name}`);
            continue;
          }
          const clash = claims.find((c) => overlaps(c, { protocol: spec.protocol, family, ...(ip ? { hostIp: ip } : {}), port: hostPort }));
          if (clash) {
            const where = `${ip ?? (family === 4 ? '0.0.0.0' : '[::]')}:${hostPort}/${spec.protocol}`;
            if (clash.socket) {
              issue(`host port ${where} is in use on the host: a socket is bound to ${clash.socket} (publishing the port would hide it from its owner; \`ss -tulpn\` names the process)`);
              continue;
            }
            issue(`host port ${where} is already published by ${clash.owner}${r.service.scale > 1 && spec.published && spec.published.start === spec.published.end ? ' (replicas need a host port range, e.g. "8080-8081:80")' : ''}`);
            continue;
          }
          claims.push({ protocol: spec.protocol, family, ...(ip ? { hostIp: ip } : {}), port: hostPort, owner: r.name });
          out.push({
            container: r.name,
            service: r.service.name,
            protocol: spec.protocol,
            family,
            ...(ip ? { hostIp: ip } : {}),
            hostPort,
            address,
            port,
            network: gw.network,
            bridge: gw.bridge,
            spec: formatPort(spec),
          });
        }
      }
    });
  }
  if (issues.length) throw new PlanError(issues);
  return out;
}

/**
 * IPv4 always (unless the host address is IPv6); IPv6 too when the
 * container has an IPv6 address there; IPv6 only from an IPv6-only network.
 */
function familiesOf(hostIp: string | undefined, gw: DesiredInterface): Array<4 | 6> | string {
  if (hostIp === undefined) return gw.address ? (gw.address6 ? [4, 6] : [4]) : [6];
  const family = parseIP(hostIp)!.family;
  if (family === 4 && !gw.address) return `host address ${hostIp} is IPv4 but network ${gw.network} is IPv6-only (enable_ipv4: false): publish on an IPv6 address, or on all addresses`;
  if (family === 6 && !gw.address6) return `host address ${hostIp} is IPv6 but network ${gw.network} has no IPv6 (enable_ipv6)`;
  if (family === 6 && hostIp === '::1') return 'publishing on [::1] needs a userland proxy (the kernel never routes ::1 off the host); publish on 127.0.0.1 or an address of the host';
  return [family];
}

/** [host port, container port] pairs for one entry; undefined host port: none free. */
function hostPorts(
  spec: PortSpec,
  family: 4 | 6,
  ip: string | undefined,
  prior: string[],
  claims: Claim[],
  othersEarlier: Claim[],
): Array<[number | undefined, number]> {
  const taken = (port: number) => claims.some((c) => overlaps(c, { protocol: spec.protocol, family, ...(ip ? { hostIp: ip } : {}), port }));
  const keptForOthers = (port: number) => othersEarlier.some((c) => overlaps(c, { protocol: spec.protocol, family, ...(ip ? { hostIp: ip } : {}), port }));
  const { target, published } = spec;
  const n = target.end - target.start + 1;
  if (published && published.end - published.start + 1 === n) {
    return Array.from({ length: n }, (_, k) => [published.start + k, target.start + k] as [number, number]);
  }
  // One container port: a port from the host range, or an ephemeral one; the previous choice if still free.
  const lo = published ? published.start : EPHEMERAL.first;
  const hi = published ? published.end : EPHEMERAL.last;
  const out: Array<[number | undefined, number]> = [];
  for (let port = target.start; port <= target.end; port++) {
    const before = prior
      .map((key) => ({ claim: parseKey(key), words: key.split(' ') }))
      .map(({ claim, words }) => ({ claim, hostPort: Number(words[2]), target: Number(words[3]) }))
      .find(
        ({ claim, hostPort, target: t }) =>
          claim && claim.protocol === spec.protocol && claim.family === family && claim.hostIp === ip && t === port && hostPort >= lo && hostPort <= hi,
      );
    let chosen: number | undefined;
    if (before && !taken(before.hostPort)) chosen = before.hostPort;
    for (let h = lo; chosen === undefined && h <= hi; h++) if (!taken(h) && !keptForOthers(h)) chosen = h;
    if (chosen !== undefined) claimLocal(claims, spec, family, ip, chosen);
    out.push([chosen, port]);
  }
  // The caller checks and records the claims; drop the provisional ones.
  for (let i = claims.length - 1; i >= 0; i--) if (claims[i]!.owner === PROVISIONAL) claims.splice(i, 1);
  return out;
}

const PROVISIONAL = '\0provisional';

/** Holds a port chosen for one container port so the next one of the same entry takes another. */
function claimLocal(claims: Claim[], spec: PortSpec, family: 4 | 6, ip: string | undefined, port: number): void {
  claims.push({ protocol: spec.protocol, family, ...(ip ? { hostIp: ip } : {}), port, owner: PROVISIONAL });
}
