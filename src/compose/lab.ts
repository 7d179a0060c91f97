/**
 * The lab extensions, read from the merged tree (so every problem points at
 * file:line) into the normalized model:
 *
 *   x-links:   [{endpoints: ["r1:eth1", "r2:eth1"], ipv4: [...], ipv6: [...], mtu, x-netem}]
 *              → one `driver: p2p` network per entry, attached to both services
 *   x-netem    on a network, on an x-links entry, on a service's attachment
 *   x-mtu      on a service's attachment
 *   x-routes   on a service: [{to: CIDR|default, via, dev, metric}]
 *   x-verify   top level: [{from, to, port, expect: reach|blocked}]
 *
 * then the checks p2p networks need (exactly two members, no gateway, room
 * for two addresses). A service that appears only in `x-links` (no
 * `networks` key) is a lab node: it does not join the `default` network.
 */
import { formatCidr, formatIP, hasHostBits, parseCidr, parseIP } from '../net/ip';
import type { Cidr } from '../net/ip';
import type { Issues } from './issues';
import type { KeyTable } from './keys';
import { checkIfName } from './names';
import { field, Reader, sortedRecord } from './read';
import type { Field } from './read';
import { childPath } from './tree';
import type { YMap, YNode } from './tree';
import type { NetemSpec, NetworkSpec, RouteSpec, ServiceNetwork, ServiceSpec, VerifySpec } from './types';

function table(what: string, supported: string[]): KeyTable {
  return { what, supported: new Set(supported), unsupported: new Set(), hints: new Map() };
}

const LINK_KEYS = table('x-links key', ['endpoints', 'ipv4', 'ipv6', 'mtu']);
const NETEM_KEYS = table('x-netem key', ['rate', 'delay', 'jitter', 'loss', 'duplicate', 'corrupt', 'reorder', 'limit']);
const ROUTE_KEYS = table('x-routes key', ['to', 'via', 'dev', 'metric']);
const VERIFY_KEYS = table('x-verify key', ['from', 'to', 'port', 'expect']);

interface Model {
  networks: Record<string, NetworkSpec>;
  services: Record<string, ServiceSpec>;
}

/** Where keys were written; desugared keys get the location of what they came from. */
interface Sources {
  get(path: string): { file: string; line: number; col: number } | undefined;
  set(path: string, loc: { file: string; line: number; col: number }): unknown;
}

export interface LabResult {
  verify: VerifySpec[];
}

export function applyLab(root: YMap, model: Model, sources: Sources, issues: Issues): LabResult {
  const r = new Reader(issues);
  const services = mapAt(root, 'services');
  const networks = mapAt(root, 'networks');

  for (const [name, net] of Object.entries(model.networks)) {
    const nf = entryField(networks, 'networks', name);
    const xf = nf && nf.node.kind === 'map' ? entryField(nf.node, nf.path, 'x-netem') : undefined;
    if (!xf) continue;
    if (net.driver !== 'p2p') {
      r.error(xf, 'x-netem on a network applies to p2p networks only; for a bridge, set x-netem on each service attachment');
      continue;
    }
    const netem = parseNetem(xf, r);
    if (netem) net.netem = netem;
  }

  for (const [name, svc] of Object.entries(model.services)) {
    const sf = entryField(services, 'services', name);
    if (!sf || sf.node.kind !== 'map') continue;
    const rf = entryField(sf.node, sf.path, 'x-routes');
    if (rf) svc.routes = parseRoutes(rf, r);
    const af = entryField(sf.node, sf.path, 'networks');
    if (af && af.node.kind === 'map') {
      for (const a of svc.networks) {
        const one = entryField(af.node, af.path, a.network);
        if (!one || one.node.kind !== 'map') continue;
        const mf = entryField(one.node, one.path, 'x-mtu');
        if (mf) {
          const v = r.int(mf, { min: 68, max: 65535 });
          if (v !== undefined) a.mtu = v;
        }
        const xf = entryField(one.node, one.path, 'x-netem');
        if (xf) {
          const netem = parseNetem(xf, r);
          if (netem) a.netem = netem;
        }
      }
    }
  }

  const lf = entryField(root, '', 'x-links');
  if (lf) desugarLinks(lf, r, model, services, sources);

  // The implicit `default` network goes when only lab nodes would have used it.
  if (model.networks.default && !networks?.entries.has('default')) {
    const used = Object.values(model.services).some((s) => s.networks.some((a) => a.network === 'default'));
    if (!used) {
      const rest = { ...model.networks };
      delete rest.default;
      model.networks = rest;
    }
  }

  checkP2p(model, sources, issues);
  const vf = entryField(root, '', 'x-verify');
  return { verify: vf ? parseVerify(vf, r) : [] };
}

