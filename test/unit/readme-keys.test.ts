/**
 * README's key reference stays complete: every service key tscompose
 * supports has a row in "Every service key", and every key it refuses as
 * "not supported yet" is listed in "Not supported yet".
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as keys from '../../src/compose/keys';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
const section = (title: string) => {
  const start = readme.indexOf(`### ${title}\n`);
  if (start < 0) throw new Error(`README has no "### ${title}" section`);
  const end = readme.indexOf('\n#', start + title.length + 5);
  return readme.slice(start, end < 0 ? undefined : end);
};

test('every supported service key has a row in README\'s "Every service key"', (t) => {
  const rows = new Set([...section('Every service key').matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]));
  t.deepEqual([...keys.SERVICE_KEYS.supported].filter((k) => !rows.has(k)), []);
  t.deepEqual([...rows].filter((k) => !keys.SERVICE_KEYS.supported.has(k!)), [], 'no row for a key that is not supported');
});

test('every key refused as "not supported yet" is listed in README\'s "Not supported yet"', (t) => {
  const text = section('Not supported yet');
  for (const table of Object.values(keys)) {
    if (typeof table !== 'object' || !('unsupported' in table)) continue;
    const line = text.split('\n').find((l) => l.startsWith(`- ${table.what}s: `)) ?? '';
    t.deepEqual([...table.unsupported].filter((k) => !line.includes(`\`${k}\``)), [], table.what);
  }
});
