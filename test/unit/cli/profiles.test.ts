/** `--profile` (global, repeatable), COMPOSE_PROFILES, and services named on the command line. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const bin = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'tscompose');

function services(t: { teardown(fn: () => void): void }, args: string[], env: Record<string, string> = {}): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsc-prof-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web: {}\n  db:\n    profiles: [dev]\n  dbg:\n    profiles: [debug]\n');
  const e: Record<string, string | undefined> = { ...process.env, ...env };
  if (!('COMPOSE_PROFILES' in env)) delete e.COMPOSE_PROFILES;
  const r = spawnSync(bin, [...args, 'config', '--services'], { cwd: dir, env: e, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('--profile and COMPOSE_PROFILES enable services of a profile', (t) => {
  t.deepEqual(services(t, []), ['web']);
  t.deepEqual(services(t, ['--profile', 'dev']), ['db', 'web']);
  t.deepEqual(services(t, ['--profile', 'dev', '--profile', 'debug']), ['db', 'dbg', 'web']);
  t.deepEqual(services(t, [], { COMPOSE_PROFILES: 'debug' }), ['dbg', 'web']);
});
