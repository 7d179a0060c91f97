import test from 'ava';
import { PlanError } from '../../../src/errors';
import { nothing, plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import type { Observed } from '../../../src/plan/model';
import { observedAfter } from '../../helpers/fake';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

const kinds = (p: { waves: Action[][] }) => p.waves.map((w) => w.map((a) => a.kind));
const all = (p: { waves: Action[][] }) => p.waves.flat();
const twoTier = () =>
  project('app', [service('web', { networks: [attach('front')] }), service('db', { networks: [attach('front'), attach('back')] })], [
    network('front'),
    network('back', { internal: true }),
  ]);

test('a fresh project: bridges and namespaces, then veths, addresses, routes and files, then processes', (t) => {
  const obs = emptyObserved();
  const p = plan(resolve(twoTier(), obs), obs);
  t.deepEqual(kinds(p), [
    // The DNS server starts with the bridges: it waits for their addresses itself.
    ['bridge.create', 'bridge.create', 'netns.create', 'netns.create', 'files.write', 'files.write', 'sysctl.set', 'firewall.apply', 'dns.start'],
    ['veth.create', 'veth.create', 'veth.create', 'sysctl.set', 'sysctl.set'],
    ['addr.add', 'addr.add', 'addr.add'],
    ['route.replace', 'route.replace'],
    ['container.start', 'container.start'],
  ]);
  // Host-wide changes are in the plan, each with why.
  t.deepEqual(
    all(p).filter((a) => a.kind === 'sysctl.set').map((a) => a.target).sort(),
    ['net.ipv4.ip_forward', ...Object.values(resolve(twoTier(), obs).networks).map((n) => `net.ipv6.conf.${n.bridge}.accept_ra`)].sort(),
  );
  t.true(all(p).every((a) => a.reason.length > 0));
  t.is(new Set(all(p).map((a) => a.id)).size, all(p).length, 'ids are unique');
});

test('plans are deterministic', (t) => {
  const obs = emptyObserved();
  t.deepEqual(plan(resolve(twoTier(), obs), obs), plan(resolve(twoTier(), obs), obs));
});

test('up twice changes nothing', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const obs = observedAfter(desired);
  t.deepEqual(plan(resolve(twoTier(), obs), obs).waves, []);
});

test('a DNS server alive but not answering (left by a killed up) is replaced; one that answers is left alone', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const obs = observedAfter(desired);
  const waiting: Observed = { ...obs, dns: { ...obs.dns!, ready: false } };
  const starts = all(plan(resolve(twoTier(), waiting), waiting)).filter((a) => a.kind === 'dns.start');
  t.deepEqual(starts.map((a) => a.reason), ['not answering']);
  const gone: Observed = { ...obs, dns: { ...obs.dns!, running: false, ready: false } };
  t.deepEqual(all(plan(resolve(twoTier(), gone), gone)).filter((a) => a.kind === 'dns.start').map((a) => a.reason), ['not running']);
});

test('the DNS server (nobody once bound) is reloaded for new names, restarted for a new address to answer on', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const obs = observedAfter(desired);
  const config = JSON.parse(obs.dns!.config!);
  const fewer: Observed = { ...obs, dns: { ...obs.dns!, config: JSON.stringify({ ...config, listen: config.listen.slice(1), names: {} }) } };
  const starts = all(plan(resolve(twoTier(), fewer), fewer)).filter((a) => a.kind.startsWith('dns.'));
  t.deepEqual(starts.map((a) => `${a.kind}: ${a.reason}`), ['dns.start: new addresses to answer on (an unprivileged server cannot bind them): restarted']);
  const names: Observed = { ...obs, dns: { ...obs.dns!, config: JSON.stringify({ ...config, names: {} }) } };
  t.deepEqual(all(plan(resolve(twoTier(), names), names)).filter((a) => a.kind.startsWith('dns.')).map((a) => a.kind), ['dns.reload']);
});

