/** `x-routes` on a service: static routes `[{to: CIDR|default, via, dev, metric}]`. */
import { formatCidr, formatIP, hasHostBits, parseCidr, parseIP, type Cidr } from '../../net/ip';
import { checkIfName } from '../names';
import type { Field, Reader } from '../read';
import type { RouteSpec } from '../types';
import { items, keyTable } from './common';

const ROUTE_KEYS = keyTable('x-routes key', ['to', 'via', 'dev', 'metric']);

export function parseRoutes(f: Field, r: Reader): RouteSpec[] {
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
