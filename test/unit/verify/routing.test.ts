import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseIP } from '../../../src/net/ip';
import { resolve } from '../../../src/plan';
import type { Desired } from '../../../src/plan/model';
import { loadProject } from '../../../src/compose';
import type { Project } from '../../../src/compose/types';
import { planProbes } from '../../../src/verify/expect';
import { reachability, routingModel, walk } from '../../../src/verify/routing';
import { emptyObserved } from '../../helpers/project';

const examples = path.resolve(__dirname, '..', '..', '..', '..', 'compose-examples');

function example(name: string, edit: (text: string) => string = (x) => x): { project: Project; desired: Desired } {
  const file = path.join(examples, name, 'compose.yaml');
  const text = edit(fs.readFileSync(file, 'utf8'));
  const project = loadProject({ files: [file], cwd: path.dirname(file), environment: {}, reader: { readText: (f) => (f === file ? text : undefined) } });
  return { project, desired: resolve(project, emptyObserved()) };
}

const label = (p: Project) => (c: { service: string; name: string }) => ((p.services[c.service]?.scale ?? 1) > 1 ? c.name : c.service);
const ip = (s: string) => parseIP(s)!;

test('triangle: h1 reaches h3 through r1 and r3, and back the same way', (t) => {
  const { project, desired } = example('triangle');
  const m = routingModel(desired, label(project));
  const r = reachability(m, 'triangle-h1-1', 4, ip('10.3.0.10').value);
  t.true(r.reach);
  t.deepEqual(r.path, ['triangle-h1-1', 'triangle-r1-1', 'triangle-r3-1', 'triangle-h3-1']);
  t.is(r.back, undefined, 'symmetric');
  const v6 = reachability(m, 'triangle-h1-1', 6, ip('fd10:3::10').value);
  t.deepEqual(v6.path.map((n) => m.nodes.get(n)!.label), ['h1', 'r1', 'r3', 'h3']);
  // The r2–r3 transfer subnet is not routed from h1's side.
  const blocked = reachability(m, 'triangle-h1-1', 4, ip('10.255.23.1').value);
  t.false(blocked.reach);
  t.is(blocked.why, 'r1 has no route to 10.255.23.1');
});

test('triangle: the backup route (metric 100) is used when the direct one is gone; no forwarding, no path', (t) => {
  const { project, desired } = example('triangle', (x) => x.replace('      - { to: 10.3.0.0/24, via: 10.255.13.1 }\n', ''));
  const m = routingModel(desired, label(project));
  t.deepEqual(walk(m, 'triangle-h1-1', 4, ip('10.3.0.10').value).path.map((n) => m.nodes.get(n)!.label), ['h1', 'r1', 'r2', 'r3', 'h3']);
  const noFwd = example('triangle', (x) => x.replace('  r3:\n    <<: *router', '  r3:\n    sysctls: { net.ipv4.ip_forward: 0 }'));
  const m2 = routingModel(noFwd.desired, label(noFwd.project));
  const r = reachability(m2, 'triangle-h1-1', 4, ip('10.3.0.10').value);
  t.false(r.reach);
  t.is(r.why, 'r3 does not forward IPv4 (no net.ipv4.ip_forward: 1)');
  // One way works, the way back does not: blocked too.
  const oneWay = example('triangle', (x) => x.replace('      - { to: 10.1.0.0/24, via: 10.255.13.0 }\n', ''));
  const m3 = routingModel(oneWay.desired, label(oneWay.project));
  const back = reachability(m3, 'triangle-h1-1', 4, ip('10.3.0.10').value);
  t.false(back.reach);
  t.regex(back.why!, /^no way back to 10\.1\.0\.10: /);
});

