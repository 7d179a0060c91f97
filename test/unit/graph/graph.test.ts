import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderDot, dotString } from '../../../src/graph/dot';
import { renderHtml } from '../../../src/graph/html';
import { renderMermaid } from '../../../src/graph/mermaid';
import { renderSvg } from '../../../src/graph/svg';
import { publishedPorts, topology, type Topology } from '../../../src/graph/topology';
import type { Desired } from '../../../src/plan/model';
import { resolve } from '../../../src/plan';
import { loadProject } from '../../../src/compose';
import { emptyObserved } from '../../helpers/project';

const examplesDir = path.resolve(__dirname, '..', '..', '..', '..', 'compose-examples');
const examples = fs.readdirSync(examplesDir).filter((d) => fs.existsSync(path.join(examplesDir, d, 'compose.yaml'))).sort();

function topo(name: string): Topology {
  const dir = path.join(examplesDir, name);
  const project = loadProject({ files: [], cwd: dir, environment: {}, reader: { readText: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined) } });
  return topology(project, resolve(project, emptyObserved()));
}

const hasDot = spawnSync('dot', ['-V']).status === 0;

test('triangle: routers and hosts, six p2p links with interface and address at each end', (t) => {
  const g = topo('triangle');
  t.deepEqual(g.nodes.map((n) => `${n.label}:${n.kind}`), ['h1:host', 'h2:host', 'h3:host', 'r1:router', 'r2:router', 'r3:router']);
  const links = g.edges.filter((e) => e.kind === 'link');
  t.is(links.length, 6);
  const r1r2 = links.find((e) => e.id === 'l:r1:eth1--r2:eth1')!;
  t.is(r1r2.aLabel, 'eth1 10.255.12.0/31 fd10:ff:12::2/127');
  t.is(r1r2.bLabel, 'eth1 10.255.12.1/31 fd10:ff:12::3/127');
  t.is(r1r2.label, 'tbf rate 50mbit');
  t.true(g.nodes.find((n) => n.label === 'r1')!.details.includes('10.3.0.0/24 via 10.255.12.1 dev eth1 metric 100'));
});

test('app beside a lab: bridges are nodes, attachments are edges with the container address', (t) => {
  const g = topo('app-and-lab');
  t.deepEqual(g.nodes.filter((n) => n.kind === 'bridge').map((n) => `${n.label} ${n.sub}`), ['back 10.40.0.0/24 internal', 'front 172.18.0.0/16']);
  t.deepEqual(g.edges.filter((e) => e.kind === 'attach' && e.a === 'c:applab-db-1').map((e) => [e.b, e.aLabel]), [['n:back', 'eth0 10.40.0.20']]);
});

test('published ports are drawn as the planner decided them', (t) => {
  const desired = {
    ports: [
      { container: 'p-web-1', service: 'web', protocol: 'tcp', family: 4, hostIp: '127.0.0.1', hostPort: 8080, address: '172.18.0.2', port: 80, network: 'default', bridge: 'b', spec: '127.0.0.1:8080:80' },
      { container: 'p-web-1', service: 'web', protocol: 'udp', family: 6, hostIp: '::1', hostPort: 5353, address: 'fd01::2', port: 53, network: 'default', bridge: 'b', spec: '[::1]:5353:53/udp' },
      { container: 'p-db-1', service: 'db', protocol: 'tcp', family: 4, hostPort: 49153, address: '172.18.0.3', port: 5432, network: 'default', bridge: 'b', spec: '5432' },
    ],
  } as unknown as Desired;
  t.deepEqual(publishedPorts(desired, 'p-web-1'), ['127.0.0.1:8080→80/tcp', '[::1]:5353→53/udp']);
  t.deepEqual(publishedPorts(desired, 'p-db-1'), ['49153→5432/tcp']);
  t.deepEqual(publishedPorts(desired, 'p-other-1'), []);
});

for (const name of examples) {
  test(`example ${name}: DOT, Mermaid, SVG and HTML name every node and edge`, (t) => {
    const g = topo(name);
    const dot = renderDot(g);
    for (const n of g.nodes) t.true(dot.includes(`${dotString(n.id)} [label=`), n.id);
    t.is(dot.split('\n').filter((l) => l.includes(' -- ')).length, g.edges.length);
    if (hasDot) {
      const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
      t.is(r.status, 0, r.stderr);
      t.regex(r.stdout, /<svg/);
    } else t.log('graphviz not installed: DOT checked by structure only');
    const mermaid = renderMermaid(g);
    t.regex(mermaid, /^flowchart LR\n/);
    t.is(mermaid.split('\n').filter((l) => /^\s+n\d+ (---|===|-\.-)/.test(l)).length, g.edges.length);
    const svg = renderSvg(g);
    t.is((svg.svg.match(/<g class="node kind-/g) ?? []).length, g.nodes.length);
    t.is((svg.svg.match(/<g class="edge kind-/g) ?? []).length, g.edges.length);
    t.deepEqual(renderSvg(g).svg, svg.svg, 'the layout is deterministic');
    for (const p of svg.positions.values()) t.true(Number.isFinite(p.x) && Number.isFinite(p.y) && p.x >= 0 && p.y >= 0);
    const html = renderHtml(g);
    t.regex(html, /^<!doctype html>/);
    t.notRegex(html, /<(script|link|img)[^>]+(src|href)=/i, 'self-contained: nothing loaded from elsewhere');
    t.is((html.match(/<\/script>/g) ?? []).length, 2, 'the embedded data cannot close its script element');
  });
}

test('text from the file is escaped in every format', (t) => {
  const g: Topology = {
    project: 'p',
    nodes: [
      { id: 'c:a', kind: 'service', label: 'a"b</script>&<x>', details: ['x "y"'], ports: [] },
      { id: 'c:b', kind: 'host', label: 'b', details: [], ports: [] },
    ],
    edges: [{ id: 'e', kind: 'link', a: 'c:a', b: 'c:b', aLabel: 'eth0 "q"', label: 'tbf <rate>' }],
  };
  t.true(renderDot(g).includes('label="a\\"b</script>&<x>"'));
  t.notRegex(renderMermaid(g), /"a"b/);
  t.true(renderSvg(g).svg.includes('a&quot;b&lt;/script&gt;&amp;&lt;x&gt;'));
  const html = renderHtml(g);
  t.is((html.match(/<\/script>/g) ?? []).length, 2);
});
