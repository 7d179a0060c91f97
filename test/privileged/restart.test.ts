/**
 * Restart policies, carried out by each container's shim (no daemon, no
 * CLI): which exits restart, Docker's doubling back-off, OOM kills, a kill
 * from outside, and stops by the user that no policy undoes.
 */
import test from 'ava';
import type { Host } from '../helpers/host';
import { withHost } from '../helpers/host';
import { leftovers, ok, pidOf, sh, stateDir, waitFor, writeProject } from '../helpers/containers';
import { reboot } from '../helpers/reboot';

interface PsRow {
  name: string;
  state: string;
  status: string;
  exitCode: number | null;
  oomKilled: boolean;
  restartCount: number;
}
const psJson = async (host: Host, dir: string) => JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout) as PsRow[];
const row = async (host: Host, dir: string, name: string) => (await psJson(host, dir)).find((r) => r.name === name)!;

interface Event {
  time: string;
  type: string;
  container: string;
  restartCount?: number;
  exitCode?: number;
}
const events = async (host: Host, project: string) =>
  (await sh(host, `cat /run/tscompose/${project}/events.jsonl`)).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
/** restart.json says `n` restarts were made and none is pending. */
const restarted = (project: string, container: string, n: number) =>
  `grep -qx '{"restartCount":${n},"restarting":false}' ${stateDir(project, container)}/restart.json && test -e ${stateDir(project, container)}/exit.json`;

test('on-failure:3 restarts a failing process three times with a doubling back-off, then leaves it exited', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: rsf
services:
  fail:
    command: ["sh", "-c", "echo run; exit 3"]
    restart: on-failure:3
  ok:
    command: ["true"]
    restart: on-failure
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, restarted('rsf', 'rsf-fail-1', 3), 'three restarts, then the exit');
    const r = await row(host, dir, 'rsf-fail-1');
    t.is(r.state, 'exited');
    t.is(r.exitCode, 3);
    t.is(r.restartCount, 3);
    const log = await ok(host, dir, ['logs', 'fail']);
    t.is(log.stdout.match(/run/g)?.length, 4, 'the first run and three more, in one log');
    const ev = (await events(host, 'rsf')).filter((e) => e.container === 'rsf-fail-1');
    t.deepEqual(
      ev.map((e) => e.type),
      ['create', 'start', 'die', 'restart', 'die', 'restart', 'die', 'restart', 'die'],
    );
    // Each back-off (die → restart event, which also takes the start itself) is at least Docker's 100, 200, 400 ms.
    const gaps = ev.flatMap((e, i) => (e.type === 'restart' ? [Date.parse(e.time) - Date.parse(ev[i - 1]!.time)] : []));
    t.is(gaps.length, 3);
    gaps.forEach((g, i) => t.true(g >= 100 * 2 ** i - 2, `gaps ${gaps}`));
    // A clean exit is no failure.
    const good = await row(host, dir, 'rsf-ok-1');
    t.is(good.exitCode, 0);
    t.is(good.restartCount, 0);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('always: a clean exit and a SIGKILL from outside restart it; stop is never undone, start runs it again', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: rsa
services:
  loop:
    command: ["sh", "-c", "sleep 0.3; exit 0"]
    restart: always
  srv:
    command: ["sleep", "infinity"]
    restart: always
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q '"restartCount":[2-9]' ${stateDir('rsa', 'rsa-loop-1')}/restart.json`, 'exit 0 to be restarted twice');
    const before = await pidOf(host, 'rsa', 'rsa-srv-1');
    await sh(host, `kill -KILL ${before}`);
    await waitFor(host, `grep -q '"restartCount":1,"restarting":false' ${stateDir('rsa', 'rsa-srv-1')}/restart.json`, 'the killed one to run again');
    const after = await pidOf(host, 'rsa', 'rsa-srv-1');
    t.not(after, before);
    const srv = await row(host, dir, 'rsa-srv-1');
    t.is(srv.state, 'running');
    t.is(srv.restartCount, 1);

    await ok(host, dir, ['stop']);
    const stopped = await psJson(host, dir);
    t.deepEqual(stopped.map((r) => r.state), ['exited', 'exited']);
    // Longer than any back-off so far: a policy that ignored the stop would have started them.
    await new Promise((r) => setTimeout(r, 1500));
    t.deepEqual((await psJson(host, dir)).map((r) => r.state), ['exited', 'exited']);
    t.is((await sh(host, `ps -e -o comm= | grep -c '^sleep$' || true`)).trim(), '1', 'only the host holder sleeps');

    await ok(host, dir, ['start']);
    t.is((await row(host, dir, 'rsa-srv-1')).state, 'running');
    // kill by the user is a stop too, as in Docker.
    await ok(host, dir, ['kill', 'srv']);
    await waitFor(host, `test -e ${stateDir('rsa', 'rsa-srv-1')}/exit.json`, 'the killed container to exit');
    await new Promise((r) => setTimeout(r, 500));
    t.is((await row(host, dir, 'rsa-srv-1')).state, 'exited');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('x-restart-on-unhealthy: an unhealthy container is killed and restarted by its policy; without the key it stays unhealthy and running, as in Docker', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: rsu
services:
  sick:
    # Sick on its first run only (the writable layer, with the marker, survives a restart).
    command: ["sh", "-c", "if [ -e /tsc-ran ]; then rm -f /tsc-sick; else touch /tsc-ran /tsc-sick; fi; exec sleep infinity"]
    healthcheck: { test: ["CMD-SHELL", "test ! -e /tsc-sick"], interval: 100ms, retries: 2 }
    restart: always
    x-restart-on-unhealthy: true
  plain:
    command: ["sh", "-c", "touch /tsc-sick; exec sleep infinity"]
    healthcheck: { test: ["CMD-SHELL", "test ! -e /tsc-sick"], interval: 100ms, retries: 2 }
    restart: always
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -qx '{"restartCount":1,"restarting":false}' ${stateDir('rsu', 'rsu-sick-1')}/restart.json`, 'the unhealthy container to be restarted');
    await waitFor(host, `grep -q '"status":"healthy"' ${stateDir('rsu', 'rsu-sick-1')}/health.json`, 'its second run to be healthy');
    const seen = (await events(host, 'rsu')).filter((e) => e.container === 'rsu-sick-1').map((e) => [e.type, (e as any).status ?? (e as any).reason ?? e.exitCode ?? ''].join(' ').trim());
    const order = ['health_status unhealthy', 'kill unhealthy', 'die 137', 'restart', 'health_status healthy'];
    t.deepEqual(seen.filter((s) => order.some((o) => s.startsWith(o))), order, seen.join(', '));
    const sick = await row(host, dir, 'rsu-sick-1');
    t.is(sick.state, 'running');
    t.is(sick.restartCount, 1);

    await waitFor(host, `grep -q '"status":"unhealthy"' ${stateDir('rsu', 'rsu-plain-1')}/health.json`, 'the other one to be unhealthy');
    await new Promise((r) => setTimeout(r, 1000));
    const plain = await row(host, dir, 'rsu-plain-1');
    t.is(plain.state, 'running', 'no key: an unhealthy container is left running');
    t.is(plain.restartCount, 0);
    await ok(host, dir, ['down']);

    const none = writeProject(host, `name: rsn\nservices:\n  web:\n    command: ["sleep", "infinity"]\n    restart: always\n    x-restart-on-unhealthy: true\n`, 'none');
    const r = await host.tscompose(['up', '-d'], { cwd: none });
    t.not(r.code, 0);
    t.regex(r.stderr, /x-restart-on-unhealthy.*no healthcheck/);
    t.deepEqual(await leftovers(host), []);
  });
});