test('app beside a lab: bridges isolate, internal networks have no way out, the worlds do not meet', (t) => {
  const { project, desired } = example('app-and-lab');
  const m = routingModel(desired, label(project));
  const addr = (c: string) => ip(desired.containers[c]!.interfaces[0]!.address!).value;
  t.true(reachability(m, 'applab-web-1', 4, ip(desired.containers['applab-api-1']!.interfaces.find((i) => i.network === 'front')!.address!).value).reach);
  const webDb = reachability(m, 'applab-web-1', 4, addr('applab-db-1'));
  t.false(webDb.reach);
  t.is(webDb.why, "the machine does not route between the project's networks (they are isolated)");
  t.false(reachability(m, 'applab-lab-a-1', 4, addr('applab-web-1')).reach);
  t.true(reachability(m, 'applab-lab-a-1', 4, ip('10.20.2.10').value).reach);
});

test('probes: every pair and address, x-verify first; sampling keeps neighbours', (t) => {
  const { project, desired } = example('triangle');
  const m = routingModel(desired, label(project));
  const all = planProbes(m, project.verify ?? [], { maxProbes: 100_000 });
  t.false(all.sampled);
  t.deepEqual(all.probes.slice(0, 2).map((p) => [p.from, p.to, p.address, p.expect, p.verify]), [
    ['triangle-h1-1', 'triangle-h3-1', '10.3.0.10', 'reach', 0],
    ['triangle-h1-1', 'triangle-r3-1', '10.255.23.1', 'blocked', 1],
  ]);
  // 6 containers; each probes every address of the five others.
  const addresses = (c: string) => m.nodes.get(c)!.ifaces.reduce((n, i) => n + i.addresses.length, 0);
  const expected = [...m.nodes.keys()].filter((n) => n !== '(host)').reduce((sum, n, _, list) => sum + list.filter((o) => o !== n).reduce((s, o) => s + addresses(o), 0), 0);
  t.is(all.total, expected);
  t.is(all.probes.length, expected + 2);
  const few = planProbes(m, [], { maxProbes: 40 });
  t.true(few.sampled);
  t.true(few.probes.length <= 40);
  // Neighbours come first: every probe of the sample is between containers sharing a link.
  const shares = (a: string, b: string) => m.nodes.get(a)!.ifaces.some((i) => m.nodes.get(b)!.ifaces.some((j) => j.segment === i.segment));
  t.true(few.probes.every((p) => shares(p.from, p.to!)));
});

test('a line of 70 routers: 63 routers on the way is the most a packet crosses (TTL 64); loops are named', (t) => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const gen = spawnSync(path.join(examples, '..', 'scripts', 'gen-lab'), ['--topology', 'line', '--nodes', '70', '--routes'], { encoding: 'utf8' });
  const project = loadProject({ files: ['/l/compose.yaml'], cwd: '/l', environment: {}, reader: { readText: (f) => (f === '/l/compose.yaml' ? gen.stdout : undefined) } });
  const m = routingModel(resolve(project, emptyObserved()), label(project));
  const addressOf = (n: number) => m.nodes.get(`lab-n${n}-1`)!.ifaces[0]!.addresses[0]!.value;
  // n1 → n65: 63 routers (n2…n64) in between: arrives; n1 → n66: 64 routers: the TTL runs out.
  t.true(reachability(m, 'lab-n1-1', 4, addressOf(65)).reach);
  const far = reachability(m, 'lab-n1-1', 4, addressOf(66));
  t.false(far.reach);
  t.is(far.why, 'more than 63 routers on the way (the TTL runs out)');
  // Two routers pointing at each other.
  const looped = example('triangle', (x) => x.replace('- { to: 10.1.0.0/24, via: 10.255.12.0 }', '- { to: 10.9.0.0/24, via: 10.255.12.0 }').replace('- { to: 10.2.0.0/24, via: 10.255.12.1 }', '- { to: 10.9.0.0/24, via: 10.255.12.1 }'));
  const lm = routingModel(looped.desired, label(looped.project));
  t.regex(walk(lm, 'triangle-h1-1', 4, ip('10.9.0.1').value).why!, /^routing loop through r1$/);
});
