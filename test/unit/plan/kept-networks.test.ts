/**
 * The owner's `down` while another project is still on its network: the
 * network stays joinable by name (Plan.keptNetworks → a network-only
 * record), the owner's next `up` re-adopts it without recreating it, and
 * the last user's `down` removes the bridge and the record's network.
 */
import test from 'ava';
import { nothing, plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import { journalAfter, networkOnlyJournal } from '../../../src/plan/journal';
import type { Observed, OtherProject } from '../../../src/plan/model';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

const all = (p: { waves: Action[][] }) => p.waves.flat();
const owner = project('pa', [service('web', { networks: [attach('front'), attach('back')] })], [network('front'), network('back')]);

function setting() {
  const d = resolve(owner, emptyObserved());
  const front = d.networks.front!;
  const link = (n: typeof front, index: number) => ({ name: n.bridge, index, kind: 'bridge', alias: n.alias, up: true, mtu: n.mtu, addresses: [{ address: n.gateway!, prefixLen: n.prefixLen! }] });
  const hostLinks = [...emptyObserved().hostLinks, link(front, 9), link(d.networks.back!, 10)];
  const state = journalAfter(undefined, d, { now: 'x' });
  const joiner: OtherProject = { project: 'pb', subnets: [], addresses: [{ bridge: front.bridge, address: '172.18.0.3', container: 'pb-web-1' }] };
  return { d, front, hostLinks, state, joiner };
}

test('the owner\'s down keeps the networks others are on (keptNetworks: its journal entries), removes the rest', (t) => {
  const { front, hostLinks, state, joiner } = setting();
  const down = plan(nothing('pa'), emptyObserved({ hostLinks, state, otherProjects: [joiner] }));
  t.deepEqual(down.keptNetworks, { front: state.networks.front! });
  t.deepEqual(all(down).filter((a) => a.kind === 'bridge.delete').map((a) => a.network), ['back']);
  t.false(all(down).some((a) => a.target === front.bridge));
  // Alone: nothing kept.
  t.is(plan(nothing('pa'), emptyObserved({ hostLinks, state })).keptNetworks, undefined);
  const record = networkOnlyJournal('pa', down.keptNetworks!, 'y');
  t.like(record, { project: 'pa', containers: {}, keptForJoiners: true, networks: { front: { bridge: front.bridge, name: 'pa_front', subnet: front.subnet } } });
});

/** What observe/ makes of the owner's network-only record. */
const recordOf = (o: ReturnType<typeof setting>): OtherProject => ({
  project: 'pa',
  subnets: [o.front.subnet!],
  addresses: [],
  addresses6: [],
  networks: [{ name: 'pa_front', bridge: o.front.bridge, subnet: o.front.subnet!, gateway: o.front.gateway! }],
  keptOnly: true,
});

test('with only the owner\'s record left, a project still joins the network by name', (t) => {
  const o = setting();
  const joining = project('pb', [service('web', { networks: [attach('ext')] })], [network('ext', { external: true, externalName: 'pa_front' })]);
  const d = resolve(joining, emptyObserved({ hostLinks: o.hostLinks, otherProjects: [recordOf(o)] }));
  t.like(d.networks.ext, { bridge: o.front.bridge, managed: false, subnet: o.front.subnet, gateway: o.front.gateway });
});

test('the last user\'s down removes the bridge and names the owner\'s record; not while the owner is up or another user is on it', (t) => {
  const o = setting();
  const joining = project('pb', [service('web', { networks: [attach('ext')] })], [network('ext', { external: true, externalName: 'pa_front' })]);
  const joined = resolve(joining, emptyObserved({ hostLinks: o.hostLinks, otherProjects: [recordOf(o)] }));
  const state = journalAfter(undefined, joined, { now: 'x' });
  const deletes = (others: OtherProject[]) => all(plan(nothing('pb'), emptyObserved({ hostLinks: o.hostLinks, state, otherProjects: others }))).filter((a) => a.kind === 'bridge.delete');
  const [del, ...more] = deletes([recordOf(o)]);
  t.deepEqual(more, []);
  t.like(del, { target: o.front.bridge, record: { project: 'pa', network: 'front' } });
  t.deepEqual(deletes([{ ...recordOf(o), keptOnly: undefined }]), [], 'the owner is up');
  t.deepEqual(deletes([recordOf(o), { project: 'pc', subnets: [], addresses: [{ bridge: o.front.bridge, address: '172.18.0.9' }] }]), [], 'another user');
});

test('the owner\'s next up re-adopts a kept network: same subnet, nothing recreated', (t) => {
  const o = setting();
  const record = networkOnlyJournal('pa', { front: o.state.networks.front! }, 'y');
  const observed: Observed = emptyObserved({ hostLinks: o.hostLinks, state: record, otherProjects: [o.joiner] });
  const d = resolve(owner, observed);
  t.is(d.networks.front!.subnet, o.front.subnet);
  const p = plan(d, observed);
  t.false(all(p).some((a) => a.target === o.front.bridge), JSON.stringify(all(p).filter((a) => a.target === o.front.bridge)));
  t.is(p.keptNetworks, undefined);
  t.is(journalAfter(record, d, { now: 'z' }).keptForJoiners, undefined, 'a full journal again');
});

test('an up whose file drops a network another project is on keeps it in the journal, joinable by name', (t) => {
  const o = setting();
  const smaller = project('pa', [service('web', { networks: [attach('back')] })], [network('back')]);
  const observed = emptyObserved({ hostLinks: o.hostLinks, state: o.state, otherProjects: [o.joiner] });
  const d = resolve(smaller, observed);
  const p = plan(d, observed);
  t.false(all(p).some((a) => a.target === o.front.bridge));
  t.deepEqual(p.keptNetworks, { front: o.state.networks.front! });
  const after = journalAfter(o.state, d, { now: 'z', kept: p.keptNetworks! });
  t.like(after.networks.front, { bridge: o.front.bridge, name: 'pa_front' });
  t.truthy(after.networks.back);
});
