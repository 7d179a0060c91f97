import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setFrozen, V1Freezer, V2Freezer } from '../../../src/sys/cgroup/freezer';

const cg = { parent: '', path: 'tscompose/p/a-1' };

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-freezer-'));
  for (const [f, v] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, cg.path, f)), { recursive: true });
    fs.writeFileSync(path.join(root, cg.path, f), v);
  }
  return root;
}

test('v1: freezer.state FROZEN / THAWED / FREEZING; a missing cgroup has no state', async (t) => {
  const root = tree({ 'freezer.state': 'THAWED\n' });
  const f = new V1Freezer(root);
  t.is(f.state(cg), 'thawed');
  // A plain file keeps what is written: FROZEN at once, as the kernel says once every task is frozen.
  await setFrozen(f, cg, true);
  t.is(fs.readFileSync(path.join(root, cg.path, 'freezer.state'), 'utf8'), 'FROZEN');
  fs.writeFileSync(path.join(root, cg.path, 'freezer.state'), 'FREEZING\n');
  t.is(f.state(cg), 'freezing');
  t.is(f.state({ parent: '', path: 'nope' }), undefined);
  await t.throwsAsync(setFrozen(f, { parent: '', path: 'nope' }, true), { message: /no freezer file/ });
});

test('v2: cgroup.freeze asks, cgroup.events "frozen 1" says done; a freeze that never completes is undone with EBUSY', async (t) => {
  const root = tree({ 'cgroup.freeze': '0\n', 'cgroup.events': 'populated 1\nfrozen 0\n' });
  const f = new V2Freezer(root);
  t.is(f.state(cg), 'thawed');
  fs.writeFileSync(path.join(root, cg.path, 'cgroup.freeze'), '1\n');
  t.is(f.state(cg), 'freezing');
  fs.writeFileSync(path.join(root, cg.path, 'cgroup.events'), 'populated 1\nfrozen 1\n');
  t.is(f.state(cg), 'frozen');
  fs.writeFileSync(path.join(root, cg.path, 'cgroup.events'), 'populated 1\nfrozen 0\n');
  await t.throwsAsync(setFrozen(f, cg, true, 50), { code: 'EBUSY' });
  t.is(fs.readFileSync(path.join(root, cg.path, 'cgroup.freeze'), 'utf8'), '0', 'the request was undone');
});
