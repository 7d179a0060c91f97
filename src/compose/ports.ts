/**
 * `services.<s>.ports`: the short form
 * `[HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]` (IPv6 host
 * addresses in brackets, or bare as Compose also accepts them) and the long
 * form (`target`, `published`, `host_ip`, `protocol`, `mode`, `name`,
 * `app_protocol`), both into PortSpec. Pure; the syntax checks need only the
 * string, the rest (conflicts, ephemeral ports) is the planner's.
 */
import { formatIP, parseIP } from '../net/ip';
import type { Field, Reader } from './read';
import { childPath } from './tree';
import { PORT_KEYS } from './keys';
import type { PortProtocol, PortRange, PortSpec } from './types';

const PROTOCOLS: readonly string[] = ['tcp', 'udp'];

/** `80`, `8000-8010`; undefined if it is not a port or a range of ports. */
export function parsePortRange(s: string): PortRange | undefined {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start) return undefined;
  return { start, end };
}

export const rangeSize = (r: PortRange) => r.end - r.start + 1;

export function formatRange(r: PortRange): string {
  return r.start === r.end ? String(r.start) : `${r.start}-${r.end}`;
}

/** Host and container ranges must be the same size, unless one container port takes a port from a host range. */
function checkSizes(published: PortRange | undefined, target: PortRange): string | undefined {
  if (!published || rangeSize(target) === 1 || rangeSize(published) === rangeSize(target)) return undefined;
  return `the host range ${formatRange(published)} and the container range ${formatRange(target)} have different sizes`;
}

function hostAddress(text: string): { ip?: string; error?: string } {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const ip = parseIP(bare);
  if (!ip) return { error: `"${text}" is not an IP address` };
  // 0.0.0.0 / :: mean "every address", as written without an address.
  if (ip.value === 0n) return ip.family === 4 ? {} : { ip: '::' };
  return { ip: formatIP(ip) };
}

/** One short-form entry. */
export function parsePortString(text: string): { port?: PortSpec; error?: string } {
  let rest = text.trim();
  let protocol: PortProtocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p === 'sctp') return { error: `protocol sctp is not supported yet (tcp or udp)` };
    if (!PROTOCOLS.includes(p)) return { error: `"${rest.slice(slash + 1)}" is not a protocol (tcp or udp)` };
    protocol = p as PortProtocol;
    rest = rest.slice(0, slash);
  }
  let ipText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return { error: `"${text}": a bracketed IPv6 address must be followed by ":PORT"` };
    ipText = rest.slice(0, close + 1);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let hostPort: string | undefined;
  let containerPort: string;
  if (ipText !== undefined) {
    if (parts.length > 2) return { error: `"${text}" has too many ":"-separated parts` };
    [hostPort, containerPort] = parts.length === 2 ? [parts[0], parts[1]!] : [undefined, parts[0]!];
  } else if (parts.length === 1) containerPort = parts[0]!;
  else if (parts.length === 2) [hostPort, containerPort] = [parts[0], parts[1]!];
  else {
    // IP:HOST:CONTAINER, the IP possibly a bare IPv6 address with its own colons.
    containerPort = parts.pop()!;
    hostPort = parts.pop();
    ipText = parts.join(':');
  }
  const target = parsePortRange(containerPort);
  if (!target) return { error: `"${containerPort}" is not a container port or port range (1-65535)` };
  let published: PortRange | undefined;
  if (hostPort !== undefined && hostPort !== '' && hostPort !== '0') {
    published = parsePortRange(hostPort);
    if (!published) return { error: `"${hostPort}" is not a host port or port range (1-65535)` };
  }
  const sizes = checkSizes(published, target);
  if (sizes) return { error: sizes };
  const port: PortSpec = { target, protocol, mode: 'ingress' };
  if (published) port.published = published;
  if (ipText !== undefined && ipText !== '') {
    const h = hostAddress(ipText);
    if (h.error) return { error: h.error };
    if (h.ip) port.hostIp = h.ip;
  }
  return { port };
}

