/**
 * `x-links` at the top level: `[{endpoints: ["r1:eth1", "r2:eth1"], ipv4,
 * ipv6, mtu, x-netem}]`, desugared into one `driver: p2p` network per entry,
 * attached to both services. A service that appears only in `x-links` (no
 * `networks` key) is a lab node: it does not join the `default` network.
 */
import { formatCidr, formatIP, hasHostBits, parseCidr, type Cidr } from '../../net/ip';
import { checkIfName } from '../names';
import { field, sortedRecord, type Field, type Reader } from '../read';
import type { YMap } from '../tree';
import type { NetworkSpec, ServiceNetwork } from '../types';
import { parseNetem } from './netem';
import { items, keyTable, type Model, type Sources } from './common';

const LINK_KEYS = keyTable('x-links key', ['endpoints', 'ipv4', 'ipv6', 'mtu']);

interface Endpoint {
  service: string;
  ifname?: string;
  field: Field;
}

export function desugarLinks(f: Field, r: Reader, model: Model, services: YMap | undefined, sources: Sources): void {
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