test('depends_on orders starts', (t) => {
  const proj = project('app', [
    service('web', { dependsOn: { api: { condition: 'service_started', required: true, restart: false } } }),
    service('api', { dependsOn: { db: { condition: 'service_started', required: true, restart: false } } }),
    service('db'),
  ]);
  const obs = emptyObserved();
  const starts = plan(resolve(proj, obs), obs).waves.map((w) => w.filter((a) => a.kind === 'container.start').map((a) => a.target)).filter((w) => w.length);
  t.deepEqual(starts, [['app-db-1'], ['app-api-1'], ['app-web-1']]);
});

test('down stops in the reverse order: dependents first', (t) => {
  const proj = project('app', [
    service('web', { dependsOn: { api: { condition: 'service_started', required: true, restart: false } } }),
    service('api', { dependsOn: { db: { condition: 'service_started', required: true, restart: false } } }),
    service('db'),
  ]);
  const obs = observedAfter(resolve(proj, emptyObserved()));
  t.deepEqual(obs.state?.containers['app-web-1']?.startAfter, ['app-api-1'], 'the journal keeps the order');
  const stops = plan(nothing('app'), obs).waves.map((w) => w.filter((a) => a.kind === 'container.stop').map((a) => a.target)).filter((w) => w.length);
  t.deepEqual(stops, [['app-web-1'], ['app-api-1'], ['app-db-1']]);
});

function drifted(mutate: (o: Observed) => void): Action[] {
  const desired = resolve(twoTier(), emptyObserved());
  const obs = observedAfter(desired);
  mutate(obs);
  return all(plan(resolve(twoTier(), obs), obs));
}

test('a bridge set down is brought up, and only that', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const acts = drifted((o) => {
    o.hostLinks.find((l) => l.name === desired.networks.front!.bridge)!.up = false;
  });
  t.is(acts.length, 1);
  t.is(acts[0]!.kind, 'bridge.update');
  t.is(acts[0]!.reason, 'drifted: link down');
});

test('a bridge port whose hairpin mode was turned off gets it back; one moved off its bridge is put back in hairpin mode', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const veth = desired.containers['app-web-1']!.interfaces[0]!;
  const off = drifted((o) => {
    o.hostLinks.find((l) => l.name === veth.hostVeth)!.hairpin = false;
  });
  t.deepEqual(
    off.map((a) => ({ kind: a.kind, reason: a.reason, hairpin: (a as { hairpin?: boolean }).hairpin, master: (a as { master?: string }).master })),
    [{ kind: 'link.update', reason: 'drifted: hairpin off', hairpin: true, master: undefined }],
  );
  const moved = drifted((o) => {
    const l = o.hostLinks.find((x) => x.name === veth.hostVeth)!;
    delete l.master;
    delete l.hairpin;
  });
  t.deepEqual(
    moved.map((a) => ({ kind: a.kind, reason: a.reason, hairpin: (a as { hairpin?: boolean }).hairpin, master: (a as { master?: string }).master })),
    [{ kind: 'link.update', reason: `drifted: not on bridge ${veth.bridge}`, hairpin: true, master: veth.bridge }],
  );
});

test('a veth deleted behind our back is recreated with its address and route', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const web = desired.containers['app-web-1']!;
  const acts = drifted((o) => {
    o.hostLinks = o.hostLinks.filter((l) => l.name !== web.interfaces[0]!.hostVeth);
    const ns = o.netns[(web.netns as { name: string }).name]!;
    ns.links = ns.links.filter((l) => l.name !== 'eth0');
    ns.routes = [];
  });
  t.deepEqual(acts.map((a) => a.kind).sort(), ['addr.add', 'route.replace', 'veth.create']);
  t.true(acts.every((a) => 'container' in a && a.container === 'app-web-1'));
});

test('a deleted namespace is recreated and its container restarted', (t) => {
  const acts = drifted((o) => {
    delete o.netns['tsc.app.web.1'];
  });
  const stop = acts.find((a) => a.kind === 'container.stop');
  t.is(stop?.reason, 'network namespace recreated');
  t.true(acts.some((a) => a.kind === 'netns.create'));
  t.true(acts.some((a) => a.kind === 'container.start' && a.container === 'app-web-1'));
  t.false(acts.some((a) => 'container' in a && a.container === 'app-db-1'));
});

