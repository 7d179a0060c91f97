/**
 * The loader's warnings reach stderr through the CLI, once per unset
 * variable, on success and when the load fails (they often explain the error).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const bin = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'tscompose');

function run(t: { teardown(fn: () => void): void }, text: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsc-warn-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'compose.yaml'), text);
  const env = { ...process.env };
  delete env.ipv4;
  delete env.H;
  return spawnSync(bin, ['config'], { cwd: dir, env, encoding: 'utf8' });
}

test('an unset variable is a warning on stderr, once, and config still prints', (t) => {
  const r = run(t, 'services:\n  a:\n    hostname: h${H}\n    domainname: d${H}\n');
  t.is(r.status, 0, r.stderr);
  t.deepEqual(r.stderr.split('\n').filter(Boolean), [
    'tscompose: warning: compose.yaml:3:15 services.a.hostname: The "H" variable is not set. Defaulting to a blank string.',
  ]);
  t.regex(r.stdout, /hostname: h\n/);
});

test('when the emptied value is an error, stderr has the warning and the error naming the variable', (t) => {
  const r = run(t, 'services:\n  a:\n    networks:\n      n:\n        ipv4_address: ${ipv4}\nnetworks:\n  n:\n    ipam:\n      config: [{subnet: 10.9.0.0/24}]\n');
  t.is(r.status, 3);
  t.deepEqual(r.stderr.split('\n').filter(Boolean), [
    'tscompose: warning: compose.yaml:5:23 services.a.networks.n.ipv4_address: The "ipv4" variable is not set. Defaulting to a blank string.',
    'tscompose: compose.yaml:5:9 services.a.networks.n.ipv4_address: "" is not an IPv4 address ("ipv4" is not set, so it became a blank string)',
  ]);
});
