/**
 * `up --scale SERVICE=N`: N replicas named PROJECT-SERVICE-1..N; scaling
 * down removes the highest numbers and leaves the others running as they
 * were; scaling up again adds the missing numbers.
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, ok, pidOf, sh, tsc, writeProject } from '../helpers/containers';

const alive = async (host: Parameters<typeof sh>[0], pid: number) => (await host.sh(`test -d /proc/${pid}`)).code === 0;

test('up --scale: replicas 1..N, down to 1 removes the highest numbers, up to 2 adds number 2; the first replica is never touched', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, 'name: sc\nservices:\n  web:\n    command: ["sleep", "1000"]\n  db:\n    command: ["sleep", "1000"]\n    scale: 2\n');
    const dry = JSON.stringify(JSON.parse((await ok(host, dir, ['up', '--dry-run', '--json', '--scale', 'web=3'])).stdout));
    for (const n of [1, 2, 3]) t.true(dry.includes(`"sc-web-${n}"`), `the plan starts sc-web-${n}`);
    t.false(dry.includes('"sc-web-4"'));
    const r = JSON.parse((await ok(host, dir, ['up', '-d', '--json', '--scale', 'web=3', '--scale', 'db=1'])).stdout);
    t.deepEqual(r.containers, ['sc-db-1', 'sc-web-1', 'sc-web-2', 'sc-web-3']);
    const pids = await Promise.all([1, 2, 3].map((n) => pidOf(host, 'sc', `sc-web-${n}`)));
    for (const p of pids) t.true(await alive(host, p));

    await ok(host, dir, ['up', '-d', '--scale', 'web=1', '--scale', 'db=1']);
    t.true(await alive(host, pids[0]!), 'sc-web-1 kept running');
    t.is(await pidOf(host, 'sc', 'sc-web-1'), pids[0]!);
    t.false(await alive(host, pids[1]!), 'sc-web-2 stopped');
    t.false(await alive(host, pids[2]!), 'sc-web-3 stopped');
    t.is(await sh(host, 'ls /run/tscompose/sc/containers'), 'sc-db-1\nsc-web-1');
    const ps = (await ok(host, dir, ['ps'])).stdout;
    t.false(ps.includes('sc-web-2') || ps.includes('sc-web-3'));

    await ok(host, dir, ['up', '-d', '--scale', 'web=2', '--scale', 'db=1']);
    t.is(await pidOf(host, 'sc', 'sc-web-1'), pids[0]!);
    t.true(await alive(host, await pidOf(host, 'sc', 'sc-web-2')));
    t.is(await sh(host, 'ls /run/tscompose/sc/containers'), 'sc-db-1\nsc-web-1\nsc-web-2');

    const bad = await tsc(host, dir, ['up', '-d', '--scale', 'nope=2']);
    t.not(bad.code, 0);
    t.regex(bad.stderr, /--scale nope=2: no service "nope"/);
    const worse = await tsc(host, dir, ['up', '-d', '--scale', 'web=two']);
    t.not(worse.code, 0);
    t.regex(worse.stderr, /--scale wants SERVICE=N/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('up --scale with a fixed container_name is refused at the key, before anything is made', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, 'name: sn\nservices:\n  web:\n    command: ["sleep", "1000"]\n    container_name: fixed\n');
    const r = await tsc(host, dir, ['up', '-d', '--scale', 'web=2']);
    t.not(r.code, 0);
    t.regex(r.stderr, /compose\.yaml:5:\d+ services\.web\.container_name: a fixed container_name cannot be used with 2 replicas/);
    t.deepEqual(await leftovers(host), []);
  });
});
