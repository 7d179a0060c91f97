import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBytes, jsonRenderer, plainRenderer, ttyRenderer } from '../../../src/cli/commands/pull-progress';
import type { PullEvent } from '../../../src/image/events';

const image = 'docker.io/library/nginx:latest';
const L1 = 'sha256:' + '1'.repeat(64);
const L2 = 'sha256:' + '2'.repeat(64);
const events: PullEvent[] = [
  { type: 'resolve', image, manifestDigest: 'sha256:' + 'a'.repeat(64), platform: 'linux/amd64', layers: 2 },
  { type: 'layer', image, digest: L1, phase: 'exists', bytes: 10, total: 10 },
  { type: 'layer', image, digest: L2, phase: 'downloading', bytes: 0, total: 2_000_000 },
  { type: 'layer', image, digest: L2, phase: 'downloading', bytes: 1_000_000, total: 2_000_000 },
];
const done: PullEvent[] = [
  { type: 'layer', image, digest: L2, phase: 'done', bytes: 2_000_000, total: 2_000_000 },
  { type: 'pulled', image, manifestDigest: 'sha256:' + 'a'.repeat(64), configDigest: 'sha256:' + 'c'.repeat(64), downloaded: 2_000_000, upToDate: false },
];

test('sizes as Docker prints them', (t) => {
  t.is(formatBytes(0), '0B');
  t.is(formatBytes(999), '999B');
  t.is(formatBytes(1500), '1.50kB');
  t.is(formatBytes(31_400_000), '31.4MB');
});

test('plain lines: one per layer state change, the familiar image name', (t) => {
  let out = '';
  const r = plainRenderer((s) => (out += s), false);
  for (const e of [...events, ...done]) r.event(e);
  r.close();
  t.deepEqual(out.trim().split('\n'), [
    'nginx:latest: pulling 2 layer(s) for linux/amd64 (aaaaaaaaaaaa)',
    '111111111111: already exists',
    '222222222222: downloading 2.00MB',
    '222222222222: pull complete (2.00MB)',
    `nginx:latest: downloaded 2.00MB (digest sha256:${'a'.repeat(64)})`,
  ]);
  let quiet = '';
  const q = plainRenderer((s) => (quiet += s), true);
  for (const e of events) q.event(e);
  t.is(quiet, '');
});

test('terminal: one line per layer with a bar, redrawn in place', async (t) => {
  let out = '';
  const r = ttyRenderer((s) => (out += s));
  for (const e of events) r.event(e);
  await sleep(150);
  t.regex(out, /222222222222: Downloading \[=+> +\] 1\.00MB\/2\.00MB/);
  t.regex(out, /111111111111: Already exists/);
  const before = out.length;
  for (const e of done) r.event(e);
  r.close();
  const redraw = out.slice(before);
  t.true(redraw.startsWith('\x1b[3F'), 'cursor back up over the 3 lines drawn');
  t.regex(redraw, /222222222222: Pull complete/);
  t.regex(redraw, /nginx:latest: pulled, 2\.00MB/);
});

test('--json: one object per line, every state change kept', (t) => {
  let out = '';
  const r = jsonRenderer((s) => (out += s));
  for (const e of [...events, ...done]) r.event(e);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(
    lines.filter((l) => l.type !== 'layer' || l.phase !== 'downloading' || l.bytes === 0),
    [...events, ...done].filter((e) => e.type !== 'layer' || e.phase !== 'downloading' || e.bytes === 0),
  );
});
