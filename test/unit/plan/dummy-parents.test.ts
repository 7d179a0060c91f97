import test from 'ava';
import { PlanError } from '../../../src/errors';
import { plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import { dummyIfname } from '../../../src/plan/names';
import { observedAfter } from '../../helpers/fake';
import { emptyObserved } from '../../helpers/project';
import { load as loadFile, yaml } from '../compose/helpers';

const all = (p: { waves: Action[][] }) => p.waves.flat();
const load = (text: string) => {
  const p = loadFile(text);
  for (const s of Object.values(p.services)) delete s.image;
  return p;
};

const FILE = yaml`
  services:
    a:
      networks: [iso]
    b:
      networks: [iso]
  networks:
    iso:
      driver: macvlan
      internal: true
      ipam: {config: [{subnet: 10.88.0.0/24}]}
`;

test('a macvlan network without parent where the kernel has no dummy links: a plan error naming what is missing, at driver', (t) => {
  const e = t.throws(() => resolve(load(FILE), emptyObserved({ kernel: { dummy: false } })), { instanceOf: PlanError })!;
  t.deepEqual(
    e.issues.map((i) => `${i.loc?.line} ${i.path}`),
    ['8 networks.iso.driver'],
  );
  t.regex(e.issues[0]!.message, /no driver_opts\.parent.*dummy link.*this kernel has no dummy link driver \(CONFIG_DUMMY/);
});

test('a macvlan network without parent: a dummy link of ours is made first and is the parent; internal: no default route; down removes it', (t) => {
  const obs = emptyObserved({ kernel: { dummy: true } });
  const d = resolve(load(FILE), obs);
  const name = dummyIfname('proj', 'iso');
  t.is(d.networks.iso!.lowerLink!.parent, name);
  t.is(d.containers['proj-a-1']!.defaultRoute, undefined);
  const p = all(plan(d, obs));
  const dummy = p.find((a) => a.kind === 'dummy.create')!;
  t.is(dummy.target, name);
  const creates = p.filter((a): a is Extract<Action, { kind: 'lowerlink.create' }> => a.kind === 'lowerlink.create');
  t.is(creates.length, 2);
  for (const c of creates) {
    t.is(c.parent, name);
    t.true(c.after.includes(dummy.id), 'the macvlan follows its dummy parent');
  }
  // Made: nothing to do again; down (an empty file) removes the dummy after the containers.
  const after = observedAfter(d, obs);
  after.hostLinks.push({ name, index: 40, kind: 'dummy', up: true, alias: (dummy as Extract<Action, { kind: 'dummy.create' }>).alias, addresses: [] });
  t.false(all(plan(resolve(load(FILE), after), after)).some((a) => a.kind === 'dummy.create'));
  const gone = all(plan(resolve(load('services: {}\n'), after), after));
  t.deepEqual(gone.filter((a) => a.kind === 'dummy.delete').map((a) => a.target), [name]);
});
