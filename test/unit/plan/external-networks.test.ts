import test from 'ava';
import { PlanError } from '../../../src/errors';
import { nothing, plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import { journalAfter } from '../../../src/plan/journal';
import type { Observed } from '../../../src/plan/model';
import { attach, emptyObserved, network, project, service } from '../../helpers/project';

const all = (p: { waves: Action[][] }) => p.waves.flat();
const BRIDGE = { name: 'tsc-aaaa', index: 9, kind: 'bridge', up: true, addresses: [{ address: '172.18.0.1', prefixLen: 16 }] };
const withOther = (): Observed =>
  emptyObserved({
    hostLinks: [...emptyObserved().hostLinks, BRIDGE],
    otherProjects: [{ project: 'pa', subnets: ['172.18.0.0/16'], addresses: [{ bridge: 'tsc-aaaa', address: '172.18.0.2' }], networks: [{ name: 'pa_front', bridge: 'tsc-aaaa' }] }],
  });
const joining = (name: string) => project('pb', [service('web', { networks: [attach('front')] })], [network('front', { external: true, externalName: name })]);

test('an external network named as another project\'s network joins its bridge, on its subnet, with a free address', (t) => {
  const d = resolve(joining('pa_front'), withOther());
  t.like(d.networks.front, { bridge: 'tsc-aaaa', managed: false, subnet: '172.18.0.0/16', gateway: '172.18.0.1' });
  t.is(d.containers['pb-web-1']!.interfaces[0]!.address, '172.18.0.3');
});

test('an external name that matches nothing says so, and lists the tscompose networks there are', (t) => {
  const e = t.throws(() => resolve(joining('pa_frnot'), withOther()), { instanceOf: PlanError });
  t.regex(e!.message, /external network pa_frnot not found: no Linux bridge of that name, and no tscompose project's network is called that \(tscompose networks on this machine: pa_front\)/);
});

test('a project\'s journal names its networks as Compose does (PROJECT_KEY, or name:)', (t) => {
  const p = project('pa', [service('web', { networks: [attach('front'), attach('back')] })], [network('front'), network('back', { externalName: 'shared-back' })]);
  const state = journalAfter(undefined, resolve(p, emptyObserved()), { now: 'x' });
  t.is(state.networks.front!.name, 'pa_front');
  t.is(state.networks.back!.name, 'shared-back');
});

test('external_links: the other project\'s container is named by its alias in /etc/hosts, at its address on the shared bridge', (t) => {
  const obs = withOther();
  obs.otherProjects[0]!.addresses[0]!.container = 'pa-api-1';
  const p = joining('pa_front');
  p.services.web!.externalLinks = [{ container: 'pa-api-1', alias: 'api' }];
  const d = resolve(p, obs);
  t.regex(d.containers['pb-web-1']!.files.hosts, /^172\.18\.0\.2\tapi$/m);
  p.services.web!.externalLinks = [{ container: 'pa-nope-1', alias: 'nope' }];
  const e = t.throws(() => resolve(p, obs), { instanceOf: PlanError });
  t.regex(e!.message, /services\.web\.external_links: no container named pa-nope-1 in another tscompose project/);
});

test('the owner\'s down leaves a bridge another project joined (with a warning); the last joiner\'s down removes it once the owner is gone', (t) => {
  const owner = project('pa', [service('web', { networks: [attach('front')] })], [network('front')]);
  const d = resolve(owner, emptyObserved());
  const bridge = d.networks.front!.bridge;
  const link = { name: bridge, index: 9, kind: 'bridge', alias: d.networks.front!.alias, up: true, addresses: [{ address: '172.18.0.1', prefixLen: 16 }] };
  const hostLinks = [...emptyObserved().hostLinks, link];
  const ownerState = journalAfter(undefined, d, { now: 'x' });
  const joiner = { project: 'pb', subnets: [], addresses: [{ bridge, address: '172.18.0.3', container: 'pb-web-1' }] };
  const ownerDown = plan(nothing('pa'), emptyObserved({ hostLinks, state: ownerState, otherProjects: [joiner] }));
  t.false(all(ownerDown).some((a) => a.kind === 'bridge.delete'));
  t.regex(ownerDown.warnings?.[0]?.message ?? '', /network pa_front \(bridge tsc-[\w-]+\) is left in place: project pb is attached to it/);
  // Alone, the owner removes it as always.
  t.deepEqual(all(plan(nothing('pa'), emptyObserved({ hostLinks, state: ownerState }))).filter((a) => a.kind === 'bridge.delete').map((a) => a.target), [bridge]);

  const joined = resolve(joining('pa_front'), emptyObserved({ hostLinks, otherProjects: [{ project: 'pa', subnets: [], addresses: [], networks: [{ name: 'pa_front', bridge }] }] }));
  const joinerState = journalAfter(undefined, joined, { now: 'x' });
  const deletes = (o: Observed) => all(plan(nothing('pb'), o)).filter((a) => a.kind === 'bridge.delete').map((a) => `${a.target}: ${a.reason}`);
  t.deepEqual(deletes(emptyObserved({ hostLinks, state: joinerState })), [`${bridge}: project pa is down and left it to its last user`]);
  // Not while its owner is up, nor while another joiner is on it.
  t.deepEqual(deletes(emptyObserved({ hostLinks, state: joinerState, otherProjects: [{ project: 'pa', subnets: [], addresses: [] }] })), []);
  t.deepEqual(deletes(emptyObserved({ hostLinks, state: joinerState, otherProjects: [{ project: 'pc', subnets: [], addresses: [{ bridge, address: '172.18.0.4' }] }] })), []);
});
