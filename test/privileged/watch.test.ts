/**
 * `tscompose watch` (develop.watch) in a throwaway host: files written on
 * the host reach the running container (initial sync, new, nested,
 * removed), ignored ones do not, sync+exec runs its command, sync+restart
 * restarts the container, and a symlink the container plants where a
 * synced directory goes is refused, never followed to the host.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath, withHost } from '../helpers/host';
import { leftovers, ok, pidOf, sh, tsc, waitFor, writeProject } from '../helpers/containers';

test('watch: sync (initial, new, nested, removed, ignored), sync+exec, sync+restart; a planted symlink is not followed; Ctrl-C leaves the containers running', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: wch
services:
  web:
    init: true
    command: ["sleep", "infinity"]
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app
          ignore: ["*.tmp", "skip/"]
          initial_sync: true
        - action: sync+exec
          path: ./conf
          target: /etc/wconf
          exec: { command: ["sh", "-c", "cat /etc/wconf/a.conf > /tmp/reloaded"] }
        - action: sync+restart
          path: ./restart.txt
          target: /restart.txt
`,
    );
    const outside = path.join(host.dir, 'outside');
    fs.mkdirSync(outside);
    fs.mkdirSync(path.join(dir, 'src'));
    fs.mkdirSync(path.join(dir, 'conf'));
    fs.writeFileSync(path.join(dir, 'src', 'a.js'), 'one\n');
    fs.writeFileSync(path.join(dir, 'src', 'old.tmp'), 'ignored\n');
    fs.writeFileSync(path.join(dir, 'restart.txt'), '0\n');
    const inWeb = (script: string) => `cd ${dir} && ${cliPath} exec -T web sh -c '${script}'`;

    await sh(host, `cd ${dir} && { ${cliPath} watch > watch.out 2>&1 & echo $! > watch.pid; }`);
    await waitFor(host, `grep -q 'Watch enabled' ${dir}/watch.out`, 'watch to start');
    t.is(await sh(host, inWeb('cat /app/a.js')), 'one', 'initial_sync copied what was there');
    t.is((await host.sh(inWeb('test -e /app/old.tmp'))).code, 1, 'an ignored file is not copied, initially either');

    fs.mkdirSync(path.join(dir, 'src', 'b'));
    fs.writeFileSync(path.join(dir, 'src', 'b', 'c.js'), 'nested\n');
    fs.writeFileSync(path.join(dir, 'src', 'new.tmp'), 'ignored\n');
    fs.mkdirSync(path.join(dir, 'src', 'skip'));
    fs.writeFileSync(path.join(dir, 'src', 'skip', 'y'), 'ignored\n');
    await waitFor(host, inWeb('grep -qx nested /app/b/c.js'), 'a new nested file to be synced');
    fs.writeFileSync(path.join(dir, 'src', 'a.js'), 'two\n');
    await waitFor(host, inWeb('grep -qx two /app/a.js'), 'a changed file to be synced');
    t.is((await host.sh(inWeb('test -e /app/new.tmp || test -e /app/skip/y'))).code, 1, 'ignored changes are not synced');

    fs.rmSync(path.join(dir, 'src', 'a.js'));
    await waitFor(host, inWeb('! test -e /app/a.js'), 'a removed file to be removed');

    fs.writeFileSync(path.join(dir, 'conf', 'a.conf'), 'level=3\n');
    await waitFor(host, inWeb('grep -qx level=3 /tmp/reloaded'), 'sync+exec to run its command after the sync');

    // The container plants /app/evil -> the host directory; a sync into it must not write there.
    await sh(host, inWeb(`ln -s ${outside} /app/evil`));
    fs.mkdirSync(path.join(dir, 'src', 'evil'));
    fs.writeFileSync(path.join(dir, 'src', 'evil', 'f'), 'escape\n');
    await waitFor(host, `grep -q 'evil.*not followed' ${dir}/watch.out`, 'the sync to refuse the planted symlink');
    t.deepEqual(fs.readdirSync(outside), [], 'nothing was written through the container\'s symlink');

    const before = await pidOf(host, 'wch', 'wch-web-1');
    fs.writeFileSync(path.join(dir, 'restart.txt'), '1\n');
    await waitFor(host, `grep -q 'Restarting service "web"' ${dir}/watch.out && test "$(cut -d' ' -f1 /run/tscompose/wch/containers/wch-web-1/init.pid)" != ${before}`, 'sync+restart to restart the container');
    await waitFor(host, inWeb('grep -qx 1 /restart.txt'), 'the restarted container to have the synced file');

    await sh(host, `kill -INT $(cat ${dir}/watch.pid); while kill -0 $(cat ${dir}/watch.pid) 2>/dev/null; do sleep 0.05; done`);
    t.regex(fs.readFileSync(path.join(dir, 'watch.out'), 'utf8'), /Watch stopped/);
    t.is(JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout)[0].state, 'running', 'Ctrl-C stops watching, not the containers');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('watch refuses a project with no develop.watch, and a bad rule names its file, line and key', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, `name: wcn\nservices:\n  web:\n    command: ["sleep", "infinity"]\n`);
    const none = await tsc(host, dir, ['watch']);
    t.not(none.code, 0);
    t.regex(none.stderr, /none of the services has develop.watch/);
    fs.writeFileSync(path.join(dir, 'compose.yaml'), `name: wcn\nservices:\n  web:\n    command: ["sleep", "infinity"]\n    develop:\n      watch:\n        - action: sync\n          path: ./src\n`);
    const bad = await tsc(host, dir, ['watch']);
    t.is(bad.code, 3);
    t.regex(bad.stderr, /compose\.yaml:7:\d+ services\.web\.develop\.watch\.0: action sync needs a target/);
    t.deepEqual(await leftovers(host), []);
  });
});