test('an exited container is started again; a changed command recreates only that container', (t) => {
  const acts = drifted((o) => {
    o.containers['app-db-1'] = { ...o.containers['app-db-1']!, running: false, exit: { exitCode: 137, signal: 'SIGKILL', finishedAt: '' } };
  });
  t.deepEqual(acts.map((a) => `${a.kind} ${a.target} ${a.reason}`), ['container.start app-db-1 exited with code 137']);

  const base = twoTier();
  const desired = resolve(base, emptyObserved());
  const obs = observedAfter(desired);
  const edited = twoTier();
  edited.services.web!.command = ['sleep', '5'];
  const p = all(plan(resolve(edited, obs), obs));
  t.deepEqual(p.map((a) => `${a.kind} ${a.target}`), ['container.stop app-web-1', 'container.start app-web-1']);
  t.is(p[0]!.reason, 'configuration changed: command');
});

test('depends_on restart: true: replacing a dependency restarts its running dependents after it (down the chain), keeping their layers; others stay', (t) => {
  const dep = (restart: boolean) => ({ condition: 'service_started' as const, required: true, restart });
  const base = project('app', [
    service('db'),
    service('api', { dependsOn: { db: dep(true) } }),
    service('worker', { dependsOn: { api: dep(true) } }),
    service('web', { dependsOn: { db: dep(false) } }),
  ]);
  const obs = observedAfter(resolve(base, emptyObserved()));
  const edited = structuredClone(base);
  edited.services.db!.command = ['sleep', '5'];
  const acts = all(plan(resolve(edited, obs), obs));
  t.deepEqual(acts.map((a) => `${a.kind} ${a.target}`).sort(), [
    'container.start app-api-1',
    'container.start app-db-1',
    'container.start app-worker-1',
    'container.stop app-api-1',
    'container.stop app-db-1',
    'container.stop app-worker-1',
  ]);
  const start = (n: string) => acts.find((a) => a.kind === 'container.start' && a.container === n)!;
  t.is(start('app-api-1').reason, 'depends_on app-db-1 with restart: true, which is replaced');
  t.true(start('app-api-1').after.includes('container.start:app-db-1'), 'after its dependency');
  t.true(start('app-worker-1').after.includes('container.start:app-api-1'), 'and down the chain');
  t.false((start('app-api-1') as { freshRootfs?: boolean }).freshRootfs ?? false, 'the same container, restarted: its writable layer stays');

  // Nothing replaced, nothing restarted.
  t.deepEqual(all(plan(resolve(base, obs), obs)), []);
});

test('changing one static address changes that service and only the hosts files of its peers', (t) => {
  const base = project('app', [service('a'), service('b'), service('c', { networks: [attach('other')] })], [
    network('default', { ipam: [{ subnet: '10.8.0.0/24', auxAddresses: {} }] }),
    network('other'),
  ]);
  const obs = observedAfter(resolve(base, emptyObserved()));
  const edited = structuredClone(base);
  edited.services.a!.networks = [attach('default', { ipv4Address: '10.8.0.77' })];
  const acts = all(plan(resolve(edited, obs), obs));
  t.deepEqual(acts.map((a) => `${a.kind} ${a.target}`).sort(), [
    'addr.add eth0 of app-a-1',
    'addr.delete eth0 of app-a-1',
    'dns.reload app DNS',
    'files.write app-a-1',
    'files.write app-b-1',
    // Its bridge port is pinned to its address (plan/firewall-neighbours.ts).
    'firewall.apply tscompose-app',
    'route.replace default route of app-a-1',
  ]);
  t.false(acts.some((a) => a.kind === 'container.stop'), 'no restart for an address change');
});

