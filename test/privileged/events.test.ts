/** `events`: the shims' record of starts, exits and restarts, by service, as it happens. */
import test from 'ava';
import { cliPath, withHost } from '../helpers/host';
import { leftovers, ok, pidOf, sh, stateDir, waitFor, writeProject } from '../helpers/containers';

test('events lists start, die and restart of the services asked for, and follows new ones until Ctrl-C', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: ev
services:
  flaky:
    command: ["sh", "-c", "exit 2"]
    restart: on-failure:1
  steady:
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q '"restartCount":1,"restarting":false' ${stateDir('ev', 'ev-flaky-1')}/restart.json && test -e ${stateDir('ev', 'ev-flaky-1')}/exit.json`, 'the restart');
    const json = (await ok(host, dir, ['events', '--no-follow', '--json', 'flaky'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    t.deepEqual(
      json.map((e) => [e.type, e.container, e.service, e.exitCode]),
      [
        ['create', 'ev-flaky-1', 'flaky', undefined],
        ['start', 'ev-flaky-1', 'flaky', undefined],
        ['die', 'ev-flaky-1', 'flaky', 2],
        ['restart', 'ev-flaky-1', 'flaky', undefined],
        ['die', 'ev-flaky-1', 'flaky', 2],
      ],
    );
    const text = (await ok(host, dir, ['events', '--no-follow', 'steady'])).stdout;
    t.regex(text, /^\S+Z container create ev-steady-1 \(service=steady\)\n\S+Z container start ev-steady-1 \(service=steady\)\n$/);

    // Following: a kill from outside shows up while `events` runs; SIGINT ends it with 0.
    const pid = await pidOf(host, 'ev', 'ev-steady-1');
    const out = await sh(
      host,
      `cd ${dir} && { timeout --preserve-status -s INT 3 ${cliPath} events steady > ev.out; echo "rc=$?" >> ev.out; } & sleep 1.5; kill -KILL ${pid}; wait; cat ${dir}/ev.out`,
    );
    t.regex(out, /container start ev-steady-1 \(service=steady\)\n.*container die ev-steady-1 \(service=steady, exitCode=137, signal=9\)\nrc=0\n?$/s);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('the CLI records create, stop, kill and destroy; restart takes along dependents with depends_on restart: true; start waits for conditions', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: evc
services:
  db:
    command: ["sh", "-c", "sleep 0.5; touch /tmp/ready; exec sleep infinity"]
    healthcheck: { test: "test -e /tmp/ready", interval: 100ms, retries: 100 }
  app:
    command: ["sleep", "infinity"]
    depends_on:
      db: { condition: service_healthy, restart: true }
  other:
    command: ["sleep", "infinity"]
    depends_on: [db]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const types = async (svc: string) =>
      (await ok(host, dir, ['events', '--no-follow', '--json', svc])).stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type !== 'health_status').map((e) => e.type);
    const appPid = await pidOf(host, 'evc', 'evc-app-1');
    const otherPid = await pidOf(host, 'evc', 'evc-other-1');
    await ok(host, dir, ['restart', 'db']);
    t.not(await pidOf(host, 'evc', 'evc-app-1'), appPid, 'restart: true restarts the dependent');
    t.is(await pidOf(host, 'evc', 'evc-other-1'), otherPid, 'without it the dependent keeps running');
    const health = JSON.parse(await sh(host, `cat ${stateDir('evc', 'evc-db-1')}/health.json`));
    t.is(health.status, 'healthy', 'app started again only once db was healthy again');
    t.deepEqual(await types('app'), ['create', 'start', 'die', 'stop', 'start'], 'die, then stop, as Docker');
    const all = (await ok(host, dir, ['events', '--no-follow', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const dbStart = all.findLastIndex((e) => e.container === 'evc-db-1' && e.type === 'start');
    const healthyAgain = all.findIndex((e, i) => i > dbStart && e.container === 'evc-db-1' && e.type === 'health_status' && JSON.stringify(e).includes('healthy') && !JSON.stringify(e).includes('unhealthy'));
    const appStart = all.findLastIndex((e) => e.container === 'evc-app-1' && e.type === 'start');
    t.true(healthyAgain > dbStart && appStart > healthyAgain, 'app started again after db was healthy again');
    await ok(host, dir, ['kill', '-s', 'SIGUSR1', 'other']);
    t.true((await types('other')).includes('kill'));
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
