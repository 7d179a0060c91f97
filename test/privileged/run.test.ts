/** `run`: one-off containers of a service, attached to stdio, their exit code ours. */
import test from 'ava';
import { cliPath, withHost } from '../helpers/host';
import { PTY_DRIVER } from '../helpers/pty';
import { leftovers, ok, sh, tsc, waitFor, writeProject } from '../helpers/containers';

test('run: a one-off container with the service’s config, dependencies started, stdio and exit code passed, --rm removes it', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: rn
services:
  db:
    init: true
    command: ["sleep", "infinity"]
    networks: [back]
  app:
    command: ["sh", "-c", "echo default"]
    environment: {GREETING: hello}
    depends_on: [db]
    ports: ["8080:80"]
    restart: always
    networks: [back]
networks:
  back: {}
`,
    );
    const ps = async () => JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout) as Array<{ name: string; state: string; exitCode: number | null; service: string }>;
    // Dependencies first; the command's output and code are ours; stdin reaches it.
    const r = await tsc(host, dir, ['run', '-T', '-e', 'EXTRA=x', 'app', 'sh', '-c', 'read line; echo "$GREETING $EXTRA $line"; getent hosts db >/dev/null && echo db-resolves; exit 7'], { input: 'from-stdin\n' });
    t.is(r.code, 7, r.stderr);
    t.is(r.stdout, 'hello x from-stdin\ndb-resolves\n');
    let rows = await ps();
    t.is(rows.find((x) => x.name === 'rn-db-1')!.state, 'running', 'the dependency was started');
    t.falsy(rows.find((x) => x.name === 'rn-app-1'), 'the service’s own container was not');
    const oneOff = rows.find((x) => /^rn-app-run-[0-9a-f]{12}$/.test(x.name));
    t.truthy(oneOff, rows.map((x) => x.name).join(' '));
    t.is(oneOff!.state, 'exited');
    t.is(oneOff!.exitCode, 7, 'ps reports the command’s code');
    // Its port is not published (docker compose run without --service-ports).
    t.deepEqual(JSON.parse(await sh(host, 'cat /run/tscompose/rn/state.json')).containers[oneOff!.name].ports ?? [], []);

    // --rm, --entrypoint, --name; the service's default command when none is given.
    const d = await tsc(host, dir, ['run', '--rm', '-T', '--name', 'rn-once', 'app']);
    t.is(d.code, 0, d.stderr);
    t.is(d.stdout, 'default\n');
    const e = await tsc(host, dir, ['run', '--rm', '-T', '--entrypoint', 'sh -c "echo via-entrypoint"', 'app']);
    t.is(e.stdout, 'via-entrypoint\n', e.stderr);
    rows = await ps();
    t.deepEqual(rows.map((x) => x.name).filter((n) => !n.startsWith('rn-app-run-')), ['rn-db-1'], '--rm left nothing');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('run --no-deps leaves the dependencies alone', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: rnd
services:
  db:
    init: true
    command: ["sleep", "infinity"]
  app:
    command: ["true"]
    depends_on: [db]
`,
    );
    const r = await tsc(host, dir, ['run', '--rm', '-T', '--no-deps', 'app', 'sh', '-c', 'exit 3']);
    t.is(r.code, 3, r.stderr);
    t.deepEqual(JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout), []);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

// The caller's terminal is the pty driver's (33×111): run gives the command a pty of its own, as exec does.
test('run on a terminal: the command gets a pty with the caller’s size; the exit code passes', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, `name: rnt\nservices:\n  s:\n    command: ["true"]\n`);
    const r = await host.run(['python3', '-c', PTY_DRIVER, '[]', process.execPath, cliPath, 'run', '--rm', 's', 'sh', '-c', 'test -t 0 && test -t 1 && echo on-a-terminal; stty size; exit 5'], { cwd: dir, timeoutMs: 60_000 });
    t.is(r.code, 5, r.stdout + r.stderr);
    t.regex(r.stdout, /on-a-terminal/);
    t.regex(r.stdout, /33 111/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('up leaves a running one-off alone; two one-offs at once get their own addresses; down removes them', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, `name: rnu\nservices:\n  app:\n    init: true\n    command: ["sleep", "infinity"]\n`);
    await ok(host, dir, ['up', '-d']);
    // Two one-offs that run until their marker file is removed.
    const long = (n: number) => host.sh(`cd ${dir} && ${process.execPath} ${cliPath} run -T app sh -c 'touch /dev/shm/started; while :; do sleep 0.1; done' > /dev/null 2>run${n}.err`);
    const first = long(1);
    await waitFor(host, `grep -q '"oneOff": *true' /run/tscompose/rnu/state.json 2>/dev/null || grep -q oneOff /run/tscompose/rnu/state.json`, 'the first one-off');
    const second = long(2);
    const oneOffs = async () => {
      const s = JSON.parse(await sh(host, 'cat /run/tscompose/rnu/state.json'));
      return Object.entries(s.containers as Record<string, any>).filter(([, c]) => c.oneOff);
    };
    for (let i = 0; i < 400 && (await oneOffs()).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const both = await oneOffs();
    t.is(both.length, 2);
    const addrs = both.map(([, c]) => c.interfaces[0].address);
    t.not(addrs[0], addrs[1], `each one-off its own address: ${addrs.join(' ')}`);
    // up (the file changed, even): the one-offs keep running, with their namespaces.
    writeProject(host, `name: rnu\nservices:\n  app:\n    init: true\n    command: ["sleep", "infinity"]\n    environment: {V: "2"}\n`);
    await ok(host, dir, ['up', '-d']);
    const rows = JSON.parse((await ok(host, dir, ['ps', '--json'])).stdout) as Array<{ name: string; state: string }>;
    t.deepEqual(rows.filter((r) => r.name.includes('-run-')).map((r) => r.state), ['running', 'running']);
    t.false(addrs.includes(JSON.parse(await sh(host, 'cat /run/tscompose/rnu/state.json')).containers['rnu-app-1'].interfaces[0].address), 'the recreated app took neither address');
    await ok(host, dir, ['down']);
    const [r1, r2] = await Promise.all([first, second]);
    t.not(r1.code, 0, 'down ended the one-offs');
    t.not(r2.code, 0);
    t.deepEqual(await leftovers(host), []);
  });
});
