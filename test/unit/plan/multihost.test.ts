/**
 * One lab across machines (x-hosts, `--host`): which links need tunnels,
 * their VNIs (the same on every machine), the MTU lowered by the VXLAN
 * overhead, the part each machine makes, and the file's errors at their
 * key's line.
 */
import test from 'ava';
import { PlanError } from '../../../src/errors';
import { plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import { crossingLinks, tunnelMtu, vniFor } from '../../../src/plan/multihost';
import { observedAfter } from '../../helpers/fake';
import { emptyObserved } from '../../helpers/project';
import { hasIssue, issues, load, yaml } from '../compose/helpers';
import { renderPlan } from '../../../src/cli/render';
import { topology } from '../../../src/graph/topology';
import { renderDot } from '../../../src/graph/dot';

const LINE = yaml`
  name: line
  x-hosts:
    a: { address: 10.99.0.1 }
    b: { address: 10.99.0.2 }
    c: { address: 10.99.0.3 }
  services:
    h1: { x-host: a, x-routes: [{ to: default, via: 10.0.1.1 }] }
    r: { x-host: a, sysctls: { net.ipv4.ip_forward: 1 } }
    h2: { x-host: c, x-routes: [{ to: default, via: 10.0.2.1 }] }
  x-links:
    - endpoints: ["h1:eth0", "r:eth0"]
      ipv4: [10.0.1.10/24, 10.0.1.1/24]
    - endpoints: ["r:eth1", "h2:eth0"]
      ipv4: [10.0.2.1/24, 10.0.2.10/24]
`;

const all = (p: { waves: Action[][] }) => p.waves.flat();
const ofKind = <K extends Action['kind']>(p: { waves: Action[][] }, kind: K) => all(p).filter((a): a is Extract<Action, { kind: K }> => a.kind === kind);

test('only links whose ends sit on two machines are tunnelled', (t) => {
  const project = load(LINE);
  const whole = resolve(project, emptyObserved());
  t.deepEqual(crossingLinks(project, whole), [{ key: 'r:eth1--h2:eth0', kind: 'p2p', hosts: ['a', 'c'] }]);
  const onA = plan(resolve(project, emptyObserved(), { host: 'a' }), emptyObserved());
  // h1–r stays a veth pair on a; r–h2 is a VXLAN end in r's namespace.
  t.deepEqual(ofKind(onA, 'p2p.create').map((a) => a.network), ['h1:eth0--r:eth0']);
  const [vx] = ofKind(onA, 'vxlan.create');
  t.like(vx, { network: 'r:eth1--h2:eth0', container: 'line-r-1', netns: 'tsc.line.r.1', ifname: 'eth1', local: '10.99.0.1', remote: '10.99.0.3', port: 4789, mtu: 1450 });
  t.deepEqual(ofKind(onA, 'container.start').map((a) => a.container).sort(), ['line-h1-1', 'line-r-1']);
  t.deepEqual(onA.tunnels?.map((x) => `${x.network} ${x.device} → ${x.peerHost}`), ['r:eth1--h2:eth0 eth1 of line-r-1 → c']);
  // The peer's address is reached without ARP: its MAC is known to both machines.
  t.truthy(ofKind(onA, 'neigh.replace').find((a) => a.container === 'line-r-1' && a.address === '10.0.2.10'));
  // Machine b has nothing of the lab; c has h2 and the other end of the same tunnel.
  const onB = plan(resolve(project, emptyObserved(), { host: 'b' }), emptyObserved());
  t.deepEqual(all(onB), []);
  const onC = plan(resolve(project, emptyObserved(), { host: 'c' }), emptyObserved());
  const [back] = ofKind(onC, 'vxlan.create');
  t.like(back, { container: 'line-h2-1', ifname: 'eth0', local: '10.99.0.3', remote: '10.99.0.1', vni: vx!.vni, mtu: 1450 });
  t.is(back!.mac, ofKind(onA, 'neigh.replace').find((a) => a.address === '10.0.2.10')!.mac, 'each machine knows the MAC the other gives its end');
});

test('without --host the whole lab runs on one machine, with no tunnel', (t) => {
  const p = plan(resolve(load(LINE), emptyObserved()), emptyObserved());
  t.is(ofKind(p, 'vxlan.create').length, 0);
  t.is(ofKind(p, 'p2p.create').length, 2);
  t.is(p.tunnels, undefined);
});

test('a second up on the machine changes nothing; a changed peer address recreates the end', (t) => {
  const project = load(LINE);
  const desired = resolve(project, emptyObserved(), { host: 'c' });
  const after = observedAfter(desired);
  t.deepEqual(all(plan(resolve(project, after, { host: 'c' }), after)), []);
  const moved = load(LINE.replace('10.99.0.1', '10.99.7.1'));
  const again = plan(resolve(moved, after, { host: 'c' }), after);
  t.like(ofKind(again, 'vxlan.create')[0], { remote: '10.99.7.1', reason: 'recreated: vxlan id ' + ofKind(again, 'vxlan.create')[0]!.vni + ' remote 10.99.7.1 local 10.99.0.3 dstport 4789, mtu 1450 (1450 = underlay MTU 1500 − 50 bytes of VXLAN over IPv4 (1500 asked))' });
  t.is(ofKind(again, 'veth.delete').length, 1, 'the old end goes first');
});

test('VNI: a hash of project and link (the same everywhere, 1 … 2^24-1), a base plus rank, or fixed per link', (t) => {
  const none = { linkVni: {} };
  const v = vniFor('line', 'r:eth1--h2:eth0', none, 0);
  t.is(vniFor('line', 'r:eth1--h2:eth0', none, 5), v, 'the rank does not matter without a base');
  t.true(v >= 1 && v <= 0xffffff);
  t.not(vniFor('line', 'h1:eth0--r:eth0', none, 0), v);
  t.not(vniFor('other', 'r:eth1--h2:eth0', none, 0), v, 'two projects on one underlay get different VNIs');
  t.is(vniFor('line', 'x', { vniBase: 1000, linkVni: {} }, 2), 1002);
  t.is(vniFor('line', 'x', { vniBase: 1000, linkVni: { x: 7 } }, 2), 7);
  const p = load(LINE.replace('services:', 'x-vxlan: { port: 8472, vni: 5000 }\nservices:'));
  const [vx] = ofKind(plan(resolve(p, emptyObserved(), { host: 'a' }), emptyObserved()), 'vxlan.create');
  t.like(vx, { vni: 5000, port: 8472 });
});

test('two links that would share a VNI are a plan error at the key', (t) => {
  const text = LINE.replace('r: { x-host: a,', 'r: { x-host: b,').replace(
    'services:',
    'x-vxlan:\n  links:\n    "h1:eth0--r:eth0": { vni: 9 }\n    "r:eth1--h2:eth0": { vni: 9 }\nservices:',
  );
  const err = t.throws(() => resolve(load(text), emptyObserved(), { host: 'b' }), { instanceOf: PlanError }) as PlanError;
  t.regex(err.issues[0]!.message, /share VNI 9/);
  t.is(err.issues[0]!.loc?.line, 9, 'at the second of the two');
});

test('MTU: the underlay less 50 bytes (IPv4) or 70 (IPv6); a smaller asked MTU is kept', (t) => {
  const hosts = (family: 4 | 6, mtu = 1500) => ({ hosts: { a: { address: '', family, mtu }, b: { address: '', family, mtu: 9000 } }, port: 4789, linkVni: {} });
  t.is(tunnelMtu(1500, hosts(4), ['a', 'b']).mtu, 1450);
  t.is(tunnelMtu(1500, hosts(6), ['a', 'b']).mtu, 1430);
  t.is(tunnelMtu(9000, hosts(4, 9000), ['a', 'b']).mtu, 8950);
  t.is(tunnelMtu(1400, hosts(4), ['a', 'b']).mtu, 1400);
  t.regex(tunnelMtu(9000, hosts(4), ['a', 'b']).mtuReason, /underlay MTU 1500 − 50 bytes of VXLAN over IPv4/);
  const jumbo = load(LINE.replace('c: { address: 10.99.0.3 }', 'c: { address: 10.99.0.3, mtu: 9000 }').replace('a: { address: 10.99.0.1 }', 'a: { address: 10.99.0.1, mtu: 9000 }'));
  const [vx] = ofKind(plan(resolve(jumbo, emptyObserved(), { host: 'a' }), emptyObserved()), 'vxlan.create');
  t.is(vx!.mtu, 1500, 'the link asks 1500, which fits a 9000 underlay');
});

const SPANNING = yaml`
  name: span
  x-hosts:
    a: { address: 10.99.0.1 }
    b: { address: 10.99.0.2 }
  services:
    web: { x-host: a }
    client: { x-host: b }
  networks:
    default:
      ipam: { config: [{ subnet: 10.77.0.0/24 }] }
`;

test('a bridge network spanning two machines gets a VXLAN port on its bridge, and a lower MTU', (t) => {
  const project = load(SPANNING);
  const d = resolve(project, emptyObserved(), { host: 'b' });
  t.is(d.networks.default!.mtu, 1450);
  t.is(d.containers['span-client-1']!.interfaces[0]!.mtu, 1450);
  t.deepEqual(Object.keys(d.containers), ['span-client-1']);
  const p = plan(d, emptyObserved());
  const [vx] = ofKind(p, 'vxlan.create');
  t.like(vx, { network: 'default', master: d.networks.default!.bridge, local: '10.99.0.2', remote: '10.99.0.1', mtu: 1450, netns: undefined });
  t.true(vx!.after.includes(`bridge.create:default`));
  const after = observedAfter(d);
  t.deepEqual(all(plan(resolve(project, after, { host: 'b' }), after)), [], 'up twice is a no-op');
  // down: the port goes before its bridge.
  const down = plan({ project: 'span', networks: {}, containers: {} }, after);
  const del = ofKind(down, 'vxlan.delete')[0]!;
  t.true(ofKind(down, 'bridge.delete')[0]!.after.includes(del.id));
});

test('a spanning bridge network needs a subnet', (t) => {
  const noSubnet = SPANNING.replace(/\nnetworks:[\s\S]*$/, '\n');
  const e1 = t.throws(() => resolve(load(noSubnet), emptyObserved(), { host: 'a' }), { instanceOf: PlanError }) as PlanError;
  t.regex(e1.issues[0]!.message, /give it an ipam subnet/);
});

test('a bridge network on three machines: one VXLAN port each, flooding to both others, the same VNI everywhere', (t) => {
  const three = load(SPANNING.replace('b: { address: 10.99.0.2 }', 'b: { address: 10.99.0.2 }\n  c: { address: 10.99.0.3 }').replace('client: { x-host: b }', 'client: { x-host: b }\n  other: { x-host: c }'));
  const ports = ['a', 'b', 'c'].map((h) => ofKind(plan(resolve(three, emptyObserved(), { host: h }), emptyObserved()), 'vxlan.create')[0]!);
  t.deepEqual(ports.map((p) => `${p.local} → ${[p.remote, ...(p.extraRemotes ?? [])].join(' ')}`), [
    '10.99.0.1 → 10.99.0.2 10.99.0.3',
    '10.99.0.2 → 10.99.0.1 10.99.0.3',
    '10.99.0.3 → 10.99.0.1 10.99.0.2',
  ]);
  t.is(new Set(ports.map((p) => p.vni)).size, 1);
  t.true(ports.every((p) => p.learning === true));
  t.regex(ports[0]!.reason, /remote 10\.99\.0\.2 local 10\.99\.0\.1 dstport 4789 \+ fdb append dst 10\.99\.0\.3, mtu 1450/);
});

test('bad x-host and x-hosts are errors at file:line:key', (t) => {
  const base = (hosts: string, svc = 'x-host: a') => `name: bad\nx-hosts:\n${hosts}\nservices:\n  h1:\n    ${svc}\n`;
  hasIssue(t, issues(t, base('  a: { address: 10.99.0.1 }', 'x-host: z')), 'compose.yaml:6:5', 'services.h1.x-host', 'unknown host "z" (x-hosts has a)');
  hasIssue(t, issues(t, base('  a: { mtu: 1500 }')), 'compose.yaml:3:3', 'x-hosts.a', 'host a needs an address');
  hasIssue(t, issues(t, base('  a: { address: 10.99.0.300 }')), 'compose.yaml:3:8', 'x-hosts.a.address', '"10.99.0.300" is not an IPv4 or IPv6 address');
  hasIssue(t, issues(t, base('  a: { address: 10.99.0.1, port: 1 }')), 'compose.yaml:3:28', 'x-hosts.a.port', 'unknown');
  hasIssue(t, issues(t, 'name: bad\nservices:\n  h1:\n    x-host: a\n'), 'compose.yaml:4:5', 'services.h1.x-host', 'x-host names a machine of the top-level x-hosts');
  hasIssue(t, issues(t, base('  a: { address: 10.99.0.1 }', 'image: x')), 'compose.yaml:5:3', 'services.h1', 'add x-host');
  hasIssue(t, issues(t, base('  a: { address: 10.99.0.1 }').replace('x-hosts:', 'x-vxlan: { links: { nope: { vni: 3 } } }\nx-hosts:')), 'compose.yaml:2:21', 'x-vxlan.links.nope', 'no network or x-links entry "nope"');
});

test('the text plan names the tunnels even when nothing changes; graph shows each node on its machine', (t) => {
  const project = load(LINE);
  const d = resolve(project, emptyObserved(), { host: 'c' });
  const after = observedAfter(d);
  const text = renderPlan(plan(resolve(project, after, { host: 'c' }), after));
  t.regex(text, /\nHost c: 1 VXLAN tunnel\(s\) to other machines\n {2}r:eth1--h2:eth0 \(p2p\) eth0 of line-h2-1 → a: vxlan id \d+ remote 10\.99\.0\.1 local 10\.99\.0\.3 dstport 4789, mtu 1450 = /);
  t.regex(text, /is up to date: nothing to do/);
  const topo = topology(project, resolve(project, emptyObserved()));
  t.deepEqual(topo.nodes.map((n) => `${n.label} ${n.host} ${n.sub}`).sort(), ['h1 a on a', 'h2 c on c', 'r a router · on a']);
  t.deepEqual(topo.edges.filter((e) => e.tunnel).map((e) => e.label), ['VXLAN c ↔ a']);
  const dot = renderDot(topo);
  t.regex(dot, /subgraph "cluster_a" \{\n {4}label="host a";/);
  t.regex(dot, /subgraph "cluster_c"/);
});

test('depends_on across machines is a warning (not waited for); a shared namespace must be on one machine', (t) => {
  const text = LINE.replace('h2: { x-host: c,', 'h2: { x-host: c, depends_on: [r],');
  const d = resolve(load(text), emptyObserved(), { host: 'c' });
  t.deepEqual(d.containers['line-h2-1']!.startAfter, []);
  t.deepEqual(d.warnings?.map((w) => `${w.path}: ${w.message}`), [
    'services.h2.depends_on: line-h2-1 depends on line-r-1, which runs on a: this machine starts it without waiting',
    'x-hosts.c.address: this machine has no address 10.99.0.3: its tunnels carry nothing until it has (is this host c?)',
  ]);
  const underlay = emptyObserved({ hostLinks: [{ name: 'ul0', index: 2, up: true, addresses: [{ address: '10.99.0.3', prefixLen: 24 }] }] });
  t.is(resolve(load(LINE), underlay, { host: 'c' }).warnings, undefined, 'no warning on the machine that has the address');
  const shared = 'name: s\nx-hosts:\n  a: { address: 10.99.0.1 }\n  b: { address: 10.99.0.2 }\nservices:\n  app: { x-host: a }\n  side:\n    x-host: b\n    network_mode: service:app\n';
  hasIssue(t, issues(t, shared), 'compose.yaml:8:5', 'services.side.x-host', "shares app's namespace, which is on a");
});

test('a tunnel end deleted or changed behind our back is repaired by the next up', (t) => {
  const project = load(LINE);
  const d = resolve(project, emptyObserved(), { host: 'c' });
  const after = observedAfter(d);
  const ns = after.netns['tsc.line.h2.1']!;
  const gone = { ...after, netns: { ...after.netns, 'tsc.line.h2.1': { ...ns, links: ns.links.filter((l) => l.name !== 'eth0') } } };
  const p = plan(resolve(project, gone, { host: 'c' }), gone);
  t.like(ofKind(p, 'vxlan.create')[0], { ifname: 'eth0', container: 'line-h2-1' });
  t.truthy(ofKind(p, 'addr.add').find((a) => a.ifname === 'eth0' && a.address === '10.0.2.10'));
  t.truthy(ofKind(p, 'route.replace').find((a) => a.dst === 'default'), 'the route through it follows');
  const shrunk = { ...after, netns: { ...after.netns, 'tsc.line.h2.1': { ...ns, links: ns.links.map((l) => (l.name === 'eth0' ? { ...l, mtu: 1500, up: false } : l)) } } };
  const fix = plan(resolve(project, shrunk, { host: 'c' }), shrunk);
  t.deepEqual(ofKind(fix, 'vxlan.create'), []);
  t.like(ofKind(fix, 'link.update')[0], { ifname: 'eth0', mtu: 1450, up: true });
});

test('down removes a bridge tunnel port the journal names even when an interrupted up left it unmarked', (t) => {
  const project = load(SPANNING);
  const d = resolve(project, emptyObserved(), { host: 'a' });
  const after = observedAfter(d);
  const device = d.networks.default!.tunnel!.device!;
  const unmarked = { ...after, hostLinks: after.hostLinks.map((l) => (l.name === device ? { ...l, alias: undefined } : l)), state: { version: 1 as const, project: 'span', networks: { default: { bridge: d.networks.default!.bridge, managed: true } } as any, containers: {}, updatedAt: '' } };
  const down = plan({ project: 'span', networks: {}, containers: {} }, unmarked);
  t.deepEqual(ofKind(down, 'vxlan.delete').map((a) => a.ifname), [device]);
  const stranger = { ...unmarked, state: undefined };
  t.deepEqual(ofKind(plan({ project: 'span', networks: {}, containers: {} }, stranger), 'vxlan.delete'), [], 'an unmarked device we have no record of is not ours');
});
