import test from 'ava';
import { PlanError } from '../../../src/errors';
import { plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import { buildFirewall } from '../../../src/plan/firewall';
import { desiredSysctls } from '../../../src/plan/kernel';
import { emptyObserved } from '../../helpers/project';
import { load as loadFile, yaml } from '../compose/helpers';

const all = (p: { waves: Action[][] }) => p.waves.flat();
/** The file's project without images (the plan needs none here). */
const load = (text: string) => {
  const p = loadFile(text);
  for (const s of Object.values(p.services)) delete s.image;
  return p;
};

const V6ONLY = yaml`
  services:
    a:
      image: tsc/test
      ports: ["8080:80"]
      networks:
        v6: {ipv6_address: "fd77::10"}
    b:
      image: tsc/test
      networks: [v6, plain]
  networks:
    v6:
      enable_ipv4: false
      enable_ipv6: true
      ipam: {config: [{subnet: "fd77::/64"}]}
    plain: {}
`;

test('an IPv6-only network: no IPv4 subnet, bridge address or container address; IPv6 as with enable_ipv6', (t) => {
  const d = resolve(load(V6ONLY), emptyObserved());
  const v6 = d.networks.v6!;
  t.is(v6.subnet, undefined);
  t.is(v6.gateway, undefined);
  t.deepEqual(v6.ipv6, { subnet: 'fd77::/64', prefixLen: 64, gateway: 'fd77::1' });
  const a = d.containers['proj-a-1']!;
  t.is(a.interfaces[0]!.address, undefined);
  t.is(a.interfaces[0]!.address6, 'fd77::10');
  t.is(a.defaultRoute, undefined);
  t.deepEqual(a.defaultRoute6, { via: 'fd77::1', ifname: 'eth0' });
  // The other container keeps IPv4 through its normal network (and its IPv4 default route there).
  const b = d.containers['proj-b-1']!;
  const on = (net: string) => b.interfaces.find((i) => i.network === net)!;
  t.is(on('v6').address, undefined);
  t.truthy(on('v6').address6);
  t.truthy(on('plain').address);
  t.is(b.defaultRoute?.ifname, on('plain').ifname);
  t.is(b.defaultRoute6?.ifname, on('v6').ifname);
  const p = all(plan(d, emptyObserved()));
  const bridge = p.find((x): x is Extract<Action, { kind: 'bridge.create' }> => x.kind === 'bridge.create' && x.network === 'v6')!;
  t.is(bridge.address, undefined);
  t.is(bridge.address6, 'fd77::1');
  const addrs = p.flatMap((x) => (x.kind === 'addr.add' && x.container === 'proj-a-1' ? [`${x.address}/${x.prefixLen}`] : []));
  t.deepEqual(addrs, ['fd77::10/64']);
});

test('an IPv6-only network: DNS listens on its IPv6 gateway and answers AAAA only; /etc/hosts lists IPv6', (t) => {
  const d = resolve(load(V6ONLY), emptyObserved());
  t.deepEqual(d.dns!.listen.filter((l) => l.network === 'v6'), [{ network: 'v6', address: 'fd77::1' }]);
  t.deepEqual(d.dns!.names.v6!.a, { a: [], aaaa: ['fd77::10'] });
  t.true(d.containers['proj-a-1']!.files.resolvConf.includes('nameserver fd77::1\n'));
  t.regex(d.containers['proj-b-1']!.files.hosts, /^fd77::10\ta proj-a-1$/m);
  t.notRegex(d.containers['proj-a-1']!.files.hosts, /^172\./m);
});

test('an IPv6-only network: ports are published over IPv6 only; masquerade and forwarding are IPv6 only', (t) => {
  const d = resolve(load(V6ONLY), emptyObserved());
  t.deepEqual(
    (d.ports ?? []).map((p) => `${p.family} ${p.hostIp ?? '*'}:${p.hostPort} -> ${p.address}:${p.port}`),
    ['6 *:8080 -> fd77::10:80'],
  );
  const rules = buildFirewall(d).tables.flatMap((tb) => tb.chains.flatMap((c) => c.rules));
  const bridge = d.networks.v6!.bridge;
  t.true(rules.includes(`ip6 saddr fd77::/64 oifname != "${bridge}" masquerade`));
  t.false(rules.some((r) => r.includes(`oifname != "${bridge}"`) && r.startsWith('ip saddr')));
  const only = resolve(load(V6ONLY.replace(/    plain: \{\}\n/, '').replace('networks: [v6, plain]', 'networks: [v6]')), emptyObserved());
  const keys = desiredSysctls(only).map((s) => s.key);
  t.true(keys.includes('net.ipv6.conf.all.forwarding'));
  t.false(keys.includes('net.ipv4.ip_forward'));
});

test('an IPv4 host_ip on a port of an IPv6-only network is an error at the port', (t) => {
  const file = V6ONLY.replace('ports: ["8080:80"]', 'ports: ["127.0.0.1:8080:80"]');
  const e = t.throws(() => resolve(load(file), emptyObserved()), { instanceOf: PlanError })!;
  t.is(e.issues.length, 1);
  t.is(`${e.issues[0]!.loc?.line} ${e.issues[0]!.path}`, '4 services.a.ports.0');
  t.regex(e.issues[0]!.message, /host address 127\.0\.0\.1 is IPv4 but network v6 is IPv6-only \(enable_ipv4: false\)/);
});

test('macvlan with enable_ipv6: static and allocated IPv6 addresses on the macvlan interfaces, the ipam gateway as IPv6 default route', (t) => {
  const file = yaml`
    services:
      a:
        image: tsc/test
        networks:
          lan: {ipv4_address: 192.168.50.10, ipv6_address: "fd50::10"}
      b:
        image: tsc/test
        networks: [lan]
    networks:
      lan:
        driver: macvlan
        enable_ipv6: true
        driver_opts: {parent: tsc-up0}
        ipam: {config: [{subnet: 192.168.50.0/24, gateway: 192.168.50.1}, {subnet: "fd50::/64", gateway: "fd50::1"}]}
  `;
  const obs = emptyObserved({
    hostLinks: [...emptyObserved().hostLinks, { name: 'tsc-up0', index: 7, kind: 'veth', up: true, addresses: [{ address: 'fd50::2', prefixLen: 64 }] }],
    hostRoutes: [{ dst: 'fd50::/64', dev: 'tsc-up0' }],
  });
  const d = resolve(load(file), obs);
  const p = all(plan(d, obs));
  const addrs = p.flatMap((x) => (x.kind === 'addr.add' ? [`${x.container} ${x.address}/${x.prefixLen}`] : [])).sort();
  t.deepEqual(addrs, ['proj-a-1 192.168.50.10/24', 'proj-a-1 fd50::10/64', 'proj-b-1 192.168.50.2/24', 'proj-b-1 fd50::2/64'].sort());
  t.deepEqual(d.containers['proj-b-1']!.defaultRoute6, { via: 'fd50::1', ifname: 'eth0' });
});
