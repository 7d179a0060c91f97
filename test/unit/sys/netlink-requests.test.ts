/**
 * The address, route, neighbour and qdisc requests, encoded by the netlink
 * package as they go on the wire, checked field by field against the
 * kernel's structs: ifaddrmsg (linux/if_addr.h), rtmsg (linux/rtnetlink.h),
 * ndmsg (linux/neighbour.h) and tcmsg (linux/rtnetlink.h).
 */
import test from 'ava';
import { AttrStream } from 'netlink/dist/structs';
import * as rts from 'netlink/dist/rt/structs';
import { addressRequest, neighborRequest, routeRequest } from '../../../src/sys/netlink/requests';
import { rootQdiscRequest, tbfOptions } from '../../../src/sys/netlink/tc';
import { attrsOf } from '../../../src/sys/netlink/wire';

function encode(f: (out: AttrStream) => void): Buffer {
  const out = new AttrStream();
  f(out);
  return Buffer.concat(out.bufs);
}
/** type → payload (hex), order aside. */
const attrMap = (b: Buffer, from: number) => new Map([...attrsOf(b, from)].map((a) => [a.type, a.data.toString('hex')]).sort((x, y) => Number(x[0]) - Number(y[0])) as Array<[number, string]>);

test('ifaddrmsg: family, prefixlen, flags (IFA_F_NODAD for IPv6), scope, index; IFA_ADDRESS and IFA_LOCAL', (t) => {
  const v4 = encode((o) => rts.formatAddressMessage({ kind: 'address', ...addressRequest(5, '10.1.2.3', 24, true) }, o));
  t.is(v4.subarray(0, 8).toString('hex'), '02' + '18' + '00' + '00' + '05000000');
  t.deepEqual(attrMap(v4, 8), new Map([
    [1, '0a010203'],
    [2, '0a010203'],
  ]));
  const v6 = encode((o) => rts.formatAddressMessage({ kind: 'address', ...addressRequest(5, 'fd01::3', 64, true) }, o));
  t.is(v6.subarray(0, 8).toString('hex'), '0a' + '40' + '02' + '00' + '05000000');
  t.is(attrMap(v6, 8).get(2), 'fd01' + '00'.repeat(13) + '03');
  const del6 = encode((o) => rts.formatAddressMessage({ kind: 'address', ...addressRequest(5, 'fd01::3', 64, false) }, o));
  t.is(del6[2], 0, 'a deletion carries no flags');
});

test('rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags; RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PRIORITY', (t) => {
  const via = encode((o) => rts.formatRouteMessage({ kind: 'route', ...routeRequest({ dst: '10.2.0.0/16', gateway: '10.1.0.1', metric: 100 }) }, o));
  // table 254 (main), protocol 3 (boot), scope 0 (universe), type 1 (unicast).
  t.is(via.subarray(0, 12).toString('hex'), '02' + '10' + '00' + '00' + 'fe' + '03' + '00' + '01' + '00000000');
  t.deepEqual(attrMap(via, 12), new Map([[1, '0a020000'], [5, '0a010001'], [6, '64000000']]));
  // A default route out of a link, proto static: scope 253 (link), no RTA_DST, RTA_OIF 4.
  const dev = encode((o) =>
    rts.formatRouteMessage({ kind: 'route', ...routeRequest({ dst: 'default', oif: 4, family: 6, protocol: 'STATIC' }) }, o),
  );
  t.is(dev.subarray(0, 12).toString('hex'), '0a' + '00' + '00' + '00' + 'fe' + '04' + 'fd' + '01' + '00000000');
  t.deepEqual(attrMap(dev, 12), new Map([[4, '04000000']]));
  // A deletion names the route only: no protocol, scope, type or RTA_OIF.
  const del = encode((o) => rts.formatRouteMessage({ kind: 'route', ...routeRequest({ dst: '10.2.0.0/16', oif: 4 }, true) }, o));
  t.is(del.subarray(0, 12).toString('hex'), '02' + '10' + '00' + '00' + 'fe' + '00' + '00' + '00' + '00000000');
  t.deepEqual([...attrMap(del, 12).keys()], [1]);
});

test('ndmsg: family, pads, ifindex, state NUD_PERMANENT, flags, type; NDA_DST and NDA_LLADDR', (t) => {
  const b = encode((o) => rts.formatNeighborMessage({ kind: 'neighbor', ...neighborRequest(3, '10.1.0.9', '02:42:ac:11:00:02') }, o));
  t.is(b.subarray(0, 12).toString('hex'), '02' + '00' + '0000' + '03000000' + '8000' + '00' + '00');
  t.deepEqual(attrMap(b, 12), new Map([[1, '0a010009'], [2, '0242ac110002']]));
});

test('tcmsg for a root qdisc: family, pads, ifindex, handle 0, parent TC_H_ROOT, info; TCA_KIND and TCA_OPTIONS', (t) => {
  const q = { kind: 'tbf' as const, rate: 125000, burst: 5000, limit: 10000 };
  const b = encode((o) => rts.formatTcMessage({ kind: 'tc', ...rootQdiscRequest(4, q) }, o));
  t.is(b.subarray(0, 20).toString('hex'), '00' + '00' + '0000' + '04000000' + '00000000' + 'ffffffff' + '00000000');
  const attrs = attrMap(b, 20);
  t.is(attrs.get(1), Buffer.from('tbf\0').toString('hex'));
  t.is(attrs.get(2), tbfOptions(q).toString('hex'));
  const del = encode((o) => rts.formatTcMessage({ kind: 'tc', ...rootQdiscRequest(4) }, o));
  t.is(del.length, 20, 'a deletion is the header alone');
});
