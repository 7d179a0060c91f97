/**
 * Healthchecks run by the shim (in the container's namespaces, as exec
 * runs a command), the states ps shows, and depends_on conditions that
 * wait: service_healthy, service_completed_successfully, up --wait.
 */
import test from 'ava';
import type { Host } from '../helpers/host';
import { withHost } from '../helpers/host';
import { leftovers, ok, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

interface PsRow {
  name: string;
  state: string;
  status: string;
  health: { status: string; failingStreak: number; last: { exitCode: number; output: string } | null } | null;
}
const psJson = async (host: Host, dir: string) => JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout) as PsRow[];
const events = async (host: Host, project: string) =>
  (await sh(host, `cat /run/tscompose/${project}/events.jsonl`))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { time: string; type: string; container: string; status?: string; exitCode?: number });
const healthIs = (project: string, container: string, status: string) => `grep -q '"status":"${status}"' ${stateDir(project, container)}/health.json`;

test('a healthcheck runs inside the container until it passes: starting, then healthy; ps shows it', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: hc
services:
  db:
    hostname: dbhost
    command: ["sleep", "infinity"]
    healthcheck:
      test: ["CMD-SHELL", "echo from $$(hostname); test -e /tmp/ready"]
      interval: 200ms
      retries: 100
`,
    );
    await ok(host, dir, ['up', '-d']);
    const early = (await psJson(host, dir))[0]!;
    t.is(early.health?.status, 'starting');
    t.regex(early.status, /\(health: starting\)/);
    await ok(host, dir, ['exec', '-T', 'db', 'touch', '/tmp/ready']);
    await waitFor(host, healthIs('hc', 'hc-db-1', 'healthy'), 'healthy');
    const row = (await psJson(host, dir))[0]!;
    t.regex(row.status, /^running \(.*\) \(healthy\)$/);
    t.is(row.health?.failingStreak, 0);
    t.is(row.health?.last?.exitCode, 0);
    // The check saw the container's own uts namespace and root: its hostname, and the file only the container made.
    t.is(row.health?.last?.output, 'from dbhost\n');
    t.true((await sh(host, 'test -e /tmp/ready && echo host || echo container')).includes('container'));
    const ev = (await events(host, 'hc')).filter((e) => e.type === 'health_status');
    t.deepEqual(ev.map((e) => e.status), ['healthy']);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('depends_on service_healthy: the dependent starts after its dependency is healthy, not before', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: hd
services:
  db:
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep infinity"]
    healthcheck: { test: "test -e /tmp/ready", interval: 100ms, retries: 50 }
  app:
    command: ["sleep", "infinity"]
    depends_on:
      db: { condition: service_healthy }
`,
    );
    await ok(host, dir, ['up', '-d']);
    const ev = await events(host, 'hd');
    const healthy = ev.find((e) => e.type === 'health_status' && e.status === 'healthy' && e.container === 'hd-db-1')!;
    const appStart = ev.find((e) => e.type === 'start' && e.container === 'hd-app-1')!;
    t.truthy(healthy);
    t.truthy(appStart);
    t.true(Date.parse(appStart.time) >= Date.parse(healthy.time), `${appStart.time} < ${healthy.time}`);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a dependency that turns unhealthy fails up with its health log; the dependent never starts', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: hu
services:
  db:
    command: ["sleep", "infinity"]
    healthcheck: { test: ["CMD", "sh", "-c", "echo db is down; exit 1"], interval: 100ms, retries: 2 }
  app:
    command: ["sleep", "infinity"]
    depends_on:
      db: { condition: service_healthy }
`,
    );
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 1, r.stderr);
    t.regex(r.stderr, /hu-db-1 is unhealthy \(\d+ failed checks in a row; last: .*exit 1: db is down/);
    t.false((await events(host, 'hu')).some((e) => e.container === 'hu-app-1'));
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('service_completed_successfully: an init container that exits 0 lets the app start; one that exits 3 fails up', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: hi
services:
  migrate:
    command: ["sh", "-c", "sleep 0.5; exit \${CODE}"]
  app:
    command: ["sleep", "infinity"]
    depends_on:
      migrate: { condition: service_completed_successfully }
`,
    );
    await ok(host, dir, ['up', '-d'], { env: { CODE: '0' } });
    const ev = await events(host, 'hi');
    const died = ev.find((e) => e.type === 'die' && e.container === 'hi-migrate-1')!;
    const app = ev.find((e) => e.type === 'start' && e.container === 'hi-app-1')!;
    t.true(Date.parse(app.time) >= Date.parse(died.time));
    await ok(host, dir, ['down']);
    const r = await tsc(host, dir, ['up', '-d'], { env: { CODE: '3' } });
    t.is(r.code, 1);
    t.regex(r.stderr, /hi-migrate-1 exited with code 3: service_completed_successfully cannot hold/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a check over its timeout is killed and counts as a failure', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: ht
services:
  slow:
    command: ["sleep", "infinity"]
    healthcheck: { test: ["CMD", "sleep", "7"], interval: 100ms, timeout: 300ms, retries: 1 }
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, healthIs('ht', 'ht-slow-1', 'unhealthy'), 'unhealthy');
    const row = (await psJson(host, dir))[0]!;
    t.is(row.health?.last?.exitCode, -1);
    t.regex(row.health!.last!.output, /exceeded timeout \(300ms\)/);
    t.regex(row.status, /\(unhealthy\)/);
    // The check's command went with it (nothing but the container's sleep and a check in progress).
    await waitFor(host, `test "$(pgrep -c -x sleep)" -le 3`, 'timed-out checks to be gone');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('service_healthy on a service without a healthcheck is refused at the key; up --wait waits for health or fails', async (t) => {
  await withHost(t, async (host) => {
    const bad = writeProject(
      host,
      `name: hn
services:
  db: { command: ["sleep", "infinity"] }
  app:
    command: ["sleep", "infinity"]
    depends_on:
      db: { condition: service_healthy }
`,
      'bad',
    );
    const r = await tsc(host, bad, ['up', '-d']);
    t.not(r.code, 0);
    t.regex(r.stderr, /services\.app\.depends_on\.db\.condition: db has no healthcheck/);
    t.is((await sh(host, 'ls /run/tscompose | grep -v "^\\." || true')).trim(), '', 'nothing was made');

    const dir = writeProject(
      host,
      `name: hw
services:
  web:
    command: ["sh", "-c", "sleep 0.5; touch /tmp/ok; exec sleep infinity"]
    healthcheck: { test: "test -e /tmp/ok", interval: 100ms, retries: 100 }
`,
    );
    await ok(host, dir, ['up', '--wait']);
    t.is((await psJson(host, dir))[0]!.health?.status, 'healthy', 'up --wait returned only once healthy');
    await ok(host, dir, ['down']);
    // A check that never passes keeps --wait waiting until the exit (a
    // service without one counts as up the moment it runs, however briefly).
    const failing = writeProject(
      host,
      `name: hx\nservices:\n  web:\n    command: ["sh", "-c", "sleep 0.3; exit 4"]\n    healthcheck: { test: "false", interval: 100ms, retries: 100 }\n`,
      'failing',
    );
    const w = await tsc(host, failing, ['up', '--wait', '--wait-timeout', '20']);
    t.is(w.code, 1);
    t.regex(w.stderr, /hx-web-1 exited with code 4/);
    await ok(host, failing, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