function mapAt(map: YMap, key: string): YMap | undefined {
  const n = map.entries.get(key)?.value;
  return n?.kind === 'map' ? n : undefined;
}

function entryField(map: YMap | undefined, path: string, key: string): Field | undefined {
  const e = map?.entries.get(key);
  return e ? field(path, e) : undefined;
}

function items(f: Field, r: Reader, what: string): Field[] | undefined {
  if (f.node.kind !== 'seq') {
    r.error(f, `must be a list of ${what}`);
    return undefined;
  }
  return f.node.items.map((node: YNode, i: number) => ({ path: childPath(f.path, i), loc: node.loc, node }));
}

// ------------------------------------------------------------------ x-netem

const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  kibit: 1024,
  mibit: 1024 ** 2,
  gibit: 1024 ** 3,
  // As tc(8): "bps" is bytes per second.
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
};
const TIME_UNITS: Record<string, number> = { us: 1, usec: 1, 'µs': 1, ms: 1e3, msec: 1e3, s: 1e6, sec: 1e6 };

/** `10mbit`, `512kbit`, `1gbit`, `100kbps` (bytes, as tc) → bits per second. */
export function parseRate(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)\s*$/.exec(text);
  const unit = m ? RATE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const v = Math.round(Number(m[1]) * unit);
  return v > 0 ? v : undefined;
}

/** `10ms`, `1.5ms`, `200us`, `1s` → microseconds. */
export function parseTime(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(us|usec|µs|ms|msec|s|sec)\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * TIME_UNITS[m[2]!]!);
}

function parseNetem(f: Field, r: Reader): NetemSpec | undefined {
  const map = r.map(f, { nullable: true });
  if (!map) return undefined;
  const keys = r.keys(map, f.path, NETEM_KEYS);
  const out: NetemSpec = {};
  for (const [key, kf] of keys) {
    switch (key) {
      case 'rate': {
        const v = kf.node.kind === 'scalar' && kf.node.value !== null ? String(kf.node.value) : undefined;
        const bits = v === undefined ? undefined : parseRate(v);
        if (bits === undefined) r.error(kf, `"${v ?? ''}" is not a rate: write a number and a unit, such as 10mbit, 512kbit or 1gbit`);
        else out.rate = bits;
        break;
      }
      case 'delay':
      case 'jitter': {
        const v = kf.node.kind === 'scalar' && kf.node.value !== null ? String(kf.node.value) : undefined;
        const us = v === undefined ? undefined : parseTime(v);
        if (us === undefined) r.error(kf, `"${v ?? ''}" is not a duration: write a number and a unit, such as 10ms, 500us or 1s`);
        else out[key === 'delay' ? 'delayUs' : 'jitterUs'] = us;
        break;
      }
      case 'loss':
      case 'duplicate':
      case 'corrupt':
      case 'reorder': {
        const p = percent(kf);
        if (p === undefined) r.error(kf, `must be a percentage between 0 and 100, such as 1% or 0.5`);
        else out[key] = p;
        break;
      }
      case 'limit': {
        const v = r.int(kf, { min: 1, max: 0xffffffff });
        if (v !== undefined) out.limit = v;
        break;
      }
    }
  }
  if (out.jitterUs !== undefined && !out.delayUs) r.error(keys.get('jitter')!, 'jitter needs a delay');
  if (out.reorder !== undefined && !out.delayUs) r.error(keys.get('reorder')!, 'reorder needs a delay (netem sends the reordered packets without it)');
  return Object.keys(out).length ? out : undefined;
}

