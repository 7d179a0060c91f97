import test from 'ava';
import { cidrContains, cidrsOverlap, formatCidr, formatIP, hasHostBits, hostRange, ipFromBytes, ipToBytes, isLinkLocal, parseCidr, parseIP, parseMac } from '../../../src/net/ip';
import { checkHostname, checkIfName, checkProjectName, closest } from '../../../src/compose/names';

test('IPv4 parsing is strict like Go', (t) => {
  t.is(parseIP('10.0.0.1')?.value, 0x0a000001n);
  for (const bad of ['10.0.0.300', '10.0.0', '010.0.0.1', '1.2.3.4 ', '1.2.3.4/24', '', 'a.b.c.d']) t.is(parseIP(bad), undefined, bad);
});

test('IPv6 parsing: compression, embedded IPv4, no zones', (t) => {
  t.is(parseIP('::1')?.value, 1n);
  t.is(parseIP('::')?.value, 0n);
  t.is(formatIP(parseIP('FD00:0:0:0:0:0:0:1')!), 'fd00::1');
  t.is(formatIP(parseIP('::ffff:10.0.0.1')!), '::ffff:a00:1');
  t.is(formatIP(parseIP('2001:db8:0:0:1:0:0:1')!), '2001:db8::1:0:0:1');
  t.is(formatIP(parseIP('1:2:3:4:5:6:7:8')!), '1:2:3:4:5:6:7:8');
  for (const bad of ['fe80::1%eth0', ':1', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '[::1]', '12345::', '1.2.3.4::']) t.is(parseIP(bad), undefined, bad);
});

test('CIDRs: canonical network, host bits, containment and overlap', (t) => {
  const a = parseCidr('10.1.2.3/16')!;
  t.true(hasHostBits(a));
  t.is(formatCidr(a), '10.1.0.0/16');
  t.is(parseCidr('10.0.0.0/33'), undefined);
  t.is(parseCidr('10.0.0.0/024'), undefined);
  t.is(parseCidr('10.0.0.0'), undefined);
  const b = parseCidr('10.1.255.0/24')!;
  t.true(cidrsOverlap(a, b));
  t.false(cidrsOverlap(b, parseCidr('10.2.0.0/24')!));
  t.false(cidrsOverlap(parseCidr('::/0')!, b), 'families never overlap');
  t.true(cidrContains(b, parseIP('10.1.255.255')!));
  t.false(cidrContains(b, parseIP('10.2.0.0')!));
  t.is(formatCidr(parseCidr('fd00::1:0/112')!), 'fd00::1:0/112');
});

test('MAC addresses', (t) => {
  t.deepEqual(parseMac('02:42:AC:11:00:02'), { mac: '02:42:ac:11:00:02', multicast: false });
  t.deepEqual(parseMac('01-00-5e-00-00-01'), { mac: '01:00:5e:00:00:01', multicast: true });
  t.is(parseMac('02:42:ac:11:00'), undefined);
  t.is(parseMac('02:42-ac:11:00:02'), undefined);
});

test('names: host names, interface names, project names, suggestions', (t) => {
  t.is(checkHostname('a-b.example.com'), undefined);
  t.is(checkHostname('example.com.'), undefined);
  t.not(checkHostname('-a'), undefined);
  t.not(checkHostname('a..b'), undefined);
  t.not(checkHostname('a_b'), undefined);
  t.not(checkHostname(`${'a'.repeat(64)}.com`), undefined);
  t.is(checkIfName('eth0'), undefined);
  t.is(checkIfName('a'.repeat(15)), undefined);
  t.not(checkIfName('a'.repeat(16)), undefined);
  t.not(checkIfName('é'.repeat(8)), undefined, '16 bytes in UTF-8');
  t.not(checkIfName('a/b'), undefined);
  t.not(checkIfName('a b'), undefined);
  t.is(checkProjectName('my-app_1'), undefined);
  t.not(checkProjectName('My'), undefined);
  t.is(closest('netwroks', ['networks', 'services']), 'networks');
  t.is(closest('zzz', ['networks']), undefined);
});

test('host range excludes network and broadcast, except on /31 and /32', (t) => {
  const fmt = (v: bigint) => formatIP({ family: 4, value: v });
  const r = hostRange(parseCidr('10.0.0.0/30')!);
  t.deepEqual([fmt(r.first), fmt(r.last)], ['10.0.0.1', '10.0.0.2']);
  const p2p = hostRange(parseCidr('10.0.0.0/31')!);
  t.deepEqual([fmt(p2p.first), fmt(p2p.last)], ['10.0.0.0', '10.0.0.1']);
  const v6 = hostRange(parseCidr('fd00::/64')!);
  t.is(formatIP({ family: 6, value: v6.first }), 'fd00::1');
});

test('link-local addresses: 169.254.0.0/16 and fe80::/10, in any case', (t) => {
  for (const a of ['169.254.1.2', 'fe80::1', 'FE80::a:b', 'febf::1']) t.true(isLinkLocal(a), a);
  for (const a of ['169.253.255.255', '10.0.0.1', 'fec0::1', '2001:db8::1', 'not an address']) t.false(isLinkLocal(a), a);
});

test('addresses as network-order bytes, both ways', (t) => {
  t.is(ipToBytes(parseIP('10.1.2.3')!).toString('hex'), '0a010203');
  t.is(ipToBytes(parseIP('::ffff:1.2.3.4')!).toString('hex'), '00000000000000000000ffff01020304');
  t.is(ipToBytes(parseIP('::1')!).length, 16);
  for (const s of ['0.0.0.0', '255.255.255.255', 'fd01::3', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::']) {
    t.is(formatIP(ipFromBytes(ipToBytes(parseIP(s)!))!), s);
  }
  t.deepEqual(ipFromBytes(Buffer.from('0a000001', 'hex')), { family: 4, value: 0x0a000001n });
  t.is(ipFromBytes(Buffer.alloc(6)), undefined);
});
