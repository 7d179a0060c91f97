import test from 'ava';
import { PlanError } from '../../../src/errors';
import { nothing, plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import type { Observed } from '../../../src/plan/model';
import { qdiscFor, sameQdisc } from '../../../src/plan/shaping';
import { netemOptions, parseQdisc, tbfOptions } from '../../../src/sys/netlink/tc';
import { observedAfter } from '../../helpers/fake';
import { emptyObserved } from '../../helpers/project';
import { load, yaml } from '../compose/helpers';

const LAB = yaml`
  name: lab
  services:
    r1:
      sysctls: { net.ipv4.ip_forward: 1 }
      x-routes:
        - { to: 10.2.0.0/24, via: 10.0.12.1 }
    r2:
      sysctls: { net.ipv4.ip_forward: 1 }
      x-routes:
        - { to: 10.1.0.0/24, via: 10.0.12.0 }
    h1:
      x-routes: [{ to: default, via: 10.1.0.2 }]
    web:
      networks:
        front: { x-netem: { rate: 8mbit } }
      x-routes: [{ to: 10.1.0.0/24, dev: eth0 }]
  networks:
    front: {}
  x-links:
    - endpoints: ["r1:eth1", "r2:eth1"]
      ipv4: [10.0.12.0/31, 10.0.12.1/31]
      ipv6: 'fd00:12::/127'
      x-netem: { rate: 10mbit }
    - endpoints: ["h1:eth0", "r1:eth2"]
      ipv4: 10.1.0.0/24
      mtu: 9000
`;

const all = (p: { waves: Action[][] }) => p.waves.flat();
const of = <K extends Action['kind']>(p: { waves: Action[][] }, kind: K) => all(p).filter((a): a is Extract<Action, { kind: K }> => a.kind === kind);

test('p2p links resolve to two ends: addresses (static, then allocated), MACs, MTUs, shaping', (t) => {
  const d = resolve(load(LAB), emptyObserved());
  const link = d.links!['r1:eth1--r2:eth1']!;
  t.deepEqual(
    link.ends.map((e) => [e.container, e.netns, e.ifname, e.mtu, e.addresses.map((a) => `${a.address}/${a.prefixLen}`)]),
    [
      ['lab-r1-1', 'tsc.lab.r1.1', 'eth1', 1500, ['10.0.12.0/31', 'fd00:12::/127']],
      ['lab-r2-1', 'tsc.lab.r2.1', 'eth1', 1500, ['10.0.12.1/31', 'fd00:12::1/127']],
    ],
  );
  t.is(link.alias, 'tscompose:lab:p2p:r1:eth1--r2:eth1');
  t.regex(link.ends[0].mac, /^02:/);
  t.not(link.ends[0].mac, link.ends[1].mac);
  t.deepEqual(link.ends[0].shaping, qdiscFor({ rate: 10_000_000 }, 1500));
  const lan = d.links!['h1:eth0--r1:eth2']!;
  t.deepEqual(lan.ends.map((e) => [e.container, e.mtu, e.addresses[0]!.address]), [
    ['lab-h1-1', 9000, '10.1.0.1'],
    ['lab-r1-1', 9000, '10.1.0.2'],
  ]);
  // No bridge and no host veth for a link; lab nodes have no bridge interface at all.
  t.deepEqual(Object.keys(d.networks), ['front']);
  t.deepEqual(d.containers['lab-r1-1']!.interfaces, []);
});

test('x-routes resolve to interfaces; a default among them replaces the bridge default', (t) => {
  const d = resolve(load(LAB), emptyObserved());
  t.deepEqual(d.containers['lab-h1-1']!.routes, [{ dst: 'default', family: 4, via: '10.1.0.2', ifname: 'eth0' }]);
  t.is(d.containers['lab-h1-1']!.defaultRoute, undefined);
  const own = t.throws(() => resolve(load(LAB.replace('via: 10.1.0.2', 'via: 10.1.0.1')), emptyObserved()), { instanceOf: PlanError });
  t.regex(own!.message, /services\.h1\.x-routes\.0\.via: 10\.1\.0\.1 is an address of h1 itself/);
  t.deepEqual(d.containers['lab-r1-1']!.routes, [{ dst: '10.2.0.0/24', family: 4, via: '10.0.12.1', ifname: 'eth1' }]);
  const web = d.containers['lab-web-1']!;
  t.deepEqual(web.routes, [{ dst: '10.1.0.0/24', family: 4, ifname: 'eth0' }]);
  t.deepEqual(web.defaultRoute, { via: '172.18.0.1', ifname: 'eth0' });
});

test('a gateway that is on none of the service networks is a plan error at the key', (t) => {
  const p = load(LAB.replace('via: 10.0.12.1 }', 'via: 10.0.99.1 }'));
  const e = t.throws(() => resolve(p, emptyObserved()), { instanceOf: PlanError });
  t.regex(e!.message, /^compose\.yaml:6:28 services\.r1\.x-routes\.0\.via: gateway 10\.0\.99\.1 is not on any network of r1 \(eth2 10\.1\.0\.0\/24; eth1 10\.0\.12\.0\/31\)$/);
  const e2 = t.throws(() => resolve(load(LAB.replace('dev: eth0 }', 'dev: eth5 }')), emptyObserved()), { instanceOf: PlanError });
  t.regex(e2!.message, /services\.web\.x-routes\.0\.dev: service web has no interface eth5 \(it has eth0\)/);
});

test('without sch_netem, delay and loss are a plan error naming the missing module; a rate alone is fine', (t) => {
  const text = LAB.replace('x-netem: { rate: 10mbit }', 'x-netem: { rate: 10mbit, delay: 20ms, loss: 1% }');
  const noNetem = emptyObserved({ kernel: { netem: false } });
  const e = t.throws(() => resolve(load(text), noNetem), { instanceOf: PlanError });
  t.is(e!.issues.length, 1);
  t.is(e!.issues[0]!.path, 'x-links.0.x-netem');
  t.deepEqual(e!.issues[0]!.loc, { file: 'compose.yaml', line: 23, col: 5 });
  t.regex(e!.message, /delay, loss need the netem qdisc, and this kernel has no sch_netem/);
  t.regex(e!.message, /CONFIG_NET_SCH_NETEM/);
  t.notThrows(() => resolve(load(LAB), noNetem));
  t.notThrows(() => resolve(load(text), emptyObserved({ kernel: { netem: true } })));
  const d = resolve(load(text), emptyObserved({ kernel: { netem: true } }));
  t.is(d.links!['r1:eth1--r2:eth1']!.ends[0].shaping!.kind, 'netem');
});

test('a fresh lab: namespaces, then links born in them, addresses and neighbours, routes, then processes', (t) => {
  const obs = emptyObserved();
  const p = plan(resolve(load(LAB), obs), obs);
  const creates = of(p, 'p2p.create');
  t.deepEqual(creates.map((a) => a.target).sort(), ['lab-h1-1:eth0 — lab-r1-1:eth2', 'lab-r1-1:eth1 — lab-r2-1:eth1']);
  const c = creates.find((a) => a.network === 'r1:eth1--r2:eth1')!;
  t.deepEqual(c.after, ['netns.create:tsc.lab.r1.1', 'netns.create:tsc.lab.r2.1']);
  // Each end knows its peer's addresses without ARP or neighbour discovery.
  t.deepEqual(
    of(p, 'neigh.replace').filter((a) => a.container === 'lab-r1-1' && a.ifname === 'eth1').map((a) => a.address),
    ['10.0.12.1', 'fd00:12::1'],
  );
  // Shaping: both ends of the link, the container end and bridge port of the attachment.
  t.deepEqual(of(p, 'qdisc.replace').map((a) => `${a.netns ?? 'host'} ${a.ifname} ${a.qdisc.kind}`).sort(), [
    `host ${resolve(load(LAB), obs).containers['lab-web-1']!.interfaces[0]!.hostVeth} tbf`,
    'tsc.lab.r1.1 eth1 tbf',
    'tsc.lab.r2.1 eth1 tbf',
    'tsc.lab.web.1 eth0 tbf',
  ]);
  const route = of(p, 'route.replace').find((a) => a.container === 'lab-r1-1')!;
  t.true(route.static);
  t.true(route.after.includes('addr.add:lab-r1-1:eth1:10.0.12.0'));
  const start = of(p, 'container.start').find((a) => a.container === 'lab-r1-1')!;
  t.true(start.after.includes(c.id));
  t.true(start.after.includes(route.id));
  // The order is valid: every action after what it depends on.
  const seen = new Set<string>();
  for (const w of p.waves) {
    for (const a of w) t.true(a.after.every((x) => seen.has(x)), a.id);
    for (const a of w) seen.add(a.id);
  }
});

test('up twice changes nothing', (t) => {
  const d = resolve(load(LAB), emptyObserved());
  const obs = observedAfter(d);
  t.deepEqual(plan(resolve(load(LAB), obs), obs).waves, []);
});

test('a new impairment is applied in place: one qdisc replace per end, nothing restarted or recreated', (t) => {
  const obs = observedAfter(resolve(load(LAB), emptyObserved()));
  const p = plan(resolve(load(LAB.replace('rate: 10mbit', 'rate: 20mbit')), obs), obs);
  t.deepEqual(all(p).map((a) => `${a.kind} ${a.target}: ${a.reason}`).sort(), [
    'qdisc.replace eth1 of lab-r1-1: tbf rate 10mbit → tbf rate 20mbit',
    'qdisc.replace eth1 of lab-r2-1: tbf rate 10mbit → tbf rate 20mbit',
  ]);
  const gone = plan(resolve(load(LAB.replace('x-netem: { rate: 10mbit }', '')), obs), obs);
  t.deepEqual(all(gone).map((a) => `${a.kind} ${a.target}`).sort(), ['qdisc.delete eth1 of lab-r1-1', 'qdisc.delete eth1 of lab-r2-1']);
});

test('routes: a changed gateway is replaced, a removed route deleted', (t) => {
  const obs = observedAfter(resolve(load(LAB), emptyObserved()));
  const text = LAB.replace('- { to: 10.2.0.0/24, via: 10.0.12.1 }', '- { to: 10.3.0.0/24, via: 10.0.12.1 }');
  const p = plan(resolve(load(text), obs), obs);
  t.deepEqual(all(p).map((a) => `${a.kind} ${a.target}: ${a.reason}`).sort(), [
    'route.delete route 10.2.0.0/24 of lab-r1-1: not in x-routes any more',
    'route.replace route 10.3.0.0/24 of lab-r1-1: via 10.0.12.1 dev eth1',
  ]);
});

test('a broken link is recreated; an end with a wrong address is fixed in place', (t) => {
  const obs = observedAfter(resolve(load(LAB), emptyObserved()));
  const broken: Observed = structuredClone(obs);
  broken.netns['tsc.lab.r2.1']!.links = broken.netns['tsc.lab.r2.1']!.links.filter((l) => l.name !== 'eth1');
  const p = plan(resolve(load(LAB), broken), broken);
  const kinds = all(p).map((a) => `${a.kind} ${a.target}`);
  t.true(kinds.includes('veth.delete eth1 of lab-r1-1'));
  t.true(kinds.includes('p2p.create lab-r1-1:eth1 — lab-r2-1:eth1'));
  t.false(all(p).some((a) => a.kind === 'container.stop'), 'no process restarts for a link');
  // The routes through the recreated link are put back.
  t.true(kinds.includes('route.replace route 10.2.0.0/24 of lab-r1-1'));

  const drifted: Observed = structuredClone(obs);
  const end = drifted.netns['tsc.lab.r2.1']!.links.find((l) => l.name === 'eth1')!;
  end.addresses = [{ address: '10.0.12.9', prefixLen: 31 }];
  end.up = false;
  const q = plan(resolve(load(LAB), drifted), drifted);
  t.deepEqual(all(q).map((a) => `${a.kind} ${a.target}: ${a.reason}`).sort(), [
    'addr.add eth1 of lab-r2-1: address 10.0.12.1/31 missing',
    'addr.add eth1 of lab-r2-1: address fd00:12::1/127 missing',
    'addr.delete eth1 of lab-r2-1: address 10.0.12.9/31 is not in the file (link r1:eth1--r2:eth1)',
    'link.update eth1 of lab-r2-1: drifted: link down',
    'neigh.replace eth1 of lab-r1-1: 10.0.12.1 is lab-r2-1 (' + d0(drifted) + ')',
    'neigh.replace eth1 of lab-r1-1: fd00:12::1 is lab-r2-1 (' + d0(drifted) + ')',
    'route.replace route 10.1.0.0/24 of lab-r2-1: eth1 is (re)configured',
  ]);
});

function d0(obs: Observed): string {
  return obs.netns['tsc.lab.r2.1']!.links.find((l) => l.name === 'eth1')!.mac!;
}

test('down removes the namespaces (the links go with them)', (t) => {
  const obs = observedAfter(resolve(load(LAB), emptyObserved()));
  const p = plan(nothing('lab'), obs);
  t.false(all(p).some((a) => a.kind === 'veth.delete' && a.netns !== undefined), 'links inside namespaces are not deleted one by one');
  t.is(of(p, 'netns.delete').length, 4);
});

test('/etc/hosts lists p2p neighbours by their link address', (t) => {
  const d = resolve(load(LAB), emptyObserved());
  const hosts = d.containers['lab-r1-1']!.files.hosts;
  t.regex(hosts, /\n10\.1\.0\.2\tr1\n/); // itself: its first attachment (in name order)
  t.regex(hosts, /\n10\.1\.0\.1\th1 lab-h1-1\n/);
  t.regex(hosts, /\n10\.0\.12\.1\tr2 lab-r2-1\n/);
  t.notRegex(hosts, /web/);
});

test('tc options round-trip: what we send is what a dump parses back', (t) => {
  const tbf = qdiscFor({ rate: 8_000_000, limit: 100 }, 1500);
  t.is(tbf.kind, 'tbf');
  const back = parseQdisc('tbf', tbfOptions(tbf as Extract<typeof tbf, { kind: 'tbf' }>));
  t.true(sameQdisc(tbf, back));
  t.is(back?.kind === 'tbf' ? back.rate : 0, 1_000_000);
  const netem = qdiscFor({ delayUs: 20_000, jitterUs: 5000, loss: 1, duplicate: 0.5, corrupt: 0.1, reorder: 25, rate: 50_000_000 }, 1500);
  t.is(netem.kind, 'netem');
  const nb = parseQdisc('netem', netemOptions(netem as Extract<typeof netem, { kind: 'netem' }>));
  t.true(sameQdisc(netem, nb));
  t.false(sameQdisc(netem, { ...(nb as object), latencyNs: 1 } as typeof netem));
  t.is(parseQdisc('htb', Buffer.alloc(40)), undefined);
});

test('up of one lab node: its links wait for their other end, and so do the routes through them', (t) => {
  const obs = emptyObserved();
  const p = plan(resolve(load(LAB), obs, { services: ['h1'] }), obs);
  // Host-wide parts (the bridge, its firewall, DNS and sysctls) aside, only h1's own objects.
  const hostWide = new Set(['bridge.create', 'dns.start', 'firewall.apply', 'sysctl.set']);
  t.deepEqual(all(p).filter((a) => !hostWide.has(a.kind)).map((a) => a.kind).sort(), ['container.start', 'files.write', 'netns.create']);
  // Once r1 is up too, h1's link and default route follow.
  const both = plan(resolve(load(LAB), obs, { services: ['h1', 'r1'] }), obs);
  t.true(of(both, 'p2p.create').some((a) => a.network === 'h1:eth0--r1:eth2'));
  t.true(of(both, 'route.replace').some((a) => a.container === 'lab-h1-1' && a.dst === 'default'));
  t.false(of(both, 'p2p.create').some((a) => a.network === 'r1:eth1--r2:eth1'), 'r2 is not part of this up');
});
