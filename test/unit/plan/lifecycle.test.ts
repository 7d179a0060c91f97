import test from 'ava';
import { lifecycleOrder } from '../../../src/plan/lifecycle';

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