export function normalizePorts(f: Field, r: Reader): PortSpec[] {
  if (f.node.kind !== 'seq') {
    r.error(f, 'must be a list of port mappings ("8080:80", or mappings with target, published, …)');
    return [];
  }
  const out: PortSpec[] = [];
  const seen = new Set<string>();
  f.node.items.forEach((item, i) => {
    const itf: Field = { path: childPath(f.path, i), loc: item.loc, node: item };
    let port: PortSpec | undefined;
    if (item.kind === 'scalar' && (typeof item.value === 'string' || typeof item.value === 'number')) {
      const res = parsePortString(String(item.value));
      if (res.error) r.error(itf, res.error);
      port = res.port;
    } else if (item.kind === 'map') {
      port = longForm(itf, r);
    } else {
      r.error(itf, 'must be a string such as "8080:80" or a mapping with target, published, host_ip, protocol');
    }
    if (!port) return;
    // Files merged with -f concatenate lists: the same mapping twice is one mapping.
    const key = JSON.stringify(port);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(port);
  });
  return out;
}

function longForm(f: Field, r: Reader): PortSpec | undefined {
  const map = r.map(f)!;
  const keys = r.keys(map, f.path, PORT_KEYS);
  const tf = keys.get('target');
  if (!tf) {
    r.error(f, 'a port mapping needs a "target" (the container port)');
    return undefined;
  }
  const targetText = tf.node.kind === 'scalar' && tf.node.value !== null ? String(tf.node.value) : '';
  const target = parsePortRange(targetText);
  if (!target) {
    r.error(tf, `"${targetText}" is not a container port or port range (1-65535)`);
    return undefined;
  }
  const port: PortSpec = { target, protocol: 'tcp', mode: 'ingress' };
  let ok = true;
  const pf = keys.get('published');
  if (pf && !(pf.node.kind === 'scalar' && pf.node.value === null)) {
    const text = pf.node.kind === 'scalar' ? String(pf.node.value) : '';
    if (text !== '' && text !== '0') {
      const published = parsePortRange(text);
      if (!published) {
        r.error(pf, `"${text}" is not a host port or port range (1-65535)`);
        ok = false;
      } else port.published = published;
    }
  }
  const hf = keys.get('host_ip');
  if (hf) {
    const v = r.string(hf);
    if (v !== undefined && v !== '') {
      const h = hostAddress(v);
      if (h.error) {
        r.error(hf, h.error);
        ok = false;
      } else if (h.ip) port.hostIp = h.ip;
    }
  }
  const prf = keys.get('protocol');
  if (prf) {
    const v = r.string(prf)?.toLowerCase();
    if (v === 'sctp') {
      r.error(prf, 'protocol sctp is not supported yet (tcp or udp)');
      ok = false;
    } else if (v !== undefined && !PROTOCOLS.includes(v)) {
      r.error(prf, `"${v}" is not a protocol (tcp or udp)`);
      ok = false;
    } else if (v !== undefined) port.protocol = v as PortProtocol;
  }
  const mf = keys.get('mode');
  if (mf) {
    const v = r.string(mf);
    if (v !== undefined && v !== 'host' && v !== 'ingress') {
      r.error(mf, `"${v}" is not a port mode (host or ingress)`);
      ok = false;
    } else if (v !== undefined) port.mode = v;
  }
  for (const key of ['name', 'app_protocol'] as const) {
    const kf = keys.get(key);
    if (!kf) continue;
    const v = r.string(kf);
    if (v !== undefined && v !== '') port[key === 'name' ? 'name' : 'appProtocol'] = v;
  }
  const sizes = checkSizes(port.published, target);
  if (sizes) {
    r.error(pf ?? f, sizes);
    ok = false;
  }
  return ok ? port : undefined;
}

/** For messages and `config`: the mapping in the short form. */
export function formatPort(p: PortSpec): string {
  const ip = p.hostIp === undefined ? '' : p.hostIp.includes(':') ? `[${p.hostIp}]:` : `${p.hostIp}:`;
  const host = p.published ? `${formatRange(p.published)}:` : ip ? ':' : '';
  return `${ip}${host}${formatRange(p.target)}/${p.protocol}`;
}
