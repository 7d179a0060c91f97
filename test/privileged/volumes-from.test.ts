/**
 * `volumes_from`: a service mounts another's bind mounts, named and
 * anonymous volumes at the same targets (the anonymous one is the other
 * container's very directory), `:ro` makes them read-only, a target of its
 * own wins, and the other service starts first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, ok, tsc, writeProject } from '../helpers/containers';

test('volumes_from: bind, named and anonymous volumes shared at the same targets, :ro read-only, own targets kept, started after', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: vf
services:
  reader:
    command: ["sleep", "1000"]
    volumes_from: [data]
    volumes: ["./mine:/own"]
  guest:
    command: ["sleep", "1000"]
    volumes_from: ["service:data:ro"]
  data:
    command: ["sh", "-c", "echo anon > /anon/a; echo named > /named/n; exec sleep 1000"]
    volumes: ["./host:/bound", "vol:/named", "/anon", "./theirs:/own"]
volumes:
  vol: {}
`,
    );
    fs.mkdirSync(path.join(dir, 'host'));
    fs.writeFileSync(path.join(dir, 'host', 'h'), 'host\n');
    fs.mkdirSync(path.join(dir, 'mine'));
    fs.writeFileSync(path.join(dir, 'mine', 'which'), 'mine\n');
    const planned = JSON.stringify(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout));
    t.true(planned.includes('"type":"anonymous","id"') && planned.includes('"owner":"vf-data-1"'), 'plan --json shows the anonymous volume taken from vf-data-1');
    await ok(host, dir, ['up', '-d']);
    const cat = async (svc: string, file: string) => (await ok(host, dir, ['exec', '-T', svc, 'sh', '-c', `until [ -e ${file} ]; do sleep 0.05; done; cat ${file}`])).stdout;
    t.is(await cat('reader', '/bound/h'), 'host\n');
    t.is(await cat('reader', '/named/n'), 'named\n');
    t.is(await cat('reader', '/anon/a'), 'anon\n');
    t.is(await cat('reader', '/own/which'), 'mine\n', 'a target the service mounts itself keeps its own mount');
    // The same directories: what the reader writes, data sees.
    await ok(host, dir, ['exec', '-T', 'reader', 'sh', '-c', 'echo back > /anon/b && echo back > /named/b && echo back > /bound/b']);
    t.is(await cat('data', '/anon/b'), 'back\n');
    t.is(await cat('data', '/named/b'), 'back\n');
    t.is(fs.readFileSync(path.join(dir, 'host', 'b'), 'utf8'), 'back\n');
    // :ro: readable, not writable.
    t.is(await cat('guest', '/anon/a'), 'anon\n');
    for (const target of ['/anon', '/named', '/bound']) {
      const w = await tsc(host, dir, ['exec', '-T', 'guest', 'sh', '-c', `echo x > ${target}/x`]);
      t.not(w.code, 0, `${target} is read-only in guest`);
      t.regex(w.stderr, /Read-only file system/);
    }
    await ok(host, dir, ['down', '-v']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('volumes_from and start order: the service it takes from is started first, even when listed after', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: vo
services:
  a:
    command: ["sleep", "1000"]
    volumes_from: [b]
  b:
    command: ["sleep", "1000"]
    volumes: ["/anon"]
`,
    );
    // Only a named: b comes with it (a dependency), and starts first.
    const r = await ok(host, dir, ['up', '-d', 'a']);
    const events = (await ok(host, dir, ['events', '--json', '--no-follow'])).stdout;
    const starts = events.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === 'start').map((e) => e.container);
    t.deepEqual(starts.filter((n) => n === 'vo-a-1' || n === 'vo-b-1'), ['vo-b-1', 'vo-a-1'], `${r.stderr}\n${events}`);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
