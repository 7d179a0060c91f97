/**
 * `stdin_open`: the container's stdin is a pipe its shim holds open, so a
 * program that stops at end of input (a dev server, a REPL) keeps running,
 * as under `docker run -i`; without it, stdin is /dev/null and it ends.
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, ok, pidOf, sh, stateDir, waitFor, writeProject } from '../helpers/containers';

test('stdin_open: stdin is a pipe that never ends, across a restart; without it the same program reads EOF and exits', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: si
services:
  open:
    command: ["sh", "-c", "read line; echo eof; exit 3"]
    stdin_open: true
    restart: on-failure
  closed:
    command: ["sh", "-c", "read line; echo eof; exit 3"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q '"exitCode":3' ${stateDir('si', 'si-closed-1')}/exit.json`, 'the one on /dev/null to read EOF and exit');
    const pid = await pidOf(host, 'si', 'si-open-1');
    t.regex(await sh(host, `readlink /proc/${pid}/fd/0`), /^pipe:/);
    await new Promise((r) => setTimeout(r, 1000));
    t.is(await sh(host, `test -d /proc/${pid} && echo alive`), 'alive', 'still waiting for input');
    // A restart (kill from outside; on-failure brings it back) gets the same never-ending stdin.
    await sh(host, `kill -KILL ${pid}`);
    await waitFor(host, `grep -q '"restartCount":1,"restarting":false' ${stateDir('si', 'si-open-1')}/restart.json`, 'the restart');
    const again = await pidOf(host, 'si', 'si-open-1');
    await new Promise((r) => setTimeout(r, 500));
    t.is(await sh(host, `test -d /proc/${again} && readlink /proc/${again}/fd/0`).then((s) => s.slice(0, 5)), 'pipe:');
    t.false((await sh(host, `cat ${stateDir('si', 'si-open-1')}/exit.json 2>/dev/null || true`)).includes('"exitCode":3'));
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
