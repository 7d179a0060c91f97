/**
 * Escapes attempted from inside real containers, each test in its own
 * throwaway host: every attack here worked once. The assertions look from
 * the host (logs, files, mount tables) at whether the attack got through.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath, withHost } from '../helpers/host';
import { callerShell, PTY_DRIVER } from '../helpers/pty';
import { shimPath } from '../../src/sys/native';
import { leftovers, logLines, miniRootfs, ok, pidOf, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

const climb = '../'.repeat(12);

// CVE-2024-21626 (runc "Leaky Vessels"): a directory fd of the host's mount
// namespace, open in the container process at execve, lets its command
// (or a #! interpreter) be /proc/self/fd/N/../../HOST-PATH.
test('a command through /proc/self/fd/N/.. cannot execute a host-only binary (leaked directory fds at execve)', async (t) => {
  await withHost(t, async (host) => {
    const rootfs = miniRootfs(path.join(host.dir, 'rootfs'));
    // A binary outside the container's root: the host's echo, with libc from the mini root.
    const hostOnly = path.join(host.dir, 'host-only-echo');
    fs.copyFileSync(fs.realpathSync('/bin/echo'), hostOnly);
    fs.chmodSync(hostOnly, 0o755);
    const service = (name: string, command?: string) => `  ${name}:\n    x-rootfs: ${rootfs}\n${command ? `    command: ${command}\n` : ''}`;
    const dir = writeProject(host, `name: fdl\nservices:\n${service('probe')}`);
    await ok(host, dir, ['up', '-d']);
    // The directories the shim holds are at the same numbers in every
    // container process it starts (the fd table is copied at clone).
    const shim = await pidOf(host, 'fdl', 'fdl-probe-1', 'shim.pid');
    const dirFds = (await sh(host, `for f in /proc/${shim}/fd/*; do [ -d "$f" ] && echo \${f##*/}; done; true`)).split('\n').filter(Boolean);
    t.true(dirFds.length > 0, 'the shim holds directory fds (the state dir at least)');
    const attackers = dirFds.map((n) => service(`a${n}`, `["/proc/self/fd/${n}/${climb}${hostOnly.slice(1)}", "ESCAPED-${n}"]`));
    writeProject(host, `name: fdl\nservices:\n${service('probe')}${attackers.join('')}`);
    await tsc(host, dir, ['up', '-d']);
    for (const n of dirFds) {
      const log = `${stateDir('fdl', `fdl-a${n}-1`)}/container.log`;
      t.false((await sh(host, `cat ${log} 2>/dev/null || true`)).includes('ESCAPED'), `fd ${n}: the host-only binary did not run`);
    }
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('exec through /proc/self/fd/N/.. cannot execute a host-only binary either', async (t) => {
  await withHost(t, async (host) => {
    const rootfs = miniRootfs(path.join(host.dir, 'rootfs'));
    const hostOnly = path.join(host.dir, 'host-only-echo');
    fs.copyFileSync(fs.realpathSync('/bin/echo'), hostOnly);
    fs.chmodSync(hostOnly, 0o755);
    const dir = writeProject(host, `name: fde\nservices:\n  s:\n    x-rootfs: ${rootfs}\n`);
    await ok(host, dir, ['up', '-d']);
    for (let n = 3; n < 16; n++) {
      const r = await tsc(host, dir, ['exec', '-T', 's', `/proc/self/fd/${n}/${climb}${hostOnly.slice(1)}`, 'ESCAPED']);
      t.false(r.stdout.includes('ESCAPED'), `fd ${n}: the host-only binary did not run`);
    }
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

// A named volume is shared: what one container writes there, another's
// `volume.subpath` resolves. A symlink must not lead it out of the volume.
test('volume.subpath refuses a symlink planted in the volume by another container: no host directory is mounted', async (t) => {
  await withHost(t, async (host) => {
    const secret = path.join(host.dir, 'host-secret');
    fs.mkdirSync(secret);
    fs.writeFileSync(path.join(secret, 'file'), 'host-only\n');
    const dir = writeProject(
      host,
      `name: sub
services:
  planter:
    init: true
    command: ["sh", "-c", "ln -s ${secret} /data/sub && mkdir -p /data/real/deeper && ln -s real /data/inner && echo planted && exec sleep infinity"]
    volumes: [shared:/data]
volumes:
  shared: {}
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q planted ${stateDir('sub', 'sub-planter-1')}/container.log`, 'the planted symlinks');
    const victim = (subpath: string) => `name: sub
services:
  planter:
    init: true
    command: ["sh", "-c", "ln -s ${secret} /data/sub && mkdir -p /data/real/deeper && ln -s real /data/inner && echo planted && exec sleep infinity"]
    volumes: [shared:/data]
  victim:
    init: true
    command: ["sleep", "infinity"]
    volumes:
      - type: volume
        source: shared
        target: /mnt
        volume:
          subpath: ${subpath}
