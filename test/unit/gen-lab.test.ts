/**
 * scripts/gen-lab writes files the loader accepts, with the size asked for
 * and O(log n) routes a node (the privileged tests bring small ones up).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { resolve } from '../../src/plan';
import { loadProject } from '../../src/compose';
import { emptyObserved } from '../helpers/project';

const script = path.resolve(__dirname, '..', '..', '..', 'scripts', 'gen-lab');

function generate(args: string[]) {
  const r = spawnSync(script, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return loadProject({ files: ['/lab/compose.yaml'], cwd: '/lab', environment: {}, reader: { readText: (f) => (f === '/lab/compose.yaml' ? r.stdout : undefined) } });
}

for (const [topology, links] of [['line', 999], ['ring', 1000], ['tree', 999]] as const) {
  test(`${topology} of 1,000 nodes: ${links} /31 links, routes aggregated, plans`, (t) => {
    const p = generate(['--topology', topology, '--nodes', '1000', '--routes']);
    t.is(Object.keys(p.services).length, 1000);
    const nets = Object.values(p.networks);
    t.is(nets.length, links);
    t.true(nets.every((n) => n.driver === 'p2p' && n.ipam[0]!.subnet!.endsWith('/31')));
    const most = Math.max(...Object.values(p.services).map((s) => s.routes?.length ?? 0));
    // A range of links is at most 2·log2(range) CIDR blocks; a node has a few ranges.
    t.true(most > 0 && most <= 4 * Math.ceil(Math.log2(2 * 1000)) + 4, `at most ${most} routes a node`);
    const d = resolve(p, emptyObserved());
    t.is(Object.keys(d.links ?? {}).length, links);
  });
}

test('leaf-spine: spines, leaves and hosts, with backup defaults on the leaves', (t) => {
  const p = generate(['--topology', 'leaf-spine', '--spines', '2', '--leaves', '4', '--hosts', '3', '--routes']);
  t.is(Object.keys(p.services).length, 2 + 4 + 12);
  t.deepEqual(p.services.leaf1!.routes!.map((r) => [r.to, r.metric]), [['default', undefined], ['default', 10]]);
  t.is(Object.keys(p.networks).length, 4 * 3 + 4 * 2);
});

test('bad arguments are refused', (t) => {
  t.is(spawnSync(script, ['--topology', 'mesh', '--nodes', '3']).status, 2);
  t.is(spawnSync(script, ['--topology', 'ring']).status, 2);
});
