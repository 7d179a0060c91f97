import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const bin = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'tscompose');

// Node warns on stderr when it cannot load what NODE_EXTRA_CA_CERTS names: the
// warning shows whether the CLI's Node read it (see bin/tscompose for why not).
const certs = { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/tsc-extra-certs.pem' };

test('bin/tscompose starts Node without NODE_EXTRA_CA_CERTS', (t) => {
  const r = spawnSync(bin, ['--version'], { env: certs, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^tscompose \d+\.\d+\.\d+/);
  t.notRegex(r.stderr, /extra certs/);
});

test('the same Node started with it does read it (the test above can fail)', (t) => {
  const r = spawnSync(process.execPath, [bin, '--version'], { env: certs, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stderr, /Ignoring extra certs from `\/nonexistent\/tsc-extra-certs\.pem`/);
});

test('arguments reach the CLI unchanged through the shebang', (t) => {
  const r = spawnSync(bin, ['-f', '/nonexistent dir/x  y.yaml', 'config'], { encoding: 'utf8' });
  t.is(r.status, 3);
  t.regex(r.stderr, /compose file \/nonexistent dir\/x {2}y\.yaml not found/);
});
