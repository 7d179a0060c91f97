/**
 * `tty: true` and `attach`: the container's process has a pty of its
 * shim's (its output still logged); `attach` relays the caller's terminal
 * to it without ever handing it over (TIOCSTI from inside reaches only the
 * container's own pty), follows the terminal's size, detaches on the detach
 * keys leaving the container running, and ends with the container's exit
 * code. Without a tty, attach relays stdin_open's pipe and the output.
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { callerShell, PTY_DRIVER } from '../helpers/pty';
import { leftovers, ok, pidOf, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

// Typed into the container's shell: types "echo INJECTED" into its own terminal.
const TIOCSTI = `python3 -c "import fcntl, termios; [fcntl.ioctl(0, termios.TIOCSTI, bytes([c])) for c in b'echo INJECTED-\\\\x24((1+1))\\\\n']"\n`;

test('tty: a pty of the shim\'s, logged; attach relays the terminal (size, input), detach keys leave it running, TIOCSTI stays inside, exit code passes', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: tt
services:
  t:
    tty: true
    stdin_open: true
    command: ["sh", "-c", "(while :; do echo tick; sleep 0.3; done) & exec sh"]
`,
    );
    const planned = JSON.stringify(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout));
    t.true(planned.includes('"tty":true'), 'plan --json shows the tty');
    await ok(host, dir, ['up', '-d']);
    const pid = await pidOf(host, 'tt', 'tt-t-1');
    t.regex(await sh(host, `readlink /proc/${pid}/fd/0 /proc/${pid}/fd/1 /proc/${pid}/fd/2 | sort -u`), /^\/dev\/pts\/\d+$/, 'stdin, stdout, stderr: one pty');
    const drive = (steps: string[][], args: string[]) => host.run(['python3', '-c', PTY_DRIVER, JSON.stringify(steps), ...callerShell(args)], { cwd: dir, timeoutMs: 90_000 });
    const r = await drive(
      [
        ['tick', 'echo A$((6*7))\n'],
        ['A42', 'stty size\n'],
        ['33 111', TIOCSTI],
        ['INJECTED-2', '\x10\x11'],
        ['rc=', 'clean\n'],
      ],
      ['attach', 't'],
    );
    t.regex(r.stdout, /A42/, 'input typed in the caller\'s terminal reached the container\'s shell');
    t.regex(r.stdout, /33 111/, 'the container\'s pty has the caller\'s size');
    t.regex(r.stdout, /detached from tt-t-1/);
    t.regex(r.stdout, /rc=0/);
    t.regex(r.stdout, /after:clean/, `TIOCSTI from the container never reached the caller's terminal: ${r.stdout}`);
    t.is(await pidOf(host, 'tt', 'tt-t-1'), pid);
    t.is(await sh(host, `test -d /proc/${pid} && echo alive`), 'alive', 'detaching left it running');
    const logs = (await ok(host, dir, ['logs', '--no-prefix', 't'])).stdout;
    t.regex(logs, /A42/, 'the tty\'s output is still logged');
    // Attach again; the container's exit ends it with its exit code.
    const e = await drive([['tick', 'exit 5\n'], ['rc=', 'clean\n']], ['attach', '--detach-keys', 'ctrl-x', 't']);
    t.regex(e.stdout, /rc=5/, e.stdout);
    await waitFor(host, `grep -q '"exitCode":5' ${stateDir('tt', 'tt-t-1')}/exit.json`, 'the exit');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('attach without a tty: stdin_open\'s pipe gets the input, custom detach keys; --no-stdin only shows output and ends with the container', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: ta
services:
  p:
    stdin_open: true
    command: ["sh", "-c", "while read l; do echo got:$$l; done"]
  q:
    command: ["sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; echo bye; exit 3"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const r = await tsc(host, dir, ['attach', '--detach-keys', 'ctrl-x', 'p'], { input: 'one\ntwo\n\x18three\n' });
    t.is(r.code, 0, r.stderr);
    t.regex(r.stderr, /detached from ta-p-1/);
    await waitFor(host, `grep -q got:two ${stateDir('ta', 'ta-p-1')}/container.log`, 'the input in the log');
    t.false((await sh(host, `cat ${stateDir('ta', 'ta-p-1')}/container.log`)).includes('three'), 'nothing after the detach keys');
    const bad = await tsc(host, dir, ['attach', '--detach-keys', 'ctrl-7', 'p']);
    t.not(bad.code, 0);
    t.regex(bad.stderr, /--detach-keys: "ctrl-7" is not a key/);
    const attached = tsc(host, dir, ['attach', '--no-stdin', 'q'], { input: 'ignored\n' });
    // Connected (the shim bound the socket by /proc/self/fd/N/attach.sock: that is its name).
    await waitFor(host, 'ss -xH | grep -q attach.sock', 'the attach');
    await ok(host, dir, ['exec', '-T', 'q', 'touch', '/tmp/go']);
    const q = await attached;
    t.is(q.code, 3, q.stderr);
    t.is(q.stdout, 'bye\n');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('attach after a restart: the shim listens again for the new process and its new pty', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: tr
services:
  r:
    tty: true
    stdin_open: true
    restart: always
    command: ["sh", "-c", "(while :; do echo tick; sleep 0.3; done) & exec sh"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const drive = (steps: string[][], args: string[]) => host.run(['python3', '-c', PTY_DRIVER, JSON.stringify(steps), ...callerShell(args)], { cwd: dir, timeoutMs: 90_000 });
    const first = await drive([['tick', 'exit 4\n'], ['rc=', 'clean\n']], ['attach', 'r']);
    t.regex(first.stdout, /rc=4/, first.stdout);
    await waitFor(host, `grep -q '"restartCount":1,"restarting":false' ${stateDir('tr', 'tr-r-1')}/restart.json && test -S ${stateDir('tr', 'tr-r-1')}/attach.sock`, 'the restart');
    const again = await drive([['tick', 'echo R$((2+3))\n'], ['R5', '\x10\x11'], ['rc=', 'clean\n']], ['attach', 'r']);
    t.regex(again.stdout, /R5/);
    t.regex(again.stdout, /rc=0/, again.stdout);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('attach: false — up without -d follows the other services\' output, not its; logs still has it', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: upa
services:
  shown:
    command: ["sh", "-c", "echo from-shown; sleep 1"]
  hidden:
    attach: false
    command: ["sh", "-c", "echo from-hidden; sleep 1"]
`,
    );
    // Both exit after a second: up (attached) returns once the followed one has.
    const up = await tsc(host, dir, ['up'], { timeoutMs: 60_000 });
    t.is(up.code, 0, up.stderr);
    t.regex(up.stdout, /shown.*\| from-shown/);
    t.notRegex(up.stdout, /from-hidden/);
    t.regex((await ok(host, dir, ['logs', 'hidden'])).stdout, /from-hidden/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('attach: many clients at once each get the output (the shim is not limited to a handful)', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, `name: tm\nservices:\n  q:\n    command: ["sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; echo bye; exit 3"]\n`);
    await ok(host, dir, ['up', '-d']);
    const clients = Array.from({ length: 6 }, () => tsc(host, dir, ['attach', '--no-stdin', 'q']));
    // The shim's accepted ends are named attach.sock: six of them once every client is in.
    await waitFor(host, '[ "$(ss -xH | grep -c attach.sock)" -ge 6 ]', 'six attached clients');
    await ok(host, dir, ['exec', '-T', 'q', 'touch', '/tmp/go']);
    for (const r of await Promise.all(clients)) {
      t.is(r.code, 3, r.stderr);
      t.is(r.stdout, 'bye\n');
    }
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
