/**
 * The container's life through the CLI, each test in its own throwaway
 * host: ps, logs after the CLI is gone, stop/start/restart/kill/top, the
 * stop signal and grace period, a SIGKILLed shim, and errors from inside
 * the container reaching the CLI with their syscall and errno.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { cliPath, withHost } from '../helpers/host';
import { hostMountPoints, leftovers, ok, pidOf, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

const psJson = async (host: Parameters<typeof ok>[0], dir: string) =>
  JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout) as Array<{ name: string; state: string; exitCode: number | null; pid: number | null; status: string; shim: string }>;

test('ps: state, exit code, PID and uptime; logs survive the CLI', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: lc
services:
  done:
    command: ["sh", "-c", "echo hello; echo oops >&2; exit 3"]
  runs:
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `test -e ${stateDir('lc', 'lc-done-1')}/exit.json`, 'the short one to exit');
    const rows = await psJson(host, dir);
    const done = rows.find((r) => r.name === 'lc-done-1')!;
    t.is(done.state, 'exited');
    t.is(done.exitCode, 3);
    const runs = rows.find((r) => r.name === 'lc-runs-1')!;
    t.is(runs.state, 'running');
    t.is(runs.pid, await pidOf(host, 'lc', 'lc-runs-1'));
    t.regex(runs.status, /^running \(\d+ seconds?\)$/);
    // A new CLI process reads what the shim kept.
    const logs = await ok(host, dir, ['logs', '-t', 'done']);
    t.regex(logs.stdout, /^lc-done-1 {2}\| \d{4}-\d\d-\d\dT\S+Z hello\nlc-done-1 {2}\| \S+ oops\n$/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('stop, start, restart, kill and top act on the containers the journal names', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: lf
services:
  a:
    init: true
    command: ["sleep", "infinity"]
  b:
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const top = (await ok(host, dir, ['top', 'a'])).stdout;
    t.regex(top, /^lf-a-1\nUSER +PID +PPID/);
    t.regex(top, /tsc-init -- sleep infinity/);
    t.regex(top, /\n\S+ +\d+ +\d+ .*sleep infinity\n/);
    t.notRegex(top, /lf-b-1/);

    await ok(host, dir, ['stop', 'a']);
    let rows = await psJson(host, dir);
    t.is(rows.find((r) => r.name === 'lf-a-1')!.state, 'exited');
    t.is(rows.find((r) => r.name === 'lf-a-1')!.exitCode, 143, 'the init passed SIGTERM to sleep');
    t.is(rows.find((r) => r.name === 'lf-b-1')!.state, 'running', 'only the service named');

    await ok(host, dir, ['start']);
    rows = await psJson(host, dir);
    t.true(rows.every((r) => r.state === 'running'));
    const before = await pidOf(host, 'lf', 'lf-b-1');
    await ok(host, dir, ['restart', 'b']);
    t.not(await pidOf(host, 'lf', 'lf-b-1'), before, 'a new process');

    await ok(host, dir, ['kill', '-s', 'SIGKILL', 'a']);
    await waitFor(host, `test -e ${stateDir('lf', 'lf-a-1')}/exit.json`, 'a to be killed');
    t.is((await psJson(host, dir)).find((r) => r.name === 'lf-a-1')!.exitCode, 137);
    t.is((await tsc(host, dir, ['kill', '-s', 'NOPE'])).code, 2);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('start follows depends_on; stop and down stop dependents first, as Docker Compose does', async (t) => {
  await withHost(t, async (host) => {
    // a depends on b; a takes half a second to stop, so a stop that did not wait for it would report b first.
    const dir = writeProject(
      host,
      `name: ord
services:
  a:
    init: true
    command: ["sh", "-c", "trap 'sleep 0.5; exit 0' TERM; while :; do sleep 0.05; done"]
    depends_on: [b]
  b:
    init: true
    command: ["sleep", "infinity"]
`,
    );
    const order = (stderr: string, word: string) => [...stderr.matchAll(new RegExp(`Container (ord-[ab]-1) +${word}`, 'g'))].map((m) => m[1]);
    await ok(host, dir, ['up', '-d']);
    t.deepEqual(order((await ok(host, dir, ['stop'])).stderr, 'Stopped'), ['ord-a-1', 'ord-b-1']);
    t.deepEqual(order((await ok(host, dir, ['start'])).stderr, 'Started'), ['ord-b-1', 'ord-a-1']);
    t.deepEqual(order((await ok(host, dir, ['down'])).stderr, 'Removed'), ['ord-a-1', 'ord-b-1']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('stop_signal and stop_grace_period: what a PID-1 sleep gets when it ignores SIGTERM', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: sg
services:
  usr1:
    command: ["sleep", "infinity"]
    stop_signal: SIGKILL
  graced:
    command: ["sleep", "infinity"]
    stop_grace_period: 200ms
  handles:
    command: ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; while :; do sleep 0.1; done"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    await ok(host, dir, ['stop']);
    const rows = await psJson(host, dir);
    const exit = (n: string) => rows.find((r) => r.name === `sg-${n}-1`)!;
    t.is(exit('usr1').exitCode, 137, 'stop_signal SIGKILL');
    t.regex(exit('usr1').status, /by SIGKILL/);
    t.is(exit('graced').exitCode, 137, 'SIGTERM ignored by PID 1, SIGKILL after the grace period');
    t.is(exit('handles').exitCode, 0, 'a command that handles SIGTERM exits by itself');
    await ok(host, dir, ['down']);
  });
});

test('a SIGKILLed shim: ps says so, the container keeps running, down removes everything', async (t) => {
  await withHost(t, async (host) => {
    const mounts = await hostMountPoints(host);
    const dir = writeProject(
      host,
      `name: ks
services:
  k:
    init: true
    command: ["sleep", "infinity"]
    volumes: ["./d:/d"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const shim = await pidOf(host, 'ks', 'ks-k-1', 'shim.pid');
    await sh(host, `kill -KILL ${shim}`);
    await waitFor(host, `! test -d /proc/${shim} || grep -q '^State:.Z' /proc/${shim}/status`, 'the shim to die');
    const row = (await psJson(host, dir)).find((r) => r.name === 'ks-k-1')!;
    t.is(row.state, 'running');
    t.is(row.shim, 'gone');
    t.regex(row.status, /shim gone/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
    t.deepEqual(await hostMountPoints(host), mounts);
  });
});

test('a failing step inside the container reaches the CLI as syscall and errno, and leaves nothing', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: fl
services:
  missing:
    command: ["/usr/bin/tsc-no-such-command"]
  initmissing:
    init: true
    command: ["tsc-no-such-command"]
`,
    );
    // One service per up: after the first failure `up` starts nothing new, and which of two fails first is a race.
    const r = await tsc(host, dir, ['up', '-d', 'missing']);
    t.is(r.code, 1);
    t.regex(r.stderr, /container\.start fl-missing-1: execve: ENOENT \(\/usr\/bin\/tsc-no-such-command: No such file or directory\)/);
    const init = await tsc(host, dir, ['up', '-d', 'initmissing']);
    t.is(init.code, 1);
    t.regex(init.stderr, /container\.start fl-initmissing-1: execve: ENOENT \(tsc-no-such-command: No such file or directory\)/, 'with init too');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('network_mode host and service:X containers are isolated too; host mode keeps the host\'s uts namespace, as Docker', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: nm
services:
  h:
    network_mode: host
    init: true
    command: ["sleep", "infinity"]
  a:
    init: true
    command: ["sleep", "infinity"]
  b:
    network_mode: service:a
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const h = await pidOf(host, 'nm', 'nm-h-1');
    const a = await pidOf(host, 'nm', 'nm-a-1');
    const b = await pidOf(host, 'nm', 'nm-b-1');
    const ns = (pid: number | 'self', type: string) => sh(host, `readlink /proc/${pid}/ns/${type}`);
    t.is(await ns(h, 'net'), await ns('self', 'net'));
    t.is(await ns(h, 'uts'), await ns('self', 'uts'));
    t.is(await ns(b, 'net'), await ns(a, 'net'));
    for (const pid of [h, a, b]) {
      for (const type of ['mnt', 'pid', 'ipc', 'cgroup']) t.not(await ns(pid, type), await ns('self', type), `${type} of ${pid}`);
    }
    t.not(await ns(b, 'mnt'), await ns(a, 'mnt'));
    t.is((await ok(host, dir, ['exec', '-T', 'b', 'hostname'])).stdout, 'b\n');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('up without -d shows the containers\' output and stops them on Ctrl-C (exit 130)', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: att
services:
  s:
    init: true
    command: ["sh", "-c", "echo ready; exec sleep infinity"]
`,
    );
    const pidFile = `${host.dir}/cli.pid`;
    const [cmd, ...args] = [...host.enter(dir), 'bash', '-c', `echo $$ > ${pidFile}; exec node ${cliPath} up`];
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 400 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 25));
    t.regex(out, /^att-s-1 {2}\| ready$/m);
    await sh(host, `kill -INT $(cat ${pidFile})`);
    t.is(await exited, 130);
    const row = JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout)[0];
    t.is(row.state, 'exited', 'Ctrl-C stopped the container');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