function percent(f: Field): number | undefined {
  const n = f.node;
  if (n.kind !== 'scalar') return undefined;
  let v: number | undefined;
  if (typeof n.value === 'number') v = n.value;
  else if (typeof n.value === 'string') {
    const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(n.value);
    v = m ? Number(m[1]) : undefined;
  }
  return v !== undefined && v >= 0 && v <= 100 ? v : undefined;
}

/** Whether anything in the project asks for more than a rate (the kernel is asked about sch_netem only then). */
export function usesNetem(model: Model): boolean {
  return (
    Object.values(model.networks).some((n) => n.netem && needsNetem(n.netem)) ||
    Object.values(model.services).some((s) => s.networks.some((a) => a.netem && needsNetem(a.netem)))
  );
}

/** Impairments beyond a rate need the netem qdisc. */
export function needsNetem(n: NetemSpec): boolean {
  return n.delayUs !== undefined || n.loss !== undefined || n.duplicate !== undefined || n.corrupt !== undefined || n.reorder !== undefined;
}

// ----------------------------------------------------------------- x-routes

function parseRoutes(f: Field, r: Reader): RouteSpec[] {
  const out: RouteSpec[] = [];
  const seen = new Map<string, number>();
  for (const [index, itf] of (items(f, r, 'routes ({to, via, dev})') ?? []).entries()) {
    const map = r.map(itf);
    if (!map) continue;
    const keys = r.keys(map, itf.path, ROUTE_KEYS);
    const tf = keys.get('to');
    if (!tf) {
      r.error(itf, 'a route needs "to" (a CIDR such as 10.0.3.0/24, or default)');
      continue;
    }
    const to = r.text(tf);
    if (to === undefined) continue;
    let dst: Cidr | 'default' | undefined;
    if (to === 'default') dst = 'default';
    else {
      const ip = parseIP(to);
      const c = ip ? parseCidr(`${to}/${ip.family === 4 ? 32 : 128}`) : parseCidr(to);
      if (!c) r.error(tf, `${to} is not a destination: write a CIDR such as 10.0.3.0/24 or fd00:3::/64, or default`);
      else if (hasHostBits(c)) r.error(tf, `invalid destination ${to}: host bits are set; the network is ${formatCidr(c)}`);
      else dst = c;
    }
    let via: ReturnType<typeof parseIP>;
    const vf = keys.get('via');
    if (vf) {
      const v = r.string(vf);
      via = v === undefined ? undefined : parseIP(v);
      if (v !== undefined && !via) r.error(vf, `${v} is not an IP address`);
    }
    let dev: string | undefined;
    const df = keys.get('dev');
    if (df) {
      const v = r.string(df);
      const problem = v === undefined ? undefined : checkIfName(v);
      if (problem) r.error(df, `interface name "${v}" ${problem}`);
      else dev = v;
    }
    if (!vf && !df) r.error(itf, 'a route needs "via" (a gateway), "dev" (an interface), or both');
    const mf = keys.get('metric');
    const metric = mf ? r.int(mf, { min: 0, max: 0xffffffff }) : undefined;
    if (dst === undefined) continue;
    const family: 4 | 6 = dst === 'default' ? (via?.family ?? 4) : dst.family;
    if (via && via.family !== family) {
      r.error(vf!, `gateway ${formatIP(via)} is IPv${via.family} but the destination ${to} is IPv${family}`);
      continue;
    }
    const route: RouteSpec = { to: dst === 'default' ? 'default' : formatCidr(dst), family, index };
    if (via) route.via = formatIP(via);
    if (dev) route.dev = dev;
    if (metric !== undefined) route.metric = metric;
    const key = `${family} ${route.to} ${metric ?? ''}`;
    const dup = seen.get(key);
    if (dup !== undefined) r.error(tf, `a route to ${route.to} is already given by entry ${dup}${metric === undefined ? ' (give them different metrics)' : ''}`);
    else seen.set(key, index);
    out.push(route);
  }
  return out;
}

