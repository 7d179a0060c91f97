import test from 'ava';
import { lifecycleIds, lifecycleOrder, startAction, stopAction } from '../../../src/plan/lifecycle';
import type { LaunchSettings } from '../../../src/plan/model';

const deps: Record<string, string[]> = { web: ['api', 'cache'], api: ['db'], cache: [], db: [] };
const of = (m: Map<string, string[]>) => Object.fromEntries([...m].sort());

test('start: each container waits for its dependencies among those being started', (t) => {
  t.deepEqual(of(lifecycleOrder(['web', 'api', 'cache', 'db'], (n) => deps[n], 'start')), { api: ['db'], cache: [], db: [], web: ['api', 'cache'] });
  // db already runs: api need not wait for anything.
  t.deepEqual(of(lifecycleOrder(['web', 'api'], (n) => deps[n], 'start')), { api: [], web: ['api'] });
});

test('stop: each container waits for its dependents', (t) => {
  t.deepEqual(of(lifecycleOrder(['web', 'api', 'cache', 'db'], (n) => deps[n], 'stop')), { api: ['web'], cache: ['web'], db: ['api'], web: [] });
});

test('a cycle (a hand-edited journal) loses an edge instead of waiting forever; unknown and self edges are ignored', (t) => {
  const cyclic: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a', 'c', 'ghost'] };
  const order = lifecycleOrder(['a', 'b', 'c'], (n) => cyclic[n], 'start');
  const edges = [...order].flatMap(([n, ds]) => ds.map((d) => `${n}>${d}`)).sort();
  t.deepEqual(edges, ['a>b', 'b>c']);
  t.deepEqual(of(lifecycleOrder(['x'], () => undefined, 'stop')), { x: [] });
});

const launch = { argv: ['sleep', 'inf'], env: {}, hostname: 'web', namespaces: ['mount'], sysctls: {}, stopSignal: 'SIGUSR1', stopGraceSec: 2.5 } as LaunchSettings;
const web = { name: 'p-web-1', service: 'web' };

test('stop actions: -t wins over stop_grace_period, which wins over 10 s; the stop signal is carried', (t) => {
  t.deepEqual(stopAction(web, 'interrupted', { launch, remove: false, after: lifecycleIds('stop', ['p-api-1']) }), {
    kind: 'container.stop',
    id: 'container.stop:p-web-1',
    target: 'p-web-1',
    reason: 'interrupted',
    after: ['container.stop:p-api-1'],
    container: 'p-web-1',
    service: 'web',
    timeoutSec: 2.5,
    signal: 'SIGUSR1',
    remove: false,
  });
  t.like(stopAction(web, 'gone', { timeoutSec: 0, launch, remove: true }), { timeoutSec: 0, signal: 'SIGUSR1', remove: true });
  const plain = stopAction(web, 'gone', { launch: undefined, remove: true });
  t.is(plain.timeoutSec, 10);
  t.false('signal' in plain || 'after' in plain);
});

test('start actions: the host network has no netns; only a new container gets an empty writable layer', (t) => {
  const host = startAction(web, 'new', { launch, netns: undefined, freshRootfs: true });
  t.like(host, { kind: 'container.start', id: 'container.start:p-web-1', container: 'p-web-1', service: 'web', launch, freshRootfs: true });
  t.false('netns' in host || 'after' in host);
  const again = startAction(web, 'start', { launch, netns: 'tsc-p-web-1', freshRootfs: false, after: [] });
  t.like(again, { netns: 'tsc-p-web-1', after: [] });
  t.false('freshRootfs' in again);
});
