/**
 * `secrets` and `configs` end to end in a throwaway host: from a file, from
 * the environment (.env) and from `content`; short and long syntax; the
 * container sees them read-only with the owner and mode asked for; on the
 * host they sit in a root-only directory; a printed plan never shows a
 * secret's value; `down` removes them; a missing file fails naming it.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { leftovers, ok, pidOf, sh, stateDir, tsc, writeProject } from '../helpers/containers';

test('secrets and configs: mounted read-only with their owner and mode, root-only on the host, hidden in plans, gone after down', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: sec
services:
  db:
    command: ["sleep", "infinity"]
    secrets:
      - db-password
      - source: api-token
        target: token
        uid: "1000"
        gid: "1001"
        mode: 0440
    configs:
      - app-config
      - source: inline
        target: /etc/app/inline.conf
        mode: 0400
secrets:
  db-password: { file: ./db-password.txt }
  api-token: { environment: API_TOKEN }
configs:
  app-config: { file: ./app.conf }
  inline: { content: "level=debug" }
`,
    );
    fs.writeFileSync(path.join(dir, 'db-password.txt'), 's3cret-from-file\n');
    fs.writeFileSync(path.join(dir, 'app.conf'), 'color=blue\n');
    fs.writeFileSync(path.join(dir, '.env'), 'API_TOKEN=tok-from-env\n');
    const plan = await ok(host, dir, ['plan', '--json']);
    t.false(plan.stdout.includes('tok-from-env'), 'a plan never prints a secret');
    t.true(plan.stdout.includes('level=debug'), 'a config is not secret');
    await ok(host, dir, ['up', '-d']);
    const pid = await pidOf(host, 'sec', 'sec-db-1');
    const inside = (p: string) => `/proc/${pid}/root${p}`;
    t.is(await sh(host, `cat ${inside('/run/secrets/db-password')}`), 's3cret-from-file');
    t.is(await sh(host, `cat ${inside('/run/secrets/token')}`), 'tok-from-env');
    t.is(await sh(host, `cat ${inside('/app-config')}`), 'color=blue');
    t.is(await sh(host, `cat ${inside('/etc/app/inline.conf')}`), 'level=debug');
    t.is(await sh(host, `stat -c '%u:%g %a' ${inside('/run/secrets/token')}`), '1000:1001 440');
    t.is(await sh(host, `stat -c '%u:%g %a' ${inside('/run/secrets/db-password')}`), '0:0 444', "Docker's defaults");
    t.is(await sh(host, `stat -c '%a' ${inside('/etc/app/inline.conf')}`), '400');
    const write = await host.sh(`nsenter -t ${pid} -m sh -c 'echo x > /run/secrets/db-password'`);
    t.not(write.code, 0, 'read-only in the container');
    t.is(await sh(host, `stat -c '%a' ${stateDir('sec', 'sec-db-1')}/files`), '700', 'root-only on the host');
    const config = (await ok(host, dir, ['config'])).stdout;
    t.regex(config, /api-token:\n\s+environment: API_TOKEN/, 'config names the variable, not its value');
    t.false(config.includes('tok-from-env'));
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);

    const missing = writeProject(host, `name: secmiss\nservices:\n  a:\n    command: ["sleep", "1"]\n    secrets: [gone]\nsecrets:\n  gone: { file: ./nope.txt }\n`, 'missing');
    const r = await tsc(host, missing, ['up', '-d']);
    t.is(r.code, 3);
    t.regex(r.stderr, /compose\.yaml:7:\d+ secrets\.gone\.file: .*nope\.txt is missing/);
    t.deepEqual(await leftovers(host), [], 'nothing was made');
    t.is(await sh(host, 'ls /run/tscompose | grep secmiss || true'), '');
  });
});