// ----------------------------------------------------------------- x-verify

function parseVerify(f: Field, r: Reader): VerifySpec[] {
  const out: VerifySpec[] = [];
  for (const [index, itf] of (items(f, r, 'expectations ({from, to, port, expect})') ?? []).entries()) {
    const map = r.map(itf);
    if (!map) continue;
    const keys = r.keys(map, itf.path, VERIFY_KEYS);
    const from = keys.get('from') ? r.string(keys.get('from')!) : undefined;
    const to = keys.get('to') ? r.text(keys.get('to')!) : undefined;
    if (!keys.has('from') || !keys.has('to')) r.error(itf, 'an expectation needs "from" (a service) and "to" (a service or an address)');
    const pf = keys.get('port');
    const port = pf ? r.int(pf, { min: 1, max: 65535 }) : undefined;
    const ef = keys.get('expect');
    let expect: VerifySpec['expect'] = 'reach';
    if (ef) {
      const v = r.string(ef);
      if (v === 'reach' || v === 'blocked') expect = v;
      else if (v !== undefined) r.error(ef, `"${v}" is not an expectation (use reach or blocked)`);
    }
    if (from === undefined || to === undefined) continue;
    out.push({ from, to, ...(port !== undefined ? { port } : {}), expect, index });
  }
  return out;
}

// ------------------------------------------------------------------ x-links

interface Endpoint {
  service: string;
  ifname?: string;
  field: Field;
}

function desugarLinks(f: Field, r: Reader, model: Model, services: YMap | undefined, sources: Sources): void {
  const labNodes = new Set<string>();
  for (const [index, itf] of (items(f, r, 'links ({endpoints: ["r1:eth1", "r2:eth1"], ipv4, ipv6, mtu, x-netem})') ?? []).entries()) {
    const map = r.map(itf);
    if (!map) continue;
    const keys = r.keys(map, itf.path, LINK_KEYS);
    const ef = keys.get('endpoints');
    if (!ef) {
      r.error(itf, 'a link needs "endpoints": two "service:interface" strings');
      continue;
    }
    const eps = endpoints(ef, r, model);
    if (!eps) continue;
    const [a, b] = eps;
    const name = `${a.service}${a.ifname ? `:${a.ifname}` : ''}--${b.service}${b.ifname ? `:${b.ifname}` : ''}`;
    if (Object.hasOwn(model.networks, name)) {
      const other = model.networks[name]!.fromLink;
      r.error(ef, other ? `the same link is already given by x-links entry ${other.index}` : `a network named "${name}" already exists`);
      continue;
    }
    const net: NetworkSpec = {
      name,
      driver: 'p2p',
      external: false,
      internal: false,
      enableIpv6: false,
      // A link between two containers: nothing of it reaches the host's firewall.
      ipMasquerade: false,
      icc: true,
      driverOpts: {},
      labels: {},
      ipam: [],
      extensions: {},
      fromLink: { index },
    };
    const addrs: Array<{ v4?: string; v6?: string }> = [{}, {}];
    for (const family of [4, 6] as const) {
      const af = keys.get(family === 4 ? 'ipv4' : 'ipv6');
      if (!af) continue;
      const got = linkAddresses(af, r, family);
      if (!got) continue;
      net.ipam.push({ subnet: got.subnet, auxAddresses: {} });
      got.addresses.forEach((ad, i) => (addrs[i]![family === 4 ? 'v4' : 'v6'] = ad));
    }
    const mf = keys.get('mtu');
    if (mf) {
      const v = r.int(mf, { min: 68, max: 65535 });
      if (v !== undefined) net.mtu = v;
    }
    const nf = map.entries.get('x-netem');
    if (nf) {
      const netem = parseNetem(field(itf.path, nf), r);
      if (netem) net.netem = netem;
    }
    model.networks[name] = net;
    sources.set(`networks.${name}`, itf.loc);
    eps.forEach((ep, i) => {
      const svc = model.services[ep.service]!;
      const svcNode = services?.entries.get(ep.service)?.value;
      // A service written without `networks` is a lab node: its links are all it has.
      if (svcNode?.kind === 'map' && !svcNode.entries.has('networks') && !labNodes.has(ep.service)) {
        svc.networks = svc.networks.filter((n) => n.network !== 'default');
        labNodes.add(ep.service);
      }
      const att: ServiceNetwork = { network: name, aliases: [], gwPriority: 0, priority: 0, fromLink: index };
      if (ep.ifname) att.interfaceName = ep.ifname;
      if (addrs[i]!.v4) att.ipv4Address = addrs[i]!.v4;
      if (addrs[i]!.v6) att.ipv6Address = addrs[i]!.v6;
      svc.networks = [...svc.networks, att].sort(
        (x, y) => y.priority - x.priority || (x.network < y.network ? -1 : x.network > y.network ? 1 : 0),
      );
      const base = `services.${ep.service}.networks.${name}`;
      sources.set(base, ep.field.loc);
      for (const family of [4, 6] as const) {
        const item = keys.get(family === 4 ? 'ipv4' : 'ipv6');
        const loc = item?.node.kind === 'seq' ? item.node.items[i]?.loc : item?.loc;
        if (loc) sources.set(`${base}.${family === 4 ? 'ipv4_address' : 'ipv6_address'}`, loc);
      }
    });
  }
  model.networks = sortedRecord(Object.entries(model.networks));
}