test('an OOM-killed container follows its policy; ps says so', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: rso
services:
  hog:
    mem_limit: 16m
    memswap_limit: 16m
    command: ["sh", "-c", "echo run; x=$$(head -c 200000000 /dev/zero | tr '\\\\0' a); echo survived"]
    restart: on-failure:1
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, restarted('rso', 'rso-hog-1', 1), 'one restart, then the exit');
    const r = await row(host, dir, 'rso-hog-1');
    t.is(r.restartCount, 1);
    t.true(r.oomKilled, r.status);
    t.is((await ok(host, dir, ['logs', 'hog'])).stdout.match(/run/g)?.length, 2);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('during a back-off: ps says restarting, up leaves it to the shim, down ends it at once', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: rsb
services:
  slow:
    command: ["sh", "-c", "exit 1"]
    deploy:
      restart_policy: { condition: on-failure, delay: 30s }
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q '"restarting":true' ${stateDir('rsb', 'rsb-slow-1')}/restart.json`, 'the back-off');
    const r = await row(host, dir, 'rsb-slow-1');
    t.is(r.state, 'restarting');
    t.regex(r.status, /^restarting \(1\)/);
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.deepEqual(plan.waves.flat(), [], 'the shim will start it: up has nothing to do');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('after a reboot, boot brings back always and unless-stopped containers, not one the user stopped nor one without a policy', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: rsr
services:
  always:
    command: ["sh", "-c", "echo $$$$ > /tmp/pid; exec sleep infinity"]
    restart: always
  unless:
    command: ["sleep", "infinity"]
    restart: unless-stopped
  stopped:
    command: ["sleep", "infinity"]
    restart: unless-stopped
  plain:
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    await ok(host, dir, ['stop', 'stopped']);
    await reboot(host);
    t.deepEqual((await psJson(host, dir)).map((r) => r.state), [], 'the old boot left no state');
    await ok(host, dir, ['boot']);
    const states = Object.fromEntries((await psJson(host, dir)).map((r) => [r.name, r.state]));
    t.deepEqual(states, { 'rsr-always-1': 'running', 'rsr-unless-1': 'running' });
    // The command ran again, from the recorded file ($$ escaped as written).
    t.regex((await ok(host, dir, ['exec', '-T', 'always', 'cat', '/tmp/pid'])).stdout, /^\d+\n$/);
    // A second boot changes nothing; up brings the rest; down forgets the project.
    await ok(host, dir, ['boot']);
    await ok(host, dir, ['up', '-d']);
    t.is((await psJson(host, dir)).filter((r) => r.state === 'running').length, 4);
    await ok(host, dir, ['down']);
    t.is((await sh(host, 'ls /var/lib/tscompose/projects')).trim(), '');
    t.deepEqual(await leftovers(host), []);
  });
});

test('boot --unit prints a oneshot systemd unit running boot', async (t) => {
  await withHost(t, async (host) => {
    const unit = (await host.tscompose(['boot', '--unit'])).stdout;
    t.regex(unit, /^ExecStart=\/\S+\/bin\/tscompose boot$/m);
    t.regex(unit, /^Type=oneshot$/m);
  });
});
