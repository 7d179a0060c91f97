import test from 'ava';
import { sharedNetworkSpec } from '../../../src/compose/shared-bridge';
import { nothing, plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import type { Observed } from '../../../src/plan/model';
import { journalAfter } from '../../../src/plan/journal';
import { SHARED_ALIAS } from '../../../src/plan/shared-bridge';
import { observedAfter } from '../../helpers/fake';
import { attach, emptyObserved, project, service } from '../../helpers/project';
import { issues, lines, load } from '../compose/helpers';

const all = (p: { waves: Action[][] }) => p.waves.flat();
const onBridge = (name: string) => project(name, [service('web', { networkMode: { kind: 'default', shared: true }, networks: [attach('bridge')] })], [sharedNetworkSpec()]);
const meta = { now: '2026-01-01T00:00:00Z' };

test('the first project on the default bridge creates tsc0 on 172.17.0.0/16, marked as nobody\'s, with no DNS server', (t) => {
  const obs = emptyObserved();
  const d = resolve(onBridge('a'), obs);
  t.like(d.networks.bridge, { bridge: 'tsc0', subnet: '172.17.0.0/16', gateway: '172.17.0.1', alias: SHARED_ALIAS, shared: true, managed: true });
  t.is(d.dns, undefined);
  const p = all(plan(d, obs));
  t.deepEqual(p.filter((a) => a.kind === 'bridge.create').map((a) => a.target), ['tsc0']);
  t.true(journalAfter(undefined, d, meta).networks.bridge!.shared);
});

test('172.17.0.0/16 in use: the default bridge takes the first free pool block', (t) => {
  const obs = emptyObserved({ hostRoutes: [{ dst: '172.17.0.0/16', dev: 'docker0' }] });
  t.is(resolve(onBridge('a'), obs).networks.bridge!.subnet, '172.18.0.0/16');
});

test('a second project joins the existing tsc0 (its subnet, addresses others hold are skipped) and does not create it', (t) => {
  const first = resolve(onBridge('a'), emptyObserved());
  const after = observedAfter(first);
  const stateA = journalAfter(undefined, first, meta);
  const obs: Observed = {
    ...after,
    netns: {},
    state: undefined,
    otherProjects: [{ project: 'a', subnets: [], addresses: [{ bridge: 'tsc0', address: stateA.containers['a-web-1']!.interfaces[0]!.address! }], sharedBridge: true }],
  };
  const d = resolve(onBridge('b'), obs);
  t.is(d.networks.bridge!.subnet, '172.17.0.0/16');
  t.is(d.containers['b-web-1']!.interfaces[0]!.address, '172.17.0.3');
  t.false(all(plan(d, obs)).some((a) => a.kind.startsWith('bridge.')));
});

test('down removes tsc0 only when no other project\'s journal names it', (t) => {
  const d = resolve(onBridge('a'), emptyObserved());
  const base = { ...observedAfter(d), state: journalAfter(undefined, d, meta) };
  const deletes = (o: Observed) => all(plan(nothing('a'), o)).filter((a) => a.kind === 'bridge.delete').map((a) => a.target);
  t.deepEqual(deletes(base), ['tsc0']);
  t.deepEqual(deletes({ ...base, otherProjects: [{ project: 'b', subnets: [], addresses: [], sharedBridge: true }] }), []);
  // A project that never used it leaves it alone.
  t.deepEqual(deletes({ ...base, state: { ...base.state, networks: {} } }), []);
});

test('Docker\'s other spellings of the default bridge: network_mode: default, and an external network named "bridge"', (t) => {
  const p = load('services:\n  a: {network_mode: default}\n  b:\n    networks: [docker0]\nnetworks:\n  docker0: {external: true, name: bridge}\n');
  // One network of the project is the default bridge: network_mode: default joins the external one.
  t.deepEqual(p.services.a!.networks.map((n) => n.network), ['docker0']);
  t.deepEqual(Object.keys(p.networks), ['docker0']);
  const d = resolve(p, emptyObserved());
  t.like(d.networks.docker0, { bridge: 'tsc0', shared: true, managed: true, subnet: '172.17.0.0/16' });
  t.deepEqual(all(plan(d, emptyObserved())).filter((a) => a.kind === 'bridge.create').map((a) => a.target), ['tsc0']);
  const list = issues(t, 'services:\n  a: {networks: [x, y]}\nnetworks:\n  x: {external: true, name: bridge}\n  y: {external: true, name: bridge}\n');
  t.deepEqual(lines(list), ['compose.yaml:5:3 networks.y: network x already is the default bridge (external, named "bridge"); use that one']);
});