function endpoints(f: Field, r: Reader, model: Model): [Endpoint, Endpoint] | undefined {
  const list = items(f, r, 'two "service:interface" strings');
  if (!list) return undefined;
  if (list.length !== 2) {
    r.error(f, `a link has exactly two endpoints, not ${list.length}`);
    return undefined;
  }
  const out: Endpoint[] = [];
  for (const itf of list) {
    const text = r.string(itf);
    if (text === undefined) return undefined;
    const colon = text.indexOf(':');
    const service = colon < 0 ? text : text.slice(0, colon);
    const ifname = colon < 0 ? undefined : text.slice(colon + 1);
    const svc = model.services[service];
    if (!svc) {
      r.error(itf, `service "${service}" is not defined`);
      return undefined;
    }
    if (svc.networkMode.kind !== 'default') {
      r.error(itf, `service "${service}" has network_mode ${svc.networkMode.kind}: it cannot have links`);
      return undefined;
    }
    if (ifname !== undefined) {
      const problem = ifname === 'lo' ? 'is the loopback interface' : checkIfName(ifname);
      if (problem) {
        r.error(itf, `interface name "${ifname}" ${problem}`);
        return undefined;
      }
      const clash = svc.networks.find((n) => n.interfaceName === ifname);
      if (clash) {
        r.error(itf, `interface name "${ifname}" of service "${service}" is already used for network "${clash.network}"`);
        return undefined;
      }
    }
    out.push({ service, ...(ifname !== undefined ? { ifname } : {}), field: itf });
  }
  if (out[0]!.service === out[1]!.service) {
    r.error(f, 'the two endpoints of a link must be different services');
    return undefined;
  }
  return [out[0]!, out[1]!];
}

