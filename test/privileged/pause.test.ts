/**
 * `pause`/`unpause`: the cgroup freezer, v1 (this machine's freezer
 * hierarchy, through the CLI) and v2 (cgroup.freeze on the cgroup2 mount,
 * which a hybrid host has too: through the freezer module directly).
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { leftovers, ok, sh, tsc, writeProject } from '../helpers/containers';
import { setFrozen, V2Freezer } from '../../src/sys/cgroup/freezer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('pause freezes every process of the container, ps says paused, unpause resumes it, stop works while paused', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: pz
services:
  tick:
    command: ["sh", "-c", "i=0; while :; do i=$$((i+1)); echo $$i; sleep 0.02; done"]
  other:
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const cg = JSON.parse(await sh(host, 'cat /run/tscompose/pz/state.json')).containers['pz-tick-1'].launch.cgroup as string;
    const freezerState = () => sh(host, `cat /sys/fs/cgroup/freezer/${cg}/freezer.state`);
    t.is(await freezerState(), 'THAWED', 'the container is in a freezer cgroup of its own');
    const count = async () => (await ok(host, dir, ['logs', '--no-prefix', 'tick'])).stdout.split('\n').filter(Boolean).length;

    await sleep(200);
    await ok(host, dir, ['pause', 'tick']);
    t.is(await freezerState(), 'FROZEN');
    const frozenAt = await count();
    t.true(frozenAt > 0, 'it counted before');
    await sleep(400);
    t.is(await count(), frozenAt, 'no line written while frozen');
    const rows = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout) as Array<{ name: string; state: string; status: string }>;
    t.is(rows.find((r) => r.name === 'pz-tick-1')!.state, 'paused');
    t.regex(rows.find((r) => r.name === 'pz-tick-1')!.status, /^paused/);
    t.is(rows.find((r) => r.name === 'pz-other-1')!.state, 'running', 'only the service named');
    t.is((await tsc(host, dir, ['pause', 'tick'])).code, 1, 'already paused: nothing done');

    await ok(host, dir, ['unpause', 'tick']);
    t.is(await freezerState(), 'THAWED');
    await sleep(300);
    t.true((await count()) > frozenAt, 'it counts on');
    t.is((await tsc(host, dir, ['unpause'])).code, 1, 'nothing paused');

    // A paused container stops (its stop signal is handled once thawed) and down leaves nothing.
    await ok(host, dir, ['pause']);
    const stop = await tsc(host, dir, ['stop', '-t', '5', 'tick']);
    t.is(stop.code, 0, stop.stderr);
    const types = (await ok(host, dir, ['events', '--no-follow', '--json', 'tick'])).stdout.trim().split('\n').map((l) => JSON.parse(l).type);
    t.deepEqual(types.filter((x: string) => ['pause', 'unpause', 'stop'].includes(x)), ['pause', 'unpause', 'pause', 'unpause', 'stop']);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('v2 freezer: cgroup.freeze on the cgroup2 mount freezes and thaws a process', async (t) => {
  const mount = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2')?.[1];
  if (!mount) {
    t.pass('no cgroup2 mount on this machine');
    return;
  }
  const name = `tsc-test-freeze-${process.pid}`;
  const dir = path.join(mount, name);
  fs.mkdirSync(dir);
  const child = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(child.pid));
    const f = new V2Freezer(mount);
    const cg = { parent: '', path: name };
    t.is(f.state(cg), 'thawed');
    await setFrozen(f, cg, true);
    t.is(f.state(cg), 'frozen');
    const ticks = () => Number(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[11]);
    const before = ticks();
    await sleep(300);
    t.is(ticks(), before, 'a busy loop gets no CPU while frozen');
    await setFrozen(f, cg, false);
    t.is(f.state(cg), 'thawed');
    await sleep(300);
    t.true(ticks() > before, 'it runs again');
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(dir);
        break;
      } catch {
        await sleep(20);
      }
    }
  }
});

test('a paused container’s healthcheck is suspended: it does not turn unhealthy while frozen', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: pzh
services:
  svc:
    init: true
    command: ["sleep", "infinity"]
    healthcheck:
      test: ["CMD", "true"]
      interval: 100ms
      timeout: 1s
      retries: 1
`,
    );
    // The pause outlasts the timeout: a check frozen with the container, or
    // started against it, would time out; a 1 s timeout is far above what
    // \`true\` takes even on a loaded machine (200 ms was not, in CI).
    await ok(host, dir, ['up', '--wait']);
    const health = async () => (JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout) as Array<{ health: { status: string } | null }>)[0]!.health?.status;
    t.is(await health(), 'healthy');
    await ok(host, dir, ['pause']);
    await sleep(3000);
    await ok(host, dir, ['unpause']);
    t.is(await health(), 'healthy', 'no check timed out against the frozen container');
    const events = (await ok(host, dir, ['events', '--no-follow', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    t.false(events.some((e) => e.type === 'health_status' && e.status === 'unhealthy'), JSON.stringify(events.filter((e) => e.type === 'health_status')));
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a container started before it had a freezer cgroup: exec and restart still work, pause says why it cannot', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, `name: pzo\nservices:\n  old:\n    init: true\n    command: ["sleep", "infinity"]\n`);
    await ok(host, dir, ['up', '-d']);
    const cg = JSON.parse(await sh(host, 'cat /run/tscompose/pzo/state.json')).containers['pzo-old-1'].launch.cgroup as string;
    // What an older tscompose left: no directory in the freezer hierarchy.
    const f = `/sys/fs/cgroup/freezer/${cg}`;
    await sh(host, `for p in $(cat ${f}/cgroup.procs); do echo $p > /sys/fs/cgroup/freezer/cgroup.procs; done; rmdir ${f}`);
    t.is((await ok(host, dir, ['exec', '-T', 'old', 'sh', '-c', 'echo in'])).stdout, 'in\n');
    const p = await tsc(host, dir, ['pause']);
    t.is(p.code, 1);
    t.regex(p.stderr, /pause pzo-old-1: .*no freezer file .*recreated/);
    await ok(host, dir, ['restart']);
    t.is(JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout)[0].state, 'running');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