test('detaching a network from a running container renumbers its interfaces without a restart', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const obs = observedAfter(desired);
  const db = desired.containers['app-db-1']!;
  t.deepEqual(db.interfaces.map((i) => `${i.network}:${i.ifname}`), ['front:eth0', 'back:eth1']);
  const detached = twoTier();
  detached.services.db!.networks = [attach('back')]; // back moves from eth1 to eth0
  const acts = all(plan(resolve(detached, obs), obs));
  const back = db.interfaces.find((i) => i.network === 'back')!.hostVeth;
  const front = db.interfaces.find((i) => i.network === 'front')!.hostVeth;
  t.deepEqual(acts.filter((a) => a.kind.startsWith('veth.')).map((a) => `${a.kind} ${a.target}: ${a.reason}`).sort(), [
    'veth.create eth0 of app-db-1: missing',
    'veth.delete eth0 of app-db-1: eth0 in the namespace is not the peer of ' + back,
    'veth.delete eth1 of app-db-1: not in the file any more',
    `veth.delete ${front}: network detached`,
  ]);
  const create = acts.find((a) => a.kind === 'veth.create')!;
  t.is(acts.filter((a) => a.kind === 'veth.delete').every((d) => create.after.includes(d.id)), true, 'the new veth waits for every removal');
  t.false(acts.some((a) => a.kind.startsWith('netns.') || a.kind.startsWith('container.')), 'no restart to detach a network');
});

test('removing a service and a network removes exactly their objects, bridges last', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const obs = observedAfter(desired);
  const smaller = project('app', [service('web', { networks: [attach('front')] })], [network('front')]);
  const p = plan(resolve(smaller, obs), obs);
  // web's /etc/hosts loses db: rewritten in place, no restart.
  // The namespace takes db's veths with it; the bridge goes once it has no ports.
  t.deepEqual(kinds(p), [['container.stop', 'files.write', 'firewall.apply', 'dns.reload'], ['netns.delete'], ['bridge.delete']]);
  t.is(all(p).find((a) => a.kind === 'bridge.delete')!.target, desired.networks.back!.bridge);
});

test('down plans the removal of everything we own and nothing else', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const obs = observedAfter(desired);
  obs.hostLinks.push({ name: 'docker0', index: 999, kind: 'bridge', up: true, addresses: [] });
  obs.hostLinks.push({ name: 'tsc-v-000000000', index: 998, kind: 'veth', alias: 'tscompose:otherproj:veth:x:y', up: true, addresses: [] });
  const p = plan(nothing('app'), obs);
  const targets = all(p).map((a) => a.target);
  t.false(targets.includes('docker0'));
  t.false(targets.includes('tsc-v-000000000'));
  t.deepEqual(
    all(p).map((a) => a.kind).sort(),
    ['bridge.delete', 'bridge.delete', 'container.stop', 'container.stop', 'dns.stop', 'firewall.delete', 'netns.delete', 'netns.delete'],
  );
});

test('a link we do not own with our bridge name is a conflict, not something to take over', (t) => {
  const proj = project('app', [service('web', { networks: [attach('lan')] })], [network('lan', { bridgeName: 'br-lan' })]);
  const obs = emptyObserved({ hostLinks: [{ name: 'br-lan', index: 7, kind: 'bridge', up: true, addresses: [] }] });
  t.throws(() => plan(resolve(proj, obs), obs), { instanceOf: PlanError, message: /br-lan already exists and is not managed by project app/ });
});

test('up SERVICE touches nothing else', (t) => {
  const proj = project('app', [service('a'), service('b')]);
  const obs = emptyObserved();
  const p = plan(resolve(proj, obs, { services: ['a'] }), obs);
  t.false(all(p).some((a) => 'container' in a && a.container === 'app-b-1'));
  t.true(all(p).some((a) => a.kind === 'container.start' && a.container === 'app-a-1'));
});

test('only a stale namespace (observe found it gone) is recreated, and its container restarted', (t) => {
  const desired = resolve(twoTier(), emptyObserved());
  const obs = observedAfter(desired);
  const ns = desired.containers['app-web-1']!.netns as { name: string };
  obs.netns[ns.name] = { name: ns.name, links: [], routes: [], stale: true };
  const acts = all(plan(resolve(twoTier(), obs), obs));
  t.like(acts.find((a) => a.kind === 'netns.create'), { target: ns.name, reason: 'stale /run/netns entry' });
  t.like(acts.find((a) => a.kind === 'container.stop'), { target: 'app-web-1', reason: 'network namespace recreated', remove: false });
  t.deepEqual(acts.filter((a) => a.kind === 'container.start').map((a) => a.target), ['app-web-1'], 'the other container is left alone');
});
