/**
 * The N-API addon against the real kernel, each test in its own throwaway
 * host. The code under test runs in a Node process inside the host; the
 * assertions use ip, flock, stat and /proc from outside that process.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot, withHost, type Host } from '../helpers/host';

const NATIVE = path.join(repoRoot, 'dist', 'src', 'sys', 'native.js');
const NETLINK = path.join(repoRoot, 'node_modules', 'netlink');

interface NodeInHost {
  /** The first line the script printed, parsed as JSON. */
  ready: Promise<any>;
  /** Close its stdin (the scripts exit then) and wait for it. */
  stop(): Promise<number | null>;
}

/**
 * Run a Node script inside the host that prints one JSON line and stays
 * alive until its stdin closes, so the test can look at it meanwhile.
 */
function nodeInHost(host: Host, body: string): NodeInHost {
  const script = `
    const fs = require('fs');
    const { native, inNetns } = require(${JSON.stringify(NATIVE)});
    const done = (value) => {
      console.log(JSON.stringify(value));
      process.stdin.on('end', () => process.exit(0)).resume();
    };
    (async () => { ${body} })().catch((e) => {
      console.log(JSON.stringify({ error: { message: e.message, code: e.code, syscall: e.syscall } }));
      process.exit(1);
    });`;
  const [cmd, ...args] = host.enter();
  const child = spawn(cmd!, [...args, process.execPath, '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const ready = new Promise<any>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.once('exit', (code) => reject(new Error(`node in host exited ${code}: ${out}${err}`)));
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  return {
    ready,
    stop: () => {
      child.stdin.end();
      return exited;
    },
  };
}

/**
 * host.run without its stdin race: test/helpers/host.ts always writes stdin,
 * which throws an uncaught EPIPE when the command has already exited (stdio
 * pipes are socketpairs). Same argv prefix (host.enter()), stdin ignored.
 */
function inHost(host: Host, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = [...host.enter(), ...argv];
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
  });
}