volumes:
  shared: {}
`;
    for (const subpath of ['sub', 'inner/deeper', '../../../..' + secret]) {
      writeProject(host, victim(subpath));
      const r = await tsc(host, dir, ['up', '-d']);
      t.not(r.code, 0, `subpath ${subpath}: refused`);
      t.regex(r.stderr, /openat2: ELOOP \(subpath |subpath: subpath .* must be a relative path inside the volume/, `subpath ${subpath}: refused by the shim's resolution`);
      const running = await host.sh(`test -s ${stateDir('sub', 'sub-victim-1')}/init.pid`);
      if (running.code === 0) {
        const pid = await pidOf(host, 'sub', 'sub-victim-1');
        t.false((await sh(host, `cat /proc/${pid}/root/mnt/file 2>/dev/null || true`)).includes('host-only'), `subpath ${subpath}: the host directory is not mounted`);
      }
    }
    // A real directory beneath the volume still works.
    writeProject(host, victim('real/deeper'));
    await ok(host, dir, ['up', '-d']);
    await ok(host, dir, ['exec', '-T', 'victim', 'sh', '-c', 'echo ok > /mnt/f']);
    t.is((await ok(host, dir, ['exec', '-T', 'planter', 'cat', '/data/real/deeper/f'])).stdout, 'ok\n');
    t.is(fs.readFileSync(path.join(secret, 'file'), 'utf8'), 'host-only\n');
    t.deepEqual(fs.readdirSync(secret), ['file']);
    await ok(host, dir, ['down', '-v']);
    t.deepEqual(await leftovers(host), []);
  });
});

