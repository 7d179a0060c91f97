import test from 'ava';
import { resolve } from '../../../src/plan';
import { buildFirewall } from '../../../src/plan/firewall';
import { eui64LinkLocal } from '../../../src/plan/firewall-neighbours';
import { emptyObserved, project, service } from '../../helpers/project';

test('the EUI-64 link-local of a MAC (universal/local bit flipped, ff:fe in the middle)', (t) => {
  t.is(eui64LinkLocal('02:42:ac:11:00:02'), 'fe80::42:acff:fe11:2');
  t.is(eui64LinkLocal('52:54:00:12:34:56'), 'fe80::5054:ff:fe12:3456');
});

test('each bridge port is pinned to its MAC and addresses; a container that routes may send foreign sources of that family', (t) => {
  const p = project('app', [service('web'), service('gw', { sysctls: { 'net.ipv4.ip_forward': '1' } })]);
  const d = resolve(p, emptyObserved());
  const bridge = buildFirewall(d).tables.find((x) => x.family === 'bridge')!;
  const entry = bridge.chains.find((c) => c.name === 'neighbours')!;
  t.is(entry.base, 'type filter hook prerouting priority -200; policy accept;');
  t.is(entry.rules.length, 2);
  const web = d.containers['app-web-1']!.interfaces[0]!;
  const webChain = bridge.chains.find((c) => c.name === entry.rules.find((r) => r.includes(web.hostVeth))!.split(' jump ')[1])!;
  t.deepEqual(webChain.rules.slice(0, 5), [
    `ether saddr != ${web.mac} drop`,
    `arp saddr ether != ${web.mac} drop`,
    `arp saddr ip != { ${web.address}, 0.0.0.0 } drop`,
    `ip saddr != { ${web.address}, 0.0.0.0 } drop`,
    'icmpv6 type { nd-router-advert, nd-redirect } drop',
  ]);
  const gw = d.containers['app-gw-1']!.interfaces[0]!;
  const gwChain = bridge.chains.find((c) => c.name === entry.rules.find((r) => r.includes(gw.hostVeth))!.split(' jump ')[1])!;
  t.false(gwChain.rules.some((r) => r.startsWith('ip saddr')), 'a router forwards foreign IPv4 sources');
  t.true(gwChain.rules.some((r) => r.startsWith('arp saddr ip')), 'but its ARP is still its own');
  t.true(gwChain.rules.some((r) => r.startsWith('ip6 saddr')), 'and IPv6 (not forwarded) stays pinned');
});