async function sh(host: Host, script: string): Promise<string> {
  const r = await inHost(host, ['bash', '-c', script]);
  if (r.code !== 0) throw new Error(`${script}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

async function ipJson(host: Host, args: string[]): Promise<any> {
  const out = await sh(host, `ip -j ${args.join(' ')}`);
  return out ? JSON.parse(out) : [];
}

test('createNetns recipe: unshare + bind mount + setns back makes a netns that ip netns sees', async (t) => {
  await withHost(t, async (host) => {
    const name = `${host.tag}n`;
    const node = nodeInHost(
      host,
      `const { CLONE_NEWNET, MS_BIND } = native.constants;
       const before = fs.readlinkSync('/proc/thread-self/ns/net');
       const home = fs.openSync('/proc/thread-self/ns/net', 'r');
       fs.closeSync(fs.openSync('/run/netns/${name}', 'wx'));
       native.unshare(CLONE_NEWNET);
       native.mount('/proc/thread-self/ns/net', '/run/netns/${name}', null, MS_BIND, null);
       native.setns(home, CLONE_NEWNET);
       done({ pid: process.pid, before, after: fs.readlinkSync('/proc/thread-self/ns/net') });`,
    );
    const r = await node.ready;
    t.is(await node.stop(), 0);
    t.is(r.after, r.before, 'the main thread is back in its namespace');

    const list: Array<{ name: string }> = await ipJson(host, ['netns', 'list']);
    t.true(list.some((n) => n.name === name), `ip netns list shows ${name}`);
    const nsInode = await sh(host, `stat -L -c %i /run/netns/${name}`);
    const hostNs = await sh(host, 'readlink /proc/1/ns/net');
    t.not(`net:[${nsInode}]`, hostNs, 'a new namespace, not the host one');
    const links: Array<{ ifname: string }> = await ipJson(host, ['-n', name, 'link', 'show']);
    t.deepEqual(links.map((l) => l.ifname), ['lo']);
  });
});

test('a netlink socket opened while the main thread is in a netns lands in that netns', async (t) => {
  await withHost(t, async (host) => {
    const name = `${host.tag}s`;
    await sh(host, `ip netns add ${name} && ip -n ${name} link add ${host.tag}a type veth peer name ${host.tag}b`);
    const node = nodeInHost(
      host,
      `const { createRtNetlink } = require(${JSON.stringify(NETLINK)});
       const fd = fs.openSync('/run/netns/${name}', 'r');
       const rt = inNetns(fd, () => createRtNetlink());
       const links = await rt.getLinks();
       done({ pid: process.pid, links: links.map((l) => l.attrs.ifname).sort() });`,
    );
    const r = await node.ready;
    try {
      t.deepEqual(r.links, [`${host.tag}a`, `${host.tag}b`, 'lo'].sort(), 'the socket lists the netns links');
      t.is(
        await sh(host, `readlink /proc/${r.pid}/task/${r.pid}/ns/net`),
        await sh(host, 'readlink /proc/1/ns/net'),
        'the main thread went back to the host netns',
      );
      // Socket inodes of the Node process, and the netlink sockets each netns lists.
      const fds = await sh(host, `ls -l /proc/${r.pid}/fd | sed -n 's/.*socket:\\[\\([0-9]*\\)\\]/\\1/p'`);
      const inodes = new Set(fds.split('\n').filter(Boolean));
      const netlinkInodes = (table: string) =>
        table.split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === '0').map((f) => f.at(-1)!);
      const inNs = netlinkInodes(await sh(host, `nsenter --net=/run/netns/${name} cat /proc/net/netlink`));
      const onHost = netlinkInodes(await sh(host, 'cat /proc/net/netlink'));
      t.true(inNs.some((i) => inodes.has(i)), 'a NETLINK_ROUTE socket of the process is in the netns');
      t.false(onHost.some((i) => inodes.has(i)), 'and none in the host netns');
    } finally {
      await node.stop();
    }
  });
});

test('flock excludes another process; LOCK_NB reports EAGAIN; unlocking on exit', async (t) => {
  await withHost(t, async (host) => {
    const file = `/run/tscompose/${host.tag}.lock`;
    await sh(host, `touch ${file}`);
    const holder = nodeInHost(
      host,
      `const fd = fs.openSync('${file}', 'r');
       native.flock(fd, native.constants.LOCK_EX);
       done({ pid: process.pid });`,
    );
    await holder.ready;
    t.is((await inHost(host, ['flock', '-n', file, 'true'])).code, 1, 'flock(1) cannot take it');

    const other = nodeInHost(
      host,
      `const fd = fs.openSync('${file}', 'r');
       try { native.flock(fd, native.constants.LOCK_EX | native.constants.LOCK_NB); done({ got: true }); }
       catch (e) { done({ got: false, code: e.code, errno: e.errno, syscall: e.syscall }); }`,
    );
    t.deepEqual(await other.ready, { got: false, code: 'EAGAIN', errno: -11, syscall: 'flock' });
    await other.stop();

    await holder.stop();
    t.is((await inHost(host, ['flock', '-n', file, 'true'])).code, 0, 'released when the holder exits');
  });
});

test('pidfdSendSignal kills the process the pidfd refers to; signal 0 probes', async (t) => {
  await withHost(t, async (host) => {
    const pid = Number(await sh(host, 'sleep 1000 >/dev/null 2>&1 & echo $!'));
    const node = nodeInHost(
      host,
      `const fd = native.pidfdOpen(${pid});
       native.pidfdSendSignal(fd, 0);
       native.pidfdSendSignal(fd, 'SIGTERM');
       done({ ok: true });`,
    );
    t.deepEqual(await node.ready, { ok: true });
    await node.stop();
    let state = '';
    for (let i = 0; i < 100; i++) {
      const r = await inHost(host, ['cat', `/proc/${pid}/stat`]);
      state = r.code === 0 ? r.stdout.slice(r.stdout.lastIndexOf(')') + 2).split(' ')[0]! : 'gone';
      if (state === 'gone' || state === 'Z') break;
      await new Promise((res) => setTimeout(res, 20));
    }
    t.true(state === 'gone' || state === 'Z', `sleep terminated (state ${state})`);
  });
});

test('tsc-probe (through runProbes): echo, refused connect, silence and a one-hop trace between two namespaces; the shim has no probe verb', async (t) => {
  await withHost(t, async (host) => {
    const [a, b] = [`${host.tag}pa`, `${host.tag}pb`];
    await sh(
      host,
      [
        `ip netns add ${a}`,
        `ip netns add ${b}`,
        `ip -n ${a} link add eth0 type veth peer name eth0 netns ${b}`,
        `ip -n ${a} addr add 10.250.0.1/24 dev eth0`,
        `ip -n ${b} addr add 10.250.0.2/24 dev eth0`,
        `ip -n ${a} addr add fd42:250::1/64 dev eth0 nodad`,
        `ip -n ${b} addr add fd42:250::2/64 dev eth0 nodad`,
        `ip -n ${a} link set eth0 up`,
        `ip -n ${b} link set eth0 up`,
      ].join(' && '),
    );
    const PROBE = path.join(repoRoot, 'dist', 'src', 'sys', 'probe.js');
    const probe = nodeInHost(
      host,
      `const { runProbes } = require(${JSON.stringify(PROBE)});
       const r = await runProbes([
         { id: 'echo', netns: '${a}', address: '10.250.0.2' },
         { id: 'echo6', netns: '${a}', address: 'fd42:250::2' },
         { id: 'closed', netns: '${a}', address: '10.250.0.2', port: 7 },
         { id: 'nobody', netns: '${a}', address: '10.250.0.3' },
         { id: 'trace', netns: '${a}', address: '10.250.0.2', trace: 4 },
       ], { timeoutMs: 1500 });
       done(Object.fromEntries(r));`,
    );
    const r = await probe.ready;
    await probe.stop();
    t.like(r.echo, { reach: true });
    t.like(r.echo6, { reach: true });
    t.deepEqual(r.closed, { reach: false, detail: 'refused' });
    t.is(r.nobody.reach, false);
    t.like(r.trace, { reach: true, hops: ['10.250.0.2'] });
    const old = await inHost(host, [path.join(repoRoot, 'native', 'build', 'Release', 'tsc-shim'), 'probe']);
    t.is(old.code, 2);
    t.regex(old.stderr, /unknown command 'probe'/);
  });
});
