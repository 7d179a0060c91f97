/**
 * The pure parts of the native boundary (argv building, record encoding,
 * parsing of result lines, pid files and exit.json) and the addon's argument
 * guards and error shape, none of which need root.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findRepoRoot, native, shimPath } from '../../../src/sys/native';
import {
  encodeRecords,
  execArgs,
  isAlive,
  parseLaunchOutput,
  parseProcStat,
  parseResultLine,
  readExit,
  readProcessRef,
  shimArgs,
  type ContainerLaunch,
} from '../../../src/sys/shim';

const minimal: ContainerLaunch = {
  name: 'web-1',
  stateDir: '/run/tscompose/p/web-1',
  namespaces: [],
  binds: [],
  env: {},
  sysctls: {},
  argv: [],
};

function tmpdir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-unit-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('shimArgs: a container without a command is name, state dir and an empty argv (pause)', (t) => {
  t.deepEqual(shimArgs(minimal), ['--name', 'web-1', '--state-dir', '/run/tscompose/p/web-1', '--']);
});

test('shimArgs: every field becomes its option, in a stable order, argv last', (t) => {
  const args = shimArgs({
    ...minimal,
    netnsPath: '/run/netns/tsc-1a2b',
    namespaces: ['mount', 'uts', 'ipc'],
    hostname: 'web',
    domainname: 'lab',
    binds: [
      { source: '/run/tscompose/p/web-1/hosts', target: '/etc/hosts' },
      { source: '/run/tscompose/p/web-1/resolv.conf', target: '/etc/resolv.conf' },
    ],
    env: { PATH: '/usr/bin:/bin', EMPTY: '', EQ: 'a=b' },
    cwd: '/srv',
    user: { uid: 1000, gid: 100 },
    sysctls: { 'net.ipv4.ip_forward': '1' },
    argv: ['nginx', '-g', 'daemon off;'],
  });
  t.deepEqual(args, [
    '--name', 'web-1',
    '--state-dir', '/run/tscompose/p/web-1',
    '--netns', '/run/netns/tsc-1a2b',
    '--ns', 'mount,uts,ipc',
    '--hostname', 'web',
    '--domainname', 'lab',
    '--bind-ro', '/run/tscompose/p/web-1/hosts:/etc/hosts',
    '--bind-ro', '/run/tscompose/p/web-1/resolv.conf:/etc/resolv.conf',
    '--env', 'PATH=/usr/bin:/bin',
    '--env', 'EMPTY=',
    '--env', 'EQ=a=b',
    '--cwd', '/srv',
    '--user', '1000:100',
    '--sysctl', 'net.ipv4.ip_forward=1',
    '--', 'nginx', '-g', 'daemon off;',
  ]);
});

test('shimArgs: refuses what the argv cannot carry (":" in a bind source, "=" in a variable name)', (t) => {
  t.throws(() => shimArgs({ ...minimal, binds: [{ source: '/a:b', target: '/c' }] }), { instanceOf: TypeError });
  t.throws(() => shimArgs({ ...minimal, env: { 'A=B': 'c' } }), { instanceOf: TypeError });
  t.throws(() => shimArgs({ ...minimal, env: { '': 'c' } }), { instanceOf: TypeError });
});

test('encodeRecords: words NUL-terminated, each record ended by an empty word', (t) => {
  const buf = encodeRecords([['--name', 'a', '--'], ['--', 'sh', 'é']]);
  t.is(buf.toString('utf8'), '--name\0a\0--\0\0--\0sh\0é\0\0');
  t.is(encodeRecords([]).length, 0);
});

test('encodeRecords: refuses words the format cannot carry (NUL, empty)', (t) => {
  t.throws(() => encodeRecords([['a\0b']]), { instanceOf: TypeError, message: /NUL/ });
  t.throws(() => encodeRecords([['--', 'printf', '']]), { instanceOf: TypeError, message: /empty/ });
});

test('parseResultLine: ok and err lines, messages keep their spaces', (t) => {
  t.deepEqual(parseResultLine('a', 'ok 123 124'), { name: 'a', ok: true, shimPid: 123, pid: 124 });
  t.deepEqual(parseResultLine('b', 'err execve ENOENT 2 /usr/bin/nope: No such file or directory'), {
    name: 'b',
    ok: false,
    syscall: 'execve',
    code: 'ENOENT',
    errno: 2,
    message: '/usr/bin/nope: No such file or directory',
  });
  const odd = parseResultLine('c', 'garbage');
  t.false(odd.ok);
  t.like(odd, { code: 'EPROTO' });
});

test('parseLaunchOutput: lines in any order land at their index; a missing one is an error', (t) => {
  const out = '2 err setns EINVAL 22 /run/netns/x: Invalid argument\n0 ok 10 11\n';
  const results = parseLaunchOutput(out, ['a', 'b', 'c']);
  t.deepEqual(results[0], { name: 'a', ok: true, shimPid: 10, pid: 11 });
  t.like(results[1], { name: 'b', ok: false, syscall: 'launch', code: 'EIO' });
  t.like(results[2], { name: 'c', ok: false, syscall: 'setns', code: 'EINVAL', errno: 22 });
});

test('readProcessRef: "<pid> <starttime>\\n", undefined when missing or malformed', (t) => {
  const dir = tmpdir(t);
  fs.writeFileSync(path.join(dir, 'shim.pid'), '4242 987654\n');
  fs.writeFileSync(path.join(dir, 'bad.pid'), '4242\n');
  t.deepEqual(readProcessRef(path.join(dir, 'shim.pid')), { pid: 4242, starttime: 987654 });
  t.is(readProcessRef(path.join(dir, 'bad.pid')), undefined);
  t.is(readProcessRef(path.join(dir, 'missing.pid')), undefined);
});

test('parseProcStat: fields are counted after the last ")" of the command name', (t) => {
  const rest = Array.from({ length: 50 }, (_, i) => String(i + 4)).join(' ');
  // field 3 = state, fields 4.. numbered by their value: starttime (22) is "22".
  t.deepEqual(parseProcStat(`77 (a) b (c)) S ${rest}\n`), { state: 'S', starttime: 22 });
  t.is(parseProcStat('garbage'), undefined);
});

test('isAlive: same pid and starttime, not a zombie', async (t) => {
  const self = parseProcStat(fs.readFileSync('/proc/self/stat', 'utf8'))!;
  t.true(isAlive({ pid: process.pid, starttime: self.starttime }));
  t.false(isAlive({ pid: process.pid, starttime: self.starttime + 1 }), 'pid reused by another process');
  t.false(isAlive({ pid: 2 ** 22 + 1, starttime: 0 }), 'beyond pid_max');

  // A zombie: sh forks `true` and becomes sleep, which never reaps it.
  const holder = spawn('sh', ['-c', 'true & exec sleep 5'], { stdio: 'ignore' });
  t.teardown(() => holder.kill('SIGKILL'));
  let zombie: number | undefined;
  for (let i = 0; i < 100 && zombie === undefined; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const kids = fs.readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim();
    const pid = Number(kids.split(' ')[0]);
    if (pid && parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state === 'Z') zombie = pid;
  }
  t.truthy(zombie, 'a zombie to look at');
  const z = parseProcStat(fs.readFileSync(`/proc/${zombie}/stat`, 'utf8'))!;
  t.false(isAlive({ pid: zombie!, starttime: z.starttime }));
});

test('readExit: exit.json as written by the shim; undefined while running; malformed throws', (t) => {
  const dir = tmpdir(t);
  t.is(readExit(dir), undefined);
  fs.writeFileSync(
    path.join(dir, 'exit.json'),
    '{"exitCode":143,"signal":"SIGTERM","finishedAt":"2024-05-01T12:00:00.123Z"}\n',
  );
  t.deepEqual(readExit(dir), { exitCode: 143, signal: 'SIGTERM', finishedAt: '2024-05-01T12:00:00.123Z' });
  fs.writeFileSync(path.join(dir, 'exit.json'), '{"exitCode":"x"}');
  t.throws(() => readExit(dir), { message: /malformed/ });
});

test('execArgs: the exec verb with its options, argv after --', (t) => {
  t.deepEqual(
    execArgs({
      pid: 77,
      namespaces: ['net', 'mnt', 'uts', 'ipc', 'pid'],
      argv: ['sh', '-c', 'exit 3'],
      env: { PATH: '/bin', TERM: 'xterm' },
      cwd: '/tmp',
      user: { uid: 1, gid: 2 },
      tty: true,
    }),
    ['exec', '--pid', '77', '--ns', 'net,mnt,uts,ipc,pid', '--cwd', '/tmp', '--user', '1:2',
      '--env', 'PATH=/bin', '--env', 'TERM=xterm', '--tty', '--', 'sh', '-c', 'exit 3'],
  );
  t.deepEqual(execArgs({ pid: 1, namespaces: [], argv: ['true'], env: {} }), ['exec', '--pid', '1', '--', 'true']);
});

test('native paths: the repo root is found from dist/, the shim path is absolute', (t) => {
  const root = findRepoRoot(__dirname);
  t.true(fs.existsSync(path.join(root, 'native', 'binding.gyp')));
  t.is(shimPath, path.join(root, 'native', 'build', 'Release', 'tsc-shim'));
  t.is(native.shimPath, shimPath);
});

test('addon: unshare and setns refuse every namespace but the network one, before any syscall', (t) => {
  const { CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWUSER } = native.constants;
  for (const flags of [CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWNET | CLONE_NEWNS]) {
    const err = t.throws(() => native.unshare(flags)) as NodeJS.ErrnoException;
    t.like(err, { code: 'EINVAL', errno: -22, syscall: 'unshare' });
    t.regex(err.message, /^EINVAL: invalid argument, unshare \(only CLONE_NEWNET/);
  }
  for (const nstype of [0, CLONE_NEWNS]) {
    t.like(t.throws(() => native.setns(0, nstype)), { code: 'EINVAL', syscall: 'setns' } as never);
  }
  t.throws(() => native.setns('3' as never, CLONE_NEWNET), { instanceOf: TypeError, code: 'ERR_INVALID_ARG_TYPE' });
});

test('addon: errors are shaped like node:fs ones (code, negative errno, syscall, path, dest)', (t) => {
  const err = t.throws(() => native.mount('/nonexistent/tsc-a', '/nonexistent/tsc-b', null, native.constants.MS_BIND)) as NodeJS.ErrnoException & { dest?: string };
  t.is(err.message, "ENOENT: no such file or directory, mount '/nonexistent/tsc-a' -> '/nonexistent/tsc-b'");
  t.like(err, { code: 'ENOENT', errno: -2, syscall: 'mount', path: '/nonexistent/tsc-a', dest: '/nonexistent/tsc-b' });
  const u = t.throws(() => native.umount2('/nonexistent/tsc-c')) as NodeJS.ErrnoException;
  t.like(u, { code: 'ENOENT', syscall: 'umount2', path: '/nonexistent/tsc-c' });
});

test('addon: flock conflicts between two open files throw EAGAIN with LOCK_NB', (t) => {
  const file = path.join(tmpdir(t), 'lock');
  fs.writeFileSync(file, '');
  const { LOCK_EX, LOCK_NB, LOCK_UN, LOCK_SH } = native.constants;
  const a = fs.openSync(file, 'r');
  const b = fs.openSync(file, 'r');
  t.teardown(() => [a, b].forEach((fd) => fs.closeSync(fd)));
  native.flock(a, LOCK_EX);
  t.like(t.throws(() => native.flock(b, LOCK_SH | LOCK_NB)), { code: 'EAGAIN', errno: -11, syscall: 'flock' } as never);
  native.flock(a, LOCK_UN);
  t.notThrows(() => native.flock(b, LOCK_EX | LOCK_NB));
});

test('addon: pidfd of our own process; signal 0 probes it; a bad fd is EBADF', (t) => {
  const fd = native.pidfdOpen(process.pid);
  t.teardown(() => fs.closeSync(fd));
  t.notThrows(() => native.pidfdSendSignal(fd, 0));
  t.like(t.throws(() => native.pidfdSendSignal(-1, 0)), { code: 'EBADF', syscall: 'pidfd_send_signal' } as never);
  t.throws(() => native.pidfdSendSignal(fd, 'SIGNOPE' as never), { instanceOf: TypeError });
});

test('shimArgs: full isolation becomes --rootfs and its options; caps, no_new_privs and init last before argv', (t) => {
  const args = shimArgs({
    name: 'c',
    stateDir: '/s',
    namespaces: ['mount', 'pid'],
    binds: [],
    env: {},
    sysctls: {},
    argv: ['sleep', '1'],
    rootfs: {
      lower: '/',
      rw: '/s/rootfs',
      readOnly: true,
      mounts: [
        { kind: 'bind', source: '/a b:c', target: '/x', options: ['ro', 'rslave', 'nodev'] },
        { kind: 'tmpfs', target: '/tmp', options: [] },
      ],
      masks: ['/proc/kcore'],
      readOnlyPaths: ['/proc/sys'],
      sysRw: true,
      allDevices: true,
    },
    caps: '0xa80425fb',
    noNewPrivs: true,
    init: true,
  });
  t.deepEqual(args, [
    '--name', 'c', '--state-dir', '/s', '--ns', 'mount,pid',
    '--rootfs', '/', '--rootfs-rw', '/s/rootfs', '--read-only',
    '--bind', '/a b:c', '/x', 'ro,rslave,nodev',
    '--tmpfs', '/tmp', 'rw',
    '--mask', '/proc/kcore', '--ro-path', '/proc/sys', '--sys-rw', '--all-devices',
    '--caps', '0xa80425fb', '--no-new-privs', '--init',
    '--', 'sleep', '1',
  ]);
});
