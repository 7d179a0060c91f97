/**
 * `tscompose graph` for every example, in a throwaway host: DOT parsed by
 * Graphviz (`dot`), and the HTML page and the SVG opened in a real headless
 * Chromium (Debian's `chromium`): the page's script ran, the browser laid
 * out every node, and every node and link is in the document.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, run, withHost } from '../helpers/host';

const examplesDir = path.join(repoRoot, 'compose-examples');
const examples = fs.readdirSync(examplesDir).filter((d) => fs.existsSync(path.join(examplesDir, d, 'compose.yaml'))).sort();

const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
const hasDot = spawnSync('sh', ['-c', 'command -v dot']).status === 0;

/** The DOM after the page's scripts ran, from a headless Chromium with a fresh profile and no network. */
async function dumpDom(file: string, profile: string): Promise<string> {
  const r = await run(
    [
      chromium!,
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      '--virtual-time-budget=5000',
      '--dump-dom',
      `file://${file}`,
    ],
    { timeoutMs: 90_000 },
  );
  if (r.code !== 0) throw new Error(`chromium exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

test('chromium and graphviz are installed (scripts/setup)', (t) => {
  t.truthy(chromium, 'chromium is missing: run scripts/setup');
  t.true(hasDot, 'graphviz (dot) is missing: run scripts/setup');
});

for (const name of examples) {
  test(`graph of example ${name}: DOT parses, the HTML and SVG render in Chromium with every node and link`, async (t) => {
    if (!chromium) return t.fail('chromium is missing: run scripts/setup');
    await withHost(t, async (host) => {
      const dir = path.join(examplesDir, name);
      const out = (f: string) => path.join(host.dir, f);
      for (const format of ['dot', 'mermaid', 'svg', 'html']) {
        const r = await host.tscompose(['graph', '--format', format, '-o', out(`g.${format}`)], { cwd: dir });
        t.is(r.code, 0, r.stderr);
      }
      const html = fs.readFileSync(out('g.html'), 'utf8');
      const data = JSON.parse(/<script type="application\/json" id="tsc-data">(.*?)<\/script>/s.exec(html)![1]!);
      const nodes = Object.keys(data.nodes).length;
      const edges = data.edges.length;
      t.true(nodes > 0 && edges > 0);

      if (hasDot) {
        const dot = spawnSync('dot', ['-Tsvg', out('g.dot')], { encoding: 'utf8' });
        t.is(dot.status, 0, dot.stderr);
        // Graphviz drew one node per container and bridge, one edge per attachment and link.
        t.is((dot.stdout.match(/class="node"/g) ?? []).length, nodes);
        t.is((dot.stdout.match(/class="edge"/g) ?? []).length, edges);
      }
      const dom = await dumpDom(out('g.html'), out('profile-html'));
      t.regex(dom, /<body[^>]* data-ready="1"/, 'the page script ran');
      t.is(/data-rendered="(\d+)"/.exec(dom)?.[1], String(nodes), 'every node has a laid-out box');
      t.is((dom.match(/<g class="node kind-/g) ?? []).length, nodes);
      t.is((dom.match(/<g class="edge kind-/g) ?? []).length, edges);
      for (const label of Object.values<any>(data.nodes).map((n) => n.label)) t.true(dom.includes(`>${label}</text>`), label);

      const svgDom = await dumpDom(out('g.svg'), out('profile-svg'));
      t.notRegex(svgDom, /parsererror/, 'the SVG is well-formed');
      t.is((svgDom.match(/<g class="node kind-/g) ?? []).length, nodes);
      t.regex(fs.readFileSync(out('g.mermaid'), 'utf8'), /^flowchart LR/);
    });
  });
}
