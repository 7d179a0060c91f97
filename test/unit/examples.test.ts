/**
 * Every compose example is a fixture: it loads, it plans against a fresh
 * machine, and its plan is pinned by a snapshot, as JSON and as the text
 * `tscompose plan` prints (the .md beside the .snap: review its diff when a
 * change moves it: `npx ava --update-snapshots`).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderPlan } from '../../src/cli/render';
import { plan, resolve } from '../../src/plan';
import { loadProject } from '../../src/compose';
import { emptyObserved } from '../helpers/project';

const root = path.resolve(__dirname, '..', '..', '..');
const examplesDir = path.join(root, 'compose-examples');
const examples = fs
  .readdirSync(examplesDir)
  .filter((d) => fs.existsSync(path.join(examplesDir, d, 'compose.yaml')))
  .sort();

test('there are examples', (t) => {
  t.true(examples.includes('quickstart'));
});

for (const name of examples) {
  test(`example ${name}: loads, plans, and its plan is stable`, (t) => {
    const dir = path.join(examplesDir, name);
    const project = loadProject({
      files: [],
      cwd: dir,
      environment: {},
      reader: { readText: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined) },
    });
    const observed = emptyObserved();
    const p = plan(resolve(project, observed), observed);
    const seen = new Set<string>();
    for (const wave of p.waves) {
      for (const a of wave) t.true(a.after.every((d) => seen.has(d)), `${a.id} runs after its dependencies`);
      for (const a of wave) seen.add(a.id);
    }
    t.snapshot(p);
    t.snapshot(renderPlan(p).split('\n'), 'the plan as tscompose plan prints it');
  });
}
