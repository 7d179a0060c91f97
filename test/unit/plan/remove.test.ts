import test from 'ava';
import type { Action, Plan } from '../../../src/plan/actions';
import type { ProjectState, StateContainer } from '../../../src/plan/model';
import { oneOffService } from '../../../src/plan/one-off';
import { removalPlan, withoutStarts } from '../../../src/plan/remove';
import { load } from '../compose/helpers';

const container = (service: string, extra: Partial<StateContainer> = {}): StateContainer =>
  ({
    service,
    index: 1,
    interfaces: [],
    launchHash: 'h',
    launch: { argv: ['x'], env: {}, hostname: service, namespaces: ['mount'], sysctls: {} },
    netnsPlacement: { kind: 'own', name: `tsc-ns-${service}` },
    netns: `tsc-ns-${service}`,
    cgroup: { parent: '', path: `tscompose/p/${service}-1` },
    ...extra,
  }) as StateContainer;

const state: ProjectState = {
  version: 1,
  project: 'p',
  networks: {},
  containers: {
    'p-db-1': container('db'),
    'p-app-1': container('app', { startAfter: ['p-db-1'] }),
    // network_mode: service:db — shares db's namespace.
    'p-side-1': container('side', { netns: undefined, netnsPlacement: { kind: 'container', container: 'p-db-1', name: 'tsc-ns-db' } }),
  },
  updatedAt: '',
};

const kinds = (p: Plan) => p.waves.map((w) => w.map((a: Action) => `${a.kind} ${a.target}`).sort());

test('rm: stop and remove, then the container’s own namespace and cgroup; dependents stop first', (t) => {
  const p = removalPlan(state, ['p-app-1']);
  t.deepEqual(kinds(p), [['container.stop p-app-1'], ['cgroup.delete tscompose/p/app-1', 'netns.delete tsc-ns-app']]);
  const stop = p.waves[0]![0]!;
  t.true(stop.kind === 'container.stop' && stop.remove);
  const both = removalPlan(state, ['p-db-1', 'p-app-1']);
  const db = both.waves.flat().find((a) => a.id === 'container.stop:p-db-1')!;
  t.deepEqual(db.after, ['container.stop:p-app-1'], 'app (a dependent) stops before db');
});

test('rm: a namespace a staying container lives in is kept', (t) => {
  t.false(kinds(removalPlan(state, ['p-db-1'])).flat().includes('netns.delete tsc-ns-db'));
  t.true(kinds(removalPlan(state, ['p-db-1', 'p-side-1'])).flat().includes('netns.delete tsc-ns-db'));
});

test('create: the plan without its starts, and nothing waits for them', (t) => {
  const start = { kind: 'container.start', id: 'container.start:a', target: 'a', reason: '', after: ['x'] } as unknown as Action;
  const later = { kind: 'nft.apply', id: 'n', target: 'n', reason: '', after: ['container.start:a', 'x'] } as unknown as Action;
  const x = { kind: 'netns.create', id: 'x', target: 'x', reason: '', after: [] } as unknown as Action;
  const p = withoutStarts({ version: 1, project: 'p', waves: [[x], [start], [later]] });
  t.deepEqual(p.waves.map((w) => w.map((a) => a.id)), [['x'], ['n']]);
  t.deepEqual(p.waves[1]![0]!.after, ['x']);
});

test('run: the one-off service keeps the config, drops ports and restart, takes the command line', (t) => {
  const project = load('name: p\nservices:\n  app:\n    image: alpine\n    entrypoint: ["/init"]\n    command: ["serve"]\n    ports: ["80"]\n    restart: always\n    environment: {A: "1"}\n    depends_on: [db]\n  db:\n    image: alpine\n');
  const s = oneOffService(project, 'app', { id: 'abc', command: ['sh'], env: { B: '2' } });
  t.is(s.name, 'app-run-abc');
  t.is(s.containerName, 'p-app-run-abc');
  t.deepEqual(s.entrypoint, ['/init']);
  t.deepEqual(s.command, ['sh']);
  t.deepEqual(s.ports, []);
  t.is(s.restart, undefined);
  t.deepEqual(s.environment, { A: '1', B: '2' });
  t.deepEqual(Object.keys(s.dependsOn), ['db']);
  const e = oneOffService(project, 'app', { id: 'abc', entrypoint: ['/bin/sh'], noDeps: true, name: 'mine' });
  t.deepEqual([e.entrypoint, e.command, e.containerName, Object.keys(e.dependsOn)], [['/bin/sh'], [], 'mine', []]);
});
