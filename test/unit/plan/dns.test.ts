import test from 'ava';
import { resolve } from '../../../src/plan';
import { answer, reverseAddress } from '../../../src/plan/dns';
import type { DnsConfig } from '../../../src/plan/model';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

const stack = () =>
  project(
    'app',
    [
      service('web', { networks: [attach('front', { aliases: ['www'], ipv6Address: 'fd42:1::10' })] }),
      service('api', { containerName: 'the-api', networks: [attach('front', { aliases: ['backend'] }), attach('back', { aliases: ['svc'] })] }),
      service('db', { scale: 2, networks: [attach('back')], dns: ['10.9.9.9'] }),
      service('vault', { networks: [attach('secret')] }),
    ],
    [
      network('front', { enableIpv6: true, ipam: [{ subnet: '10.1.0.0/24', auxAddresses: {} }, { subnet: 'fd42:1::/64', auxAddresses: {} }] }),
      network('back', { ipam: [{ subnet: '10.2.0.0/24', auxAddresses: {} }] }),
      network('secret', { internal: true, ipam: [{ subnet: '10.3.0.0/24', auxAddresses: {} }] }),
    ],
  );

const config = (): DnsConfig => resolve(stack(), emptyObserved()).dns!;

test('record sets per network: service names, container names, aliases, replicas (snapshot)', (t) => {
  const c = config();
  t.snapshot({ names: c.names, ptr: c.ptr, listen: c.listen });
  t.deepEqual(c.names.back!.db, { a: ['10.2.0.3', '10.2.0.4'], aaaa: [] });
  t.deepEqual(c.names.back!['db-2'], { a: ['10.2.0.4'], aaaa: [] });
  t.deepEqual(c.names.front!.www, { a: ['10.1.0.3'], aaaa: ['fd42:1::10'] });
  t.truthy(c.names.front!['the-api']);
  t.falsy(c.names.front!.db, 'db is not on front');
  t.deepEqual(c.listen.map((l) => l.address), ['10.2.0.1', '10.1.0.1', 'fd42:1::1', '10.3.0.1']);
});

test('answers: the querying container sees its own networks only; A, AAAA, PTR, NODATA', (t) => {
  const c = config();
  const web = '10.1.0.3';
  const api = '10.1.0.2';
  t.deepEqual(answer(c, web, 'front', 'backend', 'A'), { kind: 'records', type: 'A', addresses: [api] });
  t.deepEqual(answer(c, web, 'front', 'WWW.', 'AAAA'), { kind: 'records', type: 'AAAA', addresses: ['fd42:1::10'] });
  t.deepEqual(answer(c, web, 'front', 'backend', 'AAAA'), { kind: 'records', type: 'AAAA', addresses: ['fd42:1::2'] }, 'automatic v6 address');
  t.deepEqual(answer(c, api, 'front', 'db', 'AAAA'), { kind: 'nodata' }, 'a known name without IPv6');
  t.deepEqual(answer(c, web, 'front', 'db', 'A'), { kind: 'forward', upstream: c.upstream }, 'web shares no network with db');
  // api is on front and back: it sees both, with each peer's address on the shared network.
  t.deepEqual(answer(c, api, 'front', 'db-1', 'A'), { kind: 'records', type: 'A', addresses: ['10.2.0.3'] });
  t.deepEqual(answer(c, '10.2.0.2', 'back', 'web', 'A'), { kind: 'records', type: 'A', addresses: ['10.1.0.3'] }, 'api asking on back');
  t.deepEqual(answer(c, api, 'front', reverseName('10.1.0.3'), 'PTR'), { kind: 'ptr', name: 'app-web-1' });
  // fd42:1::10 as nibbles: fd42 0001 0000 0000 0000 0000 0000 0010, reversed.
  const nibbles = 'fd420001000000000000000000000010'.split('').reverse().join('.');
  t.deepEqual(answer(c, api, 'front', `${nibbles}.ip6.arpa`, 'PTR'), { kind: 'ptr', name: 'app-web-1' });
  t.deepEqual(answer(c, web, 'front', reverseName('10.2.0.3'), 'PTR'), { kind: 'nxdomain' }, 'our subnets never go upstream');
  t.deepEqual(answer(c, web, 'front', reverseName('198.51.100.1'), 'PTR'), { kind: 'forward', upstream: c.upstream });
  // The service's dns: servers are its upstream; internal-only containers get nothing from outside.
  t.deepEqual(answer(c, '10.2.0.3', 'back', 'example.test', 'A'), { kind: 'forward', upstream: ['10.9.9.9'] });
  t.deepEqual(answer(c, '10.3.0.2', 'secret', 'example.test', 'A'), { kind: 'refused' });
  t.deepEqual(answer(c, '10.3.0.2', 'secret', 'vault', 'A'), { kind: 'records', type: 'A', addresses: ['10.3.0.2'] });
  // Unknown clients (the host, say) see the network they asked on; IPv4-mapped sources are recognized.
  t.deepEqual(answer(c, '10.2.0.1', 'back', 'web', 'A'), { kind: 'forward', upstream: c.upstream });
  t.deepEqual(answer(c, '::ffff:10.1.0.3', 'front', 'www', 'A'), { kind: 'records', type: 'A', addresses: ['10.1.0.3'] });
});

test('reverse names', (t) => {
  t.is(reverseAddress('4.3.2.10.in-addr.arpa'), '10.2.3.4');
  t.is(reverseAddress('999.3.2.10.in-addr.arpa'), undefined);
  t.is(reverseAddress('example.test'), undefined);
});

test('resolv.conf of bridged containers points at the gateway of their first network; no DNS without bridges', (t) => {
  const d = resolve(stack(), emptyObserved());
  t.regex(d.containers['the-api']!.files.resolvConf, /^nameserver 10\.1\.0\.1$/m, 'front is its eth0');
  t.regex(d.containers['app-db-1']!.files.resolvConf, /^nameserver 10\.2\.0\.1$/m);
  const hostOnly = project('h', [service('a', { networkMode: { kind: 'host' }, networks: [] })], []);
  const h = resolve(hostOnly, emptyObserved());
  t.is(h.dns, undefined);
  t.regex(h.containers['h-a-1']!.files.resolvConf, /nameserver 198\.51\.100\.53/);
});

function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}
