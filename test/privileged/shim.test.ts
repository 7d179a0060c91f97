/**
 * tsc-shim against the real kernel, each test in its own throwaway host.
 * Assertions use /proc, nsenter, stat, ip and cat from the host, not the
 * shim's own code.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot, withHost, type Host } from '../helpers/host';
import { shimPath } from '../../src/sys/native';
import { encodeRecords, execArgs, parseLaunchOutput, shimArgs, type ContainerLaunch } from '../../src/sys/shim';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run argv inside the host. Like host.run, minus its stdin race
 * (test/helpers/host.ts writes stdin unconditionally, an uncaught EPIPE
 * when the command already exited): stdin is ignored unless given.
 */
function inHost(host: Host, argv: string[], input?: string | Buffer): Promise<Result> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = [...host.enter(), ...argv];
    const child = spawn(cmd!, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}

async function sh(host: Host, script: string): Promise<string> {
  const r = await inHost(host, ['bash', '-c', script]);
  if (r.code !== 0) throw new Error(`${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(host: Host, script: string, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await inHost(host, ['bash', '-c', script])).code === 0) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A netns (ip netns add) and a 0700 state dir, named after the host. */
async function prepare(host: Host, name: string): Promise<{ netns: string; state: string }> {
  const netns = `/run/netns/${host.tag}${name}`;
  const state = `/run/tscompose/${name}`;
  await sh(host, `ip netns add ${host.tag}${name} && mkdir -m 0700 ${state}`);
  return { netns, state };
}

/** `tsc-shim run ARGS`, expecting "ok SHIM PID". */
async function runOk(t: { is(a: unknown, b: unknown, m?: string): void }, host: Host, args: string[]) {
  const r = await inHost(host, [shimPath, 'run', ...args]);
  const m = /^ok (\d+) (\d+)\n$/.exec(r.stdout);
  t.is(r.stdout.startsWith('ok '), true, `run reports ok: ${r.stdout}${r.stderr}`);
  t.is(r.code, 0);
  if (!m) throw new Error(`tsc-shim run: ${r.stdout}${r.stderr}`);
  return { shim: Number(m[1]), pid: Number(m[2]) };
}

/** The inode of a namespace: of /proc/PID/ns/TYPE, or of a bind-mounted netns file. */
async function nsOf(host: Host, pid: number, type: string): Promise<string> {
  return sh(host, `readlink /proc/${pid}/ns/${type}`);
}
async function fileNs(host: Host, file: string): Promise<string> {
  return `net:[${await sh(host, `stat -L -c %i ${file}`)}]`;
}

async function readJson(host: Host, file: string): Promise<any> {
  return JSON.parse(await sh(host, `cat ${file}`));
}

function launch(name: string, state: string, extra: Partial<ContainerLaunch> = {}): ContainerLaunch {
  return { name, stateDir: state, namespaces: [], binds: [], env: {}, sysctls: {}, argv: [], ...extra };
}

test('run: a pause container joins the given netns, with its own mount, uts and ipc namespaces', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 'a');
    const hostName = await sh(host, 'hostname');
    const c = await runOk(t, host, shimArgs(launch('a', state, {
      netnsPath: netns,
      namespaces: ['mount', 'uts', 'ipc'],
      hostname: 'web-1',
      domainname: 'lab.example',
    })));

    t.is(await nsOf(host, c.pid, 'net'), await fileNs(host, netns), 'in the netns of the file');
    for (const type of ['mnt', 'uts', 'ipc']) {
      t.not(await nsOf(host, c.pid, type), await nsOf(host, 1, type), `own ${type} namespace`);
    }
    t.is(await nsOf(host, c.pid, 'pid'), await nsOf(host, 1, 'pid'), 'no pid namespace asked');
    t.is(await nsOf(host, c.shim, 'net'), await fileNs(host, netns), 'the shim holds the netns too');
    t.is(await nsOf(host, c.shim, 'mnt'), await nsOf(host, 1, 'mnt'), 'the shim stays in the host mounts');

    t.is(await sh(host, `nsenter -t ${c.pid} -u hostname`), 'web-1');
    t.is(await sh(host, `nsenter -t ${c.pid} -u domainname`), 'lab.example');
    t.is(await sh(host, 'hostname'), hostName, 'the host keeps its name');

    t.is(await sh(host, `tr '\\0' ' ' < /proc/${c.pid}/cmdline`), 'tsc-shim pause');
    const ppid = (await sh(host, `cat /proc/${c.pid}/stat`)).split(') ')[1]!.split(' ')[1];
    t.is(Number(ppid), c.shim, 'the shim is the container process parent');
    t.is(await sh(host, `cat ${state}/shim.pid | cut -d' ' -f1`), String(c.shim));
    t.is(await sh(host, `cat ${state}/init.pid | cut -d' ' -f1`), String(c.pid));
    const starttime = (await sh(host, `cat /proc/${c.pid}/stat`)).split(') ')[1]!.split(' ')[19];
    t.is(await sh(host, `cat ${state}/init.pid`), `${c.pid} ${starttime}`, 'init.pid carries field 22 of stat');
  });
});

test('run: bind-ro files are read-only at their targets (symlinks followed); the host files are unchanged', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 'b');
    const d = '/run/tscompose/files';
    await sh(host, [
      `mkdir ${d} && cd ${d}`,
      'echo from-source > hosts.src && echo host-original > hosts',
      'echo resolv-from-source > resolv.src && echo stub-original > stub && ln -s stub resolv.conf',
    ].join(' && '));
    const c = await runOk(t, host, shimArgs(launch('b', state, {
      netnsPath: netns,
      namespaces: ['mount', 'uts', 'ipc'],
      binds: [
        { source: `${d}/hosts.src`, target: `${d}/hosts` },
        { source: `${d}/resolv.src`, target: `${d}/resolv.conf` },
      ],
    })));
    const inside = (script: string) => inHost(host, ['nsenter', '-t', String(c.pid), '-m', 'sh', '-c', script]);

    t.is((await inside(`cat ${d}/hosts`)).stdout, 'from-source\n');
    t.is((await inside(`cat ${d}/resolv.conf`)).stdout, 'resolv-from-source\n', 'through the symlink');
    t.is((await inside(`cat ${d}/stub`)).stdout, 'resolv-from-source\n', 'the link target is covered');
    const write = await inside(`echo changed > ${d}/hosts`);
    t.not(write.code, 0);
    t.regex(write.stderr, /Read-only file system/);

    t.is(await sh(host, `cat ${d}/hosts`), 'host-original', 'the host file is unchanged');
    t.is(await sh(host, `cat ${d}/stub`), 'stub-original');
    t.is(await sh(host, `findmnt -n -o TARGET ${d}/hosts || true`), '', 'no mount leaked to the host');

    // The container's mount namespace holds no /run/netns mounts (it must
    // not keep other namespaces alive); the host still has them.
    t.is((await inside("grep -c ' /run/netns' /proc/self/mountinfo || true")).stdout.trim(), '0');
    t.true((await sh(host, 'ip netns list')).includes(`${host.tag}b`));
  });
});

test('run: env, cwd and user are applied exactly; the command is found in the container PATH', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 'e');
    const c = await runOk(t, host, shimArgs(launch('e', state, {
      netnsPath: netns,
      namespaces: ['mount', 'uts', 'ipc'],
      env: { PATH: '/usr/bin:/bin', GREETING: 'hello world', EMPTY: '' },
      cwd: '/tmp',
      user: { uid: 65534, gid: 65533 },
      argv: ['sleep', '1000'],
    })));
    const environ = (await sh(host, `cat /proc/${c.pid}/environ | tr '\\0' '\\n'`)).split('\n');
    t.deepEqual(environ, ['PATH=/usr/bin:/bin', 'GREETING=hello world', 'EMPTY=']);
    t.is(await sh(host, `readlink /proc/${c.pid}/cwd`), '/tmp');
    const status = await sh(host, `grep -E '^(Uid|Gid|Groups):' /proc/${c.pid}/status`);
    t.regex(status, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    t.regex(status, /^Gid:\s+65533\s+65533\s+65533\s+65533$/m);
    t.regex(status, /^Groups:\s*$/m);
    t.is(await sh(host, `tr '\\0' ' ' < /proc/${c.pid}/cmdline`), 'sleep 1000');
  });
});

test('run: net.* sysctls are written in the container netns only; other keys are refused', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 's');
    const before = await sh(host, 'cat /proc/sys/net/ipv4/ip_forward');
    const value = before === '1' ? '0' : '1';
    await runOk(t, host, shimArgs(launch('s', state, {
      netnsPath: netns,
      namespaces: ['mount', 'uts', 'ipc'],
      sysctls: { 'net.ipv4.ip_forward': value, 'net.ipv4.conf.lo.rp_filter': '2' },
    })));
    t.is(await sh(host, `nsenter --net=${netns} cat /proc/sys/net/ipv4/ip_forward`), value);
    t.is(await sh(host, `nsenter --net=${netns} cat /proc/sys/net/ipv4/conf/lo/rp_filter`), '2');
    t.is(await sh(host, 'cat /proc/sys/net/ipv4/ip_forward'), before, 'the host netns is unchanged');

    const refused = await inHost(host, [shimPath, 'run', '--state-dir', state, '--netns', netns, '--sysctl', 'kernel.hostname=x', '--']);
    t.is(refused.code, 1);
    t.regex(refused.stdout, /^err args EINVAL 22 --sysctl: only net\.\* keys/);
    const escape = await inHost(host, [shimPath, 'run', '--state-dir', state, '--netns', netns, '--sysctl', 'net.//.kernel.hostname=x', '--']);
    t.regex(escape.stdout, /^err openat2 EXDEV 18 /, 'a key cannot climb out of /proc/sys/net');
  });
});

test('run: --ns pid makes the command PID 1 of its own pid namespace, with its own /proc', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 'p');
    const c = await runOk(t, host, shimArgs(launch('p', state, {
      netnsPath: netns,
      namespaces: ['mount', 'uts', 'ipc', 'pid', 'cgroup'],
    })));
    t.regex(await sh(host, `grep NSpid /proc/${c.pid}/status`), new RegExp(`^NSpid:\\s+${c.pid}\\s+1$`));
    t.not(await nsOf(host, c.pid, 'pid'), await nsOf(host, 1, 'pid'));
    t.not(await nsOf(host, c.pid, 'cgroup'), await nsOf(host, 1, 'cgroup'));
    t.is(await sh(host, `nsenter -t ${c.pid} -m cat /proc/1/cmdline | tr '\\0' ' '`), 'tsc-shim pause',
      "the container's /proc shows its own PID 1");

    // pause stops cleanly on SIGTERM (forwarded by the shim).
    await sh(host, `kill -TERM ${c.shim}`);
    await waitFor(host, `test -e ${state}/exit.json`, 'exit.json');
    t.like(await readJson(host, `${state}/exit.json`), { exitCode: 0, signal: null });
  });
});

test('exit.json records the exit code, or 128+n and the signal name', async (t) => {
  await withHost(t, async (host) => {
    const a = await prepare(host, 'x');
    const b = await prepare(host, 'k');
    const ca = await runOk(t, host, shimArgs(launch('x', a.state, { netnsPath: a.netns, namespaces: ['mount'], argv: ['sh', '-c', 'exit 3'] })));
    await runOk(t, host, shimArgs(launch('k', b.state, { netnsPath: b.netns, namespaces: ['mount'], argv: ['sh', '-c', 'kill -KILL $$'] })));
    await waitFor(host, `test -e ${a.state}/exit.json && test -e ${b.state}/exit.json`, 'exit.json');

    const ea = await readJson(host, `${a.state}/exit.json`);
    t.like(ea, { exitCode: 3, signal: null });
    t.regex(ea.finishedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    t.like(await readJson(host, `${b.state}/exit.json`), { exitCode: 137, signal: 'SIGKILL' });
    t.is(await sh(host, `ls ${a.state}`), 'container.log\nexit.json\ninit.pid\nshim.pid', 'no temporary files left');
    // The shim exits after writing exit.json.
    await waitFor(host, `! test -e /proc/${ca.shim}/stat || grep -q ') Z' /proc/${ca.shim}/stat`, 'the shim to exit');

    // A new container in the same state dir: the old exit status is gone, the log is kept.
    await runOk(t, host, shimArgs(launch('x', a.state, { netnsPath: a.netns, namespaces: ['mount'], argv: ['sleep', '1000'] })));
    t.is((await inHost(host, ['test', '-e', `${a.state}/exit.json`])).code, 1, 'no stale exit.json');
  });
});

test('logs: stdout and stderr in CRI format; over-long lines are split into P records', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 'l');
    const script = 'echo out-1; echo err-1 >&2; head -c 20000 /dev/zero | tr "\\0" x; echo; printf "no-newline"';
    await runOk(t, host, shimArgs(launch('l', state, { netnsPath: netns, namespaces: ['mount'], argv: ['sh', '-c', script] })));
    await waitFor(host, `test -e ${state}/exit.json`, 'exit.json');
    const lines = (await sh(host, `cat ${state}/container.log`)).split('\n');
    const records = lines.map((l) => {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (stdout|stderr) ([FP]) (.*)$/.exec(l);
      t.truthy(m, `a CRI record: ${l.slice(0, 80)}`);
      return { stream: m![2], tag: m![3], text: m![4]! };
    });
    const out = records.filter((r) => r.stream === 'stdout');
    t.deepEqual(records.filter((r) => r.stream === 'stderr'), [{ stream: 'stderr', tag: 'F', text: 'err-1' }]);
    t.deepEqual(out.map((r) => [r.tag, r.text.length]), [['F', 5], ['P', 16384], ['F', 20000 - 16384], ['F', 10]]);
    t.is(out[0]!.text, 'out-1');
    t.is(out[3]!.text, 'no-newline', 'the unterminated last line is flushed at exit');
  });
});

test('the shim survives its caller: own session, stdio on /dev/null, only the fds it needs', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 'd');
    // The caller is a shell that exits right after `run`.
    const out = await sh(host, `${shimPath} run ${shimArgs(launch('d', state, { netnsPath: netns })).join(' ')}; exit 0`);
    const [, shim, pid] = /^ok (\d+) (\d+)$/.exec(out)!;
    await sleep(100);
    const stat = (await sh(host, `cat /proc/${shim}/stat`)).split(') ')[1]!.split(' ');
    t.is(stat[3], shim, 'session leader (sid = its pid)');
    for (const fd of [0, 1, 2]) t.is(await sh(host, `readlink /proc/${shim}/fd/${fd}`), '/dev/null');
    const fds = (await sh(host, `ls /proc/${shim}/fd`)).split('\n').map(Number).sort((a, b) => a - b);
    const targets = await sh(host, `for f in /proc/${shim}/fd/*; do readlink $f; done`);
    t.false(targets.includes('/run/netns'), 'no fd on the netns file');
    t.true(fds.length <= 10, `few fds: ${fds.join(' ')} -> ${targets}`);
    t.is(await sh(host, `ls /proc/${pid}/fd | sort -n | tr '\\n' ' '`), '0 1 2', 'the container has only 0, 1, 2');
    t.is(await sh(host, `readlink /proc/${pid}/fd/0`), '/dev/null');
    t.regex(await sh(host, `readlink /proc/${pid}/fd/1`), /^pipe:/);
  });
});

test('SIGTERM to the shim is forwarded to the container process', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 't');
    const c = await runOk(t, host, shimArgs(launch('t', state, { netnsPath: netns, namespaces: ['mount', 'uts', 'ipc'], argv: ['sleep', '1000'] })));
    await sh(host, `kill -TERM ${c.shim}`);
    await waitFor(host, `test -e ${state}/exit.json`, 'exit.json');
    t.like(await readJson(host, `${state}/exit.json`), { exitCode: 143, signal: 'SIGTERM' });
  });
});

test('failures come back as err lines with syscall and errno: exec, PATH, netns, state dir', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 'f');
    const run = (args: string[]) => inHost(host, [shimPath, 'run', '--state-dir', state, ...args]);

    let r = await run(['--netns', netns, '--ns', 'mount,uts,ipc', '--', '/nonexistent']);
    t.is(r.stdout, 'err execve ENOENT 2 /nonexistent: No such file or directory\n');
    t.is(r.code, 1);
    r = await run(['--netns', netns, '--env', 'PATH=/nonexistent', '--', 'sleep', '1']);
    t.is(r.stdout, 'err execve ENOENT 2 sleep: No such file or directory\n', "searched in the container's PATH");
    r = await run(['--netns', '/run/tscompose/f/shim.pid', '--', 'true']);
    t.is(r.stdout, 'err setns EINVAL 22 /run/tscompose/f/shim.pid: Invalid argument\n', 'not a namespace file');
    r = await run(['--netns', '/run/netns/missing', '--', 'true']);
    t.is(r.stdout, 'err open ENOENT 2 /run/netns/missing: No such file or directory\n');
    r = await run(['--netns', netns, '--ns', 'mount', '--cwd', '/nonexistent', '--', 'true']);
    t.is(r.stdout, 'err chdir ENOENT 2 /nonexistent: No such file or directory\n');
    r = await run(['--ns', 'mount', '--bind-ro', '/nonexistent:/etc/hostname', '--', 'true']);
    t.regex(r.stdout, /^err mount ENOENT 2 \/nonexistent -> \/etc\/hostname: /);
    r = await run(['--hostname', 'x', '--', 'true']);
    t.is(r.stdout, 'err args EINVAL 22 --hostname/--domainname need --ns uts\n');

    await sh(host, 'mkdir -m 0755 /run/tscompose/open');
    r = await inHost(host, [shimPath, 'run', '--state-dir', '/run/tscompose/open', '--', 'true']);
    t.regex(r.stdout, /^err fstat EPERM 1 \/run\/tscompose\/open: the state dir must be ours and mode 0700\n$/);
    t.is(await sh(host, `ls ${state} | grep -c exit.json || true`), '0', 'no container ran');
  });
});

test('launch: 20 containers through launchContainers, one failure reported at its index', async (t) => {
  await withHost(t, async (host) => {
    const n = 20;
    const list: ContainerLaunch[] = [];
    for (let i = 0; i < n; i++) {
      const { netns, state } = await prepare(host, `m${i}`);
      list.push(launch(`m${i}`, state, { netnsPath: netns, namespaces: ['mount', 'uts', 'ipc'], hostname: `m${i}` }));
    }
    await sh(host, 'mkdir -m 0700 /run/tscompose/bad');
    list.push(launch('bad', '/run/tscompose/bad', { argv: ['/nonexistent'] }));
    const script = `require(${JSON.stringify(path.join(repoRoot, 'dist', 'src', 'sys', 'shim.js'))})
      .launchContainers(${JSON.stringify(list)}).then((r) => console.log(JSON.stringify(r)))`;
    const r = await inHost(host, [process.execPath, '-e', script]);
    t.is(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout);
    t.is(results.length, n + 1);
    t.like(results[n], { name: 'bad', ok: false, syscall: 'execve', code: 'ENOENT', errno: 2 });
    const pids = new Set<number>();
    for (let i = 0; i < n; i++) {
      const res = results[i];
      t.like(res, { name: `m${i}`, ok: true });
      pids.add(res.pid);
      t.is(await nsOf(host, res.pid, 'net'), await fileNs(host, list[i]!.netnsPath!), `m${i} in its netns`);
      t.is(await sh(host, `nsenter -t ${res.pid} -u hostname`), `m${i}`);
    }
    t.is(pids.size, n);

    // The wire format, straight: records on stdin, "<i> ok|err" lines out.
    const raw = await inHost(host, [shimPath, 'launch'], encodeRecords([shimArgs(list[n]!), ['--bogus']]));
    t.is(raw.code, 1);
    t.deepEqual(parseLaunchOutput(raw.stdout, ['bad', 'bogus']).map((x) => x.ok), [false, false]);
    t.regex(raw.stdout, /^1 err args EINVAL 22 --bogus needs a value$/m);
  });
});

test('exec: joins the namespaces, runs with the given env, propagates exit codes', async (t) => {
  await withHost(t, async (host) => {
    const { netns, state } = await prepare(host, 'x');
    const c = await runOk(t, host, shimArgs(launch('x', state, {
      netnsPath: netns,
      namespaces: ['mount', 'uts', 'ipc', 'pid'],
      hostname: 'exec-target',
    })));
    const exec = (argv: string[], extra: { cwd?: string; user?: { uid: number; gid: number } } = {}) =>
      inHost(host, [shimPath, ...execArgs({
        pid: c.pid,
        namespaces: ['net', 'mnt', 'uts', 'ipc', 'pid'],
        argv,
        env: { PATH: '/usr/bin:/bin', ONLY: 'this' },
        ...extra,
      })]);

    t.is((await exec(['hostname'])).stdout, 'exec-target\n');
    t.is((await exec(['readlink', '/proc/self/ns/net'])).stdout.trim(), await fileNs(host, netns));
    t.is((await exec(['readlink', '/proc/self/ns/pid'])).stdout.trim(), await nsOf(host, c.pid, 'pid'), 'in the pid namespace');
    t.is((await exec(['cat', '/proc/1/cmdline'])).stdout, 'tsc-shim\0pause\0', "and the container's /proc");
    t.is((await exec(['env'])).stdout, 'PATH=/usr/bin:/bin\nONLY=this\n');
    t.is((await exec(['sh', '-c', 'pwd; id -u; id -g'], { cwd: '/tmp', user: { uid: 65534, gid: 65534 } })).stdout, '/tmp\n65534\n65534\n');

    t.is((await exec(['true'])).code, 0);
    t.is((await exec(['sh', '-c', 'exit 3'])).code, 3);
    t.is((await exec(['sh', '-c', 'kill -TERM $$'])).code, 143);
    const missing = await exec(['/nonexistent']);
    t.is(missing.code, 127);
    t.is(missing.stderr, 'err execve ENOENT 2 /nonexistent: No such file or directory\n');
    t.is((await exec(['/etc/passwd'])).code, 126, 'not executable');

    const gone = await inHost(host, [shimPath, 'exec', '--pid', '999999', '--ns', 'net', '--', 'true']);
    t.is(gone.code, 125);
    t.is(gone.stderr, 'err pidfd_open ESRCH 3 999999: No such process\n');
  });
});