/** `ipv4: [10.0.12.1/30, 10.0.12.2/30]` (the two ends), or `ipv4: 10.0.12.0/30` (addresses allocated from it). */
function linkAddresses(f: Field, r: Reader, family: 4 | 6): { subnet: string; addresses: string[] } | undefined {
  const what = family === 4 ? 'IPv4' : 'IPv6';
  if (f.node.kind === 'scalar') {
    const v = r.string(f);
    if (v === undefined) return undefined;
    const c = parseCidr(v);
    if (!c || c.family !== family) r.error(f, `${v} is not an ${what} subnet (e.g. ${family === 4 ? '10.0.12.0/31' : 'fd00:12::/127'})`);
    else if (hasHostBits(c)) r.error(f, `invalid subnet ${v}: host bits are set; the network is ${formatCidr(c)}`);
    else return { subnet: formatCidr(c), addresses: [] };
    return undefined;
  }
  const list = items(f, r, `two ${what} addresses with their prefix length, such as ${family === 4 ? '10.0.12.1/30' : 'fd00:12::1/64'}`);
  if (!list) return undefined;
  if (list.length !== 2) {
    r.error(f, `a link has two ends: give two ${what} addresses, not ${list.length}`);
    return undefined;
  }
  const cidrs: Cidr[] = [];
  for (const itf of list) {
    const v = r.string(itf);
    if (v === undefined) return undefined;
    const c = parseCidr(v);
    if (!c || c.family !== family) {
      r.error(itf, `${v} is not an ${what} address with a prefix length (e.g. ${family === 4 ? '10.0.12.1/30' : 'fd00:12::1/64'})`);
      return undefined;
    }
    cidrs.push(c);
  }
  const [x, y] = cidrs as [Cidr, Cidr];
  if (x.prefix !== y.prefix || x.first !== y.first) {
    r.error(list[1]!, `${formatIP({ family, value: y.addr })}/${y.prefix} is not in the same subnet as ${formatIP({ family, value: x.addr })}/${x.prefix}`);
    return undefined;
  }
  if (x.addr === y.addr) {
    r.error(list[1]!, 'the two ends need different addresses');
    return undefined;
  }
  return { subnet: formatCidr(x), addresses: [formatIP({ family, value: x.addr }), formatIP({ family, value: y.addr })] };
}

// --------------------------------------------------------------- p2p checks

function checkP2p(model: Model, sources: Sources, issues: Issues): void {
  const members = new Map<string, string[]>();
  for (const svc of Object.values(model.services)) {
    for (const a of svc.networks) {
      const net = model.networks[a.network];
      if (net?.driver !== 'p2p') continue;
      const list = members.get(a.network) ?? [];
      for (let i = 1; i <= svc.scale; i++) list.push(svc.scale > 1 ? `${svc.name} (replica ${i})` : svc.name);
      members.set(a.network, list);
    }
  }
  const at = (path: string) => sources.get(path) ?? undefined;
  for (const net of Object.values(model.networks)) {
    if (net.driver !== 'p2p') continue;
    const base = `networks.${net.name}`;
    const err = (path: string, message: string) => issues.error(path, message, at(path) ?? at(base));
    const list = members.get(net.name) ?? [];
    if (list.length !== 2) {
      err(base, `a p2p network links exactly two containers; ${list.length === 0 ? 'none attaches' : `${list.length} attach`} to it${list.length ? ` (${list.join(', ')})` : ''}`);
    }
    if (net.external) err(`${base}.external`, 'a p2p network cannot be external (it is a veth pair between two containers)');
    if (net.bridgeName !== undefined) err(`${base}.driver_opts`, 'a p2p network has no bridge: com.docker.network.bridge.name does not apply');
    const families = new Set<number>();
    net.ipam.forEach((p, i) => {
      const path = `${base}.ipam.config.${i}`;
      if (p.gateway !== undefined) err(`${path}.gateway`, 'a p2p link has no gateway: the two ends talk directly (route through the peer with x-routes)');
      const c = p.subnet ? parseCidr(p.subnet) : undefined;
      if (!c) return;
      if (families.has(c.family)) err(`${path}.subnet`, `a p2p link takes one IPv${c.family} subnet`);
      families.add(c.family);
      if (c.prefix >= (c.family === 4 ? 32 : 128)) err(`${path}.subnet`, `${p.subnet} has room for one address; a link needs two (use a /31 or /30${c.family === 6 ? ', or /127' : ''})`);
    });
  }
}