// The container owns its /etc/passwd: `exec -u NAME` reads it from the
// host side, where a FIFO would block the CLI forever (open and read).
test('exec -u NAME refuses a FIFO as /etc/passwd or /etc/group instead of blocking', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: fifo
services:
  s:
    init: true
    command: ["sh", "-c", "rm /etc/passwd /etc/group && mkfifo /etc/passwd /etc/group && echo planted && exec sleep infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q planted ${stateDir('fifo', 'fifo-s-1')}/container.log`, 'the FIFOs');
    // The timeouts only keep a regression from hanging the suite.
    const r = await tsc(host, dir, ['exec', '-T', '-u', 'nobody', 's', 'true'], { timeoutMs: 20_000 });
    t.is(r.signal, null, 'the CLI was not killed by the timeout');
    t.is(r.code, 2, 'a usage error, not a crash');
    t.regex(r.stderr, /etc\/passwd in \/proc\/\d+\/root is not a regular file/);
    t.is((await ok(host, dir, ['exec', '-T', '-u', '0:0', 's', 'sh', '-c', 'echo ok'])).stdout, 'ok\n', 'numeric ids need no lookup');
    // A regular passwd now, the group file still a FIFO.
    await ok(host, dir, ['exec', '-T', '-u', '0:0', 's', 'sh', '-c', 'rm /etc/passwd && echo root:x:0:0::/:/bin/sh > /etc/passwd']);
    const g = await tsc(host, dir, ['exec', '-T', '-u', 'root:nogroup', 's', 'true'], { timeoutMs: 20_000 });
    t.is(g.signal, null, 'the CLI was not killed by the timeout');
    t.is(g.code, 2);
    t.regex(g.stderr, /etc\/group in \/proc\/\d+\/root is not a regular file/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

// The session keyring is inherited: a container, or a command `exec` runs,
// would possess the caller's and read its keys. ctypes: keyctl(2), add_key(2).
const KEYRING_HOLDER = `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
assert libc.syscall(250, 1, None) > 0, 'KEYCTL_JOIN_SESSION_KEYRING'
assert libc.syscall(248, b'user', b'tscsecret', b'SECRET', 6, -3) > 0, 'add_key'
os.execvp(sys.argv[1], sys.argv[1:])
`;
const KEYRING_READER =
  "import ctypes; libc = ctypes.CDLL(None, use_errno=True); libc.syscall.restype = ctypes.c_long; " +
  "k = libc.syscall(250, 10, -3, b'user', b'tscsecret', 0); b = ctypes.create_string_buffer(64); " +
  "print('key=' + b.raw[:libc.syscall(250, 11, k, b, 64)].decode() if k > 0 else 'nokey', flush=True)";

test('neither a container nor an exec\'d command possesses the caller\'s session keyring', async (t) => {
  await withHost(t, async (host) => {
    const holder = path.join(host.dir, 'keyring-holder.py');
    fs.writeFileSync(holder, KEYRING_HOLDER);
    const dir = writeProject(
      host,
      `name: key
services:
  k:
    init: true
    command: ["sh", "-c", "python3 -c \\"${KEYRING_READER}\\"; exec sleep infinity"]
`,
    );
    const withKey = (args: string[]) => host.run(['python3', holder, process.execPath, cliPath, ...args], { cwd: dir });
    const self = await withKey(['--version']);
    t.is(self.code, 0, `the holder works: ${self.stderr}`);
    t.is((await withKey(['up', '-d'])).code, 0);
    await waitFor(host, `grep -q key ${stateDir('key', 'key-k-1')}/container.log`, 'the reader\'s line');
    t.deepEqual(await logLines(host, dir, 'k'), ['nokey'], 'the container does not find the caller\'s key');
    const e = await withKey(['exec', '-T', 'k', 'python3', '-c', KEYRING_READER]);
    t.is(e.stdout, 'nokey\n', 'nor does an exec\'d command');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

// Docker's masks of 2025 (GHSA-6fw5-f8r9-fgfm): /proc/interrupts and the
// per-CPU thermal_throttle directories show the host's activity.
test('/proc/interrupts and every cpu*/thermal_throttle are masked in a default container, not in a privileged one', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: msk
services:
  d:
    init: true
    command: ["sleep", "infinity"]
  p:
    privileged: true
    init: true
    command: ["sleep", "infinity"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const read = (svc: string, script: string) => ok(host, dir, ['exec', '-T', svc, 'sh', '-c', script]).then((r) => r.stdout.trim());
    t.is(await read('d', 'wc -c < /proc/interrupts'), '0', 'the default container reads nothing');
    t.not(await read('p', 'wc -c < /proc/interrupts'), '0', 'the privileged one reads the host\'s');
    const throttles = (await sh(host, 'ls -d /sys/devices/system/cpu/cpu*/thermal_throttle 2>/dev/null || true')).split('\n').filter(Boolean);
    if (throttles.length === 0) t.log('this kernel has no cpu*/thermal_throttle: checked by the glob test below');
    for (const d of throttles) t.is(await read('d', `ls ${d} | wc -l`), '0', `${d} is empty in the container`);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a --mask pattern masks each match inside the container (the shim, with cpu*/topology standing for thermal_throttle)', async (t) => {
  await withHost(t, async (host) => {
    const state = path.join(host.dir, 'state');
    fs.mkdirSync(state, { mode: 0o700 });
    fs.mkdirSync(path.join(host.dir, 'rw'));
    const cpus = (await sh(host, 'ls -d /sys/devices/system/cpu/cpu[0-9]*/topology')).split('\n').filter(Boolean);
    const script = `for d in ${cpus.join(' ')}; do ls $d | wc -l; done; echo done`;
    const r = await host.run([shimPath, 'run', '--name', `${host.tag}-mask`, '--state-dir', state, '--ns', 'mount,pid,uts,ipc', '--rootfs', '/',
      '--rootfs-rw', path.join(host.dir, 'rw'), '--mask', '/sys/devices/system/cpu/cpu*/topology', '--', '/bin/sh', '-c', script]);
    t.regex(r.stdout, /^ok /, r.stderr);
    await waitFor(host, `grep -q done ${state}/container.log`, 'the listing');
    const counts = (await sh(host, `cat ${state}/container.log`)).split('\n').map((l) => l.split(' ').at(-1)).filter((x) => x !== 'done');
    t.deepEqual(counts, cpus.map(() => '0'), 'every cpu*/topology is empty');
    t.not(await sh(host, `ls ${cpus[0]} | wc -l`), '0', 'and full on the host');
  });
});

// CVE-2019-5736 class: a command of /proc/self/exe runs, in the container,
// the image of whoever exec'd it: the host's tsc-shim. Once that process
// is gone, its image opened through /proc/PID/exe must not be writable.
// (CAP_SYS_PTRACE: the shim's non-dumpable pause would stop others.)
test('the shim\'s image, run as /proc/self/exe by exec or as a command, cannot be opened for writing from the container', async (t) => {
  await withHost(t, async (host) => {
    const before = fs.readFileSync(shimPath);
    const dir = writeProject(
      host,
      `name: exe
services:
  s:
    init: true
    command: ["sleep", "infinity"]
    cap_add: [SYS_PTRACE]
  c:
    command: ["/proc/self/exe", "pause"]
    cap_add: [SYS_PTRACE]
`,
    );
    await ok(host, dir, ['up', '-d']);
    // exec: the shim re-run inside the container, found there by its name.
    const running = host.tscompose(['exec', '-T', 's', '/proc/self/exe', 'pause'], { cwd: dir });
    await waitFor(host, `nsenter -t $(cut -d' ' -f1 ${stateDir('exe', 'exe-s-1')}/init.pid) -p -m sh -c 'grep -lx exe /proc/[0-9]*/comm | grep -v ^/proc/1/'`, 'the re-run shim');
    // While any shim runs, a write open fails with ETXTBSY; once none does
    // (all containers stopped, the attacker's fd kept somewhere), only a
    // read-only mount stops it: that is what is checked (statvfs ST_RDONLY).
    const mountOf = (pid: string) =>
      `python3 -c "import os; fd = os.open('/proc/${pid}/exe', os.O_RDONLY); print('read-only' if os.statvfs(fd).f_flag & os.ST_RDONLY else 'WRITABLE')"`;
    const found = "$(grep -lx exe /proc/[0-9]*/comm | grep -v ^/proc/1/ | head -1 | cut -d/ -f3)";
    const viaExec = await tsc(host, dir, ['exec', '-T', 's', 'sh', '-c', `p=${found}; ${mountOf('$p')}; kill $p`]);
    t.is(viaExec.stdout.trim(), 'read-only', `exec: ${viaExec.stderr}`);
    await running;
    // A command of /proc/self/exe: PID 1 of service c.
    const viaCommand = await tsc(host, dir, ['exec', '-T', 'c', 'sh', '-c', mountOf('1')]);
    t.is(viaCommand.stdout.trim(), 'read-only', `run: ${viaCommand.stderr}`);
    t.true(fs.readFileSync(shimPath).equals(before), 'the host\'s tsc-shim is unchanged');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

// Types "echo INJECTED" + newline into its stdin's terminal.
const TIOCSTI = `import fcntl, os, termios, sys
print('size', os.get_terminal_size(0).lines, os.get_terminal_size(0).columns, flush=True)
for c in b'echo INJECTED\\n':
    try:
        fcntl.ioctl(0, termios.TIOCSTI, bytes([c]))
    except OSError as e:
        print('TIOCSTI', e)
        break
sys.exit(7)`;

// CVE-2016-10124 class (LXC): a command given the caller's terminal types
// into it with TIOCSTI; the caller's shell runs that once exec returns.
test('exec -t gives the command a pty of its own: TIOCSTI does not reach the caller\'s terminal; size, exit code and ^C pass', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(host, `name: pty\nservices:\n  s:\n    init: true\n    command: ["sleep", "infinity"]\n`);
    await ok(host, dir, ['up', '-d']);
    const drive = (steps: string[][], execArgv: string[]) =>
      host.run(['python3', '-c', PTY_DRIVER, JSON.stringify(steps), ...callerShell(execArgv)], { cwd: dir, timeoutMs: 60_000 });
    const r = await drive([['rc=', 'clean\n']], ['exec', 's', 'python3', '-c', TIOCSTI]);
    t.regex(r.stdout, /size 33 111/, 'the command sees the caller\'s window size');
    t.regex(r.stdout, /rc=7/, 'the exit code passes through');
    t.regex(r.stdout, /after:clean/, `the caller's shell read what was typed, not what the command injected: ${r.stdout}`);
    // -T: pipes, no terminal at all.
    const p = await drive([['rc=', 'clean\n']], ['exec', '-T', 's', 'python3', '-c', TIOCSTI]);
    t.regex(p.stdout, /rc=1/, 'no terminal on stdin: get_terminal_size fails');
    t.regex(p.stdout, /after:clean/, `-T: nothing injected: ${p.stdout}`);
    // ^C typed in the caller's terminal interrupts the command.
    const c = await drive([['ready', '\x03'], ['rc=', 'clean\n']], ['exec', 's', 'sh', '-c', 'echo ready; sleep 1000; echo not-reached']);
    t.regex(c.stdout, /rc=130/, `^C: ${c.stdout}`);
    t.false(c.stdout.includes('not-reached'));
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

// A PID 1 with CAP_SYS_ADMIN moves into a user namespace (and a mount
// namespace it owns) of its own making: exec would run its pre-drop steps
// as full root in a tree the container built.
test('exec refuses a container whose PID 1 moved into a user namespace of its own', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: uns\nservices:\n  s:\n    privileged: true\n    command: ["unshare", "-Urm", "sh", "-c", "echo moved; exec sleep infinity"]\n  ok:\n    privileged: true\n    command: ["sleep", "infinity"]\n`,
    );
    await ok(host, dir, ['up', '-d']);
    await waitFor(host, `grep -q moved ${stateDir('uns', 'uns-s-1')}/container.log`, 'PID 1 in its own user namespace');
    const r = await tsc(host, dir, ['exec', '-T', 's', 'sh', '-c', 'echo RAN']);
    t.is(r.code, 125, r.stderr);
    t.false(r.stdout.includes('RAN'));
    t.regex(r.stderr, /user namespace it made: refusing/);
    t.is((await ok(host, dir, ['exec', '-T', 'ok', 'sh', '-c', 'echo RAN'])).stdout, 'RAN\n', 'a container that stayed put is joined');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
