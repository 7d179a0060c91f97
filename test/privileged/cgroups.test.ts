/**
 * Resource limits against the real kernel (this machine: cgroup v1
 * controllers, cgroup2 without controllers at /sys/fs/cgroup/unified), each
 * test in its own throwaway host whose cgroup hierarchies are its own
 * `tscompose-test-…` directories (test/helpers/host.ts). Asserted with cat
 * on the kernel's files and /proc, never with tscompose's own cgroup code.
 */
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { testNeeding, withHost, type Host } from '../helpers/host';
import { leftovers, ok, sh, writeProject as writeCompose } from '../helpers/containers';
import { Cgroups } from '../../src/sys/cgroup';
import { shimPath } from '../../src/sys/native';

const MiB = 1024 * 1024;
const CG = '/sys/fs/cgroup';
const V1 = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio'];

/** `cat` inside the host, trimmed. */
async function cat(host: Host, file: string): Promise<string> {
  const r = await host.sh(`cat ${file}`);
  if (r.code !== 0) throw new Error(`cat ${file}: ${r.stderr}`);
  return r.stdout.trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ps(host: Host, dir: string): Promise<any[]> {
  return JSON.parse((await ok(host, dir, ['ps', '-a', '--json'])).stdout);
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const LIMITS = `
name: lim
services:
  web:
    command: ["sleep", "infinity"]
    cpus: 0.5
    cpu_shares: 512
    cpuset: "0"
    mem_limit: 64m
    mem_reservation: 32m
    memswap_limit: 96m
    pids_limit: 50
    oom_score_adj: 300
    blkio_config:
      weight: 300
    ulimits:
      nofile: {soft: 1000, hard: 2000}
      core: 0
  quota:
    command: ["sleep", "infinity"]
    cpu_quota: 20000
    cpu_period: 40000
    deploy:
      resources:
        limits: {memory: 48m, pids: 20}
        reservations: {cpus: 0.25}
`;

/**
 * A limit's file where this host has it (the value), else the warning `up`
 * printed for its key, once, and `plan --json` lists (Docker runs the
 * container without it: "WARNING: … Weight discarded").
 */
async function limitOrWarning(t: ExecutionContext, host: Host, dir: string, up: string, files: string[], value: string | RegExp, key: string): Promise<void> {
  const r = await host.sh(files.map((f) => `cat ${f} 2>/dev/null`).join(' || '));
  if (r.code === 0) {
    if (typeof value === 'string') t.is(r.stdout.trim(), value, files.join(' or '));
    else t.regex(r.stdout, value, files.join(' or '));
    t.notRegex(up, new RegExp(`${key.replace(/\./g, '\\.')}: this host cannot enforce`), `${key}: no warning where the file is`);
    return;
  }
  const warning = new RegExp(`^WARNING: compose\\.yaml:\\d+:\\d+ ${key.replace(/\./g, '\\.')}: this host cannot enforce .*(discarded|without swap)$`, 'gm');
  t.is(up.match(warning)?.length, 1, `${files.join(' or ')} missing: one warning for ${key} in:\n${up}`);
  const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
  t.true(plan.warnings.some((w: any) => w.path === key && /this host cannot enforce/.test(w.message)), `${key} in plan --json warnings`);
}

test('every limit is in the kernel\'s files (or, where this host has no such file, warned about and left out), the container is in its cgroup in every hierarchy, and down removes them', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, LIMITS);
    const up = (await ok(host, dir, ['up', '-d'])).stderr;
    const web = `tscompose/lim/web-1`;
    const quota = `tscompose/lim/quota-1`;
    const limit = (file: string | string[], value: string | RegExp, key: string) => limitOrWarning(t, host, dir, up, [file].flat(), value, key);
    await limit(`${CG}/cpu/${web}/cpu.cfs_quota_us`, '50000', 'services.web.cpus');
    await limit(`${CG}/cpu/${web}/cpu.cfs_period_us`, '100000', 'services.web.cpus');
    await limit(`${CG}/cpu/${web}/cpu.shares`, '512', 'services.web.cpu_shares');
    await limit(`${CG}/cpuset/${web}/cpuset.cpus`, '0', 'services.web.cpuset');
    await limit(`${CG}/memory/${web}/memory.limit_in_bytes`, String(64 * MiB), 'services.web.mem_limit');
    await limit(`${CG}/memory/${web}/memory.soft_limit_in_bytes`, String(32 * MiB), 'services.web.mem_reservation');
    await limit(`${CG}/memory/${web}/memory.memsw.limit_in_bytes`, String(96 * MiB), 'services.web.memswap_limit');
    await limit(`${CG}/pids/${web}/pids.max`, '50', 'services.web.pids_limit');
    await limit([`${CG}/blkio/${web}/blkio.bfq.weight`, `${CG}/blkio/${web}/blkio.weight`], /^(default )?300\b/m, 'services.web.blkio_config.weight');
    await limit(`${CG}/cpu/${quota}/cpu.cfs_quota_us`, '20000', 'services.quota.cpu_quota');
    await limit(`${CG}/cpu/${quota}/cpu.cfs_period_us`, '40000', 'services.quota.cpu_quota');
    await limit(`${CG}/cpu/${quota}/cpu.shares`, '256', 'services.quota.deploy.resources.reservations.cpus');
    await limit(`${CG}/memory/${quota}/memory.limit_in_bytes`, String(48 * MiB), 'services.quota.deploy.resources.limits.memory');
    if ((await host.sh(`test -e ${CG}/memory/${quota}/memory.memsw.limit_in_bytes`)).code === 0) {
      t.is(await cat(host, `${CG}/memory/${quota}/memory.memsw.limit_in_bytes`), String(96 * MiB), 'swap: 2 × memory by default');
    }
    await limit(`${CG}/pids/${quota}/pids.max`, '20', 'services.quota.deploy.resources.limits.pids');

    const pid = (await ps(host, dir)).find((c) => c.name === 'lim-web-1').pid;
    const membership = await cat(host, `/proc/${pid}/cgroup`);
    const mounted = (await cat(host, '/proc/self/mountinfo')).split('\n').map((l) => l.split(' ')[4]);
    for (const c of V1.filter((c) => mounted.includes(`${CG}/${c}`))) t.regex(membership, new RegExp(`^\\d+:${c}:/.*/${web}$`, 'm'), c);
    t.regex(membership, new RegExp(`^0::/.*/${web}$`, 'm'), 'and the cgroup2 hierarchy (cgroup.kill, populated events)');
    t.true((await cat(host, `${CG}/memory/${web}/cgroup.procs`)).split('\n').includes(String(pid)));
    const limits = await cat(host, `/proc/${pid}/limits`);
    t.regex(limits, /^Max open files\s+1000\s+2000\s+files\s*$/m);
    t.regex(limits, /^Max core file size\s+0\s+0\s+bytes\s*$/m);
    t.is(await cat(host, `/proc/${pid}/oom_score_adj`), '300');
    // The per-host roots are real directories of this machine's hierarchies.
    t.true(fs.existsSync(host.cgroupPath(`${CG}/memory/${web}`)));

    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('cgroup:cpu', 'cgroup:cpuset', 'cgroup:memory', 'cgroup:pids', 'cgroup:blkio')('the command is in its cgroups from its first instruction; exec joins them too, with the ulimits', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, `
name: first
services:
  probe:
    command: ["cat", "/proc/self/cgroup"]
    pids_limit: 10
  shell:
    command: ["sleep", "infinity"]
    stop_signal: SIGKILL
    mem_limit: 32m
    ulimits: {nofile: 512}
`);
    await ok(host, dir, ['up', '-d']);
    await waitFor('probe to exit', async () => ((await ps(host, dir)).find((c) => c.name === 'first-probe-1')?.state === 'exited' ? true : undefined));
    // cat was exec'd straight away (no shell): what it printed is where the exec'd image started.
    // Its cgroup namespace is made once the shim has placed it (after the v1 joins), so "/" in
    // every hierarchy means: in its own cgroup before its first instruction.
    const log = (await ok(host, dir, ['logs', 'probe'])).stdout;
    for (const c of [...V1, '']) t.regex(log, new RegExp(`\\d+:${c}:/$`, 'm'), c || 'cgroup2');
    // Seen from the host, the long-running container is in our subtree in every hierarchy.
    const [{ pid }] = (await ps(host, dir)).filter((c) => c.name === 'first-shell-1');
    const fromHost = await cat(host, `/proc/${pid}/cgroup`);
    for (const c of [...V1, '']) t.regex(fromHost, new RegExp(`\\d+:${c}:/.*/tscompose/first/shell-1$`, 'm'), c || 'cgroup2');
    // exec joins the container's cgroups (and its cgroup namespace: "/" again) with its ulimits.
    const exec = await ok(host, dir, ['exec', '-T', 'shell', 'sh', '-c', 'cat /proc/self/cgroup; ulimit -n']);
    for (const c of [...V1, '']) t.regex(exec.stdout, new RegExp(`\\d+:${c}:/$`, 'm'), c || 'cgroup2');
    t.regex(exec.stdout, /^512$/m);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('the shim refuses a --cgroup that is not a cgroup directory, and starts nothing', async (t) => {
  await withHost(t, async (host) => {
    const r = await host.sh(`mkdir -m 0700 /run/tscompose/x && ${shimPath} run --state-dir /run/tscompose/x --cgroup /tmp -- true; echo rc=$?`);
    t.is(r.stdout.trim(), 'err fstatfs ENOTDIR 20 /tmp: not a cgroup directory\nrc=1');
    t.false(fs.existsSync('/run/tscompose/x/init.pid'));
  });
});

testNeeding('cgroup:memory')('a container killed by its memory limit is reported exited 137 with OOMKilled; a plain SIGKILL is not', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, `
name: oom
services:
  hog:
    command: ["python3", "-c", "b = bytearray(256 * 1024 * 1024); print('survived')"]
    mem_limit: 32m
  victim:
    # Not PID 1 (a pid namespace's init cannot be SIGKILLed from inside): init runs it.
    command: ["sh", "-c", "kill -9 $$$$"]
    init: true
    mem_limit: 32m
`);
    await ok(host, dir, ['up', '-d']);
    const rows = await waitFor('both to exit', async () => {
      const list = await ps(host, dir);
      return list.every((c) => c.state === 'exited') ? list : undefined;
    });
    const hog = rows.find((c) => c.name === 'oom-hog-1');
    const victim = rows.find((c) => c.name === 'oom-victim-1');
    t.is(hog.exitCode, 137);
    t.true(hog.oomKilled);
    t.is(victim.exitCode, 137);
    t.false(victim.oomKilled);
    t.regex(hog.status, /^exited \(137\) by SIGKILL, OOMKilled /);
    t.regex(await cat(host, `${CG}/memory/tscompose/oom/hog-1/memory.oom_control`), /^oom_kill [1-9]/m, 'the kernel counted it');
    const text = (await ok(host, dir, ['ps', '-a'])).stdout;
    t.regex(text, /oom-hog-1 .*exited \(137\) by SIGKILL, OOMKilled/);
    t.notRegex((await ok(host, dir, ['logs', 'hog'])).stdout, /survived/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('cgroup:pids')('a fork bomb under pids_limit is contained, the host stays responsive, and down removes every process', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, `
name: bomb
services:
  bomb:
    # The bomb in the background; the container's init (sleep) needs no fork to live on.
    command: ["sh", "-c", "f() { f & f & wait; }; f & exec sleep infinity"]
    pids_limit: 30
`);
    await ok(host, dir, ['up', '-d']);
    const pids = `${CG}/pids/tscompose/bomb/bomb-1`;
    // The kernel refused forks: the bomb went off and hit the limit.
    await waitFor('refused forks', async () => (/^max [1-9]/m.test(await cat(host, `${pids}/pids.events`)) ? true : undefined));
    for (let i = 0; i < 5; i++) {
      t.true(Number(await cat(host, `${pids}/pids.current`)) <= 30);
      await sleep(100);
    }
    // The host (outside the cgroup) still forks and runs tscompose.
    const r = await host.sh('for i in $(seq 1 20); do /bin/true || exit 1; done; echo fine');
    t.is(r.stdout.trim(), 'fine');
    t.regex((await ok(host, dir, ['ps'])).stdout, /bomb-bomb-1/);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

/** usage (ns) and the CFS period counters of a cgroup, read together (one cat: microseconds apart, even on a loaded machine). */
async function cpuCounters(host: Host, cg: string) {
  const text = await cat(host, `${CG}/cpu/${cg}/cpu.stat ${CG}/cpuacct/${cg}/cpuacct.usage`);
  const get = (k: string) => Number(new RegExp(`^${k} (\\d+)$`, 'm').exec(text)![1]);
  return { usage: Number(/^(\d+)$/m.exec(text)![1]), periods: get('nr_periods'), throttled: get('nr_throttled') };
}

testNeeding('cgroup:cpu')('a CPU quota holds two busy loops near half a CPU, measured over two seconds of CFS periods', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, `
name: quota
services:
  busy:
    command: ["sh", "-c", "while :; do :; done & while :; do :; done"]
    cpus: 0.5
`);
    // Other tests share this machine's 2 CPUs: the host's own cgroup (made by the test, the
    // parent of ours) outweighs them, so that what holds the loops back is the quota, not contention.
    fs.writeFileSync(path.join(host.cgroupPath(`${CG}/cpu`), 'cpu.shares'), '262144');
    await ok(host, dir, ['up', '-d']);
    const cg = 'tscompose/quota/busy-1';
    await sleep(200);
    const a = await cpuCounters(host, cg);
    // Twenty 100 ms periods of the cgroup's own clock (it is always runnable): two seconds.
    const b = await waitFor('twenty CFS periods', async () => {
      const c = await cpuCounters(host, cg);
      return c.periods - a.periods >= 20 ? c : undefined;
    });
    const periods = b.periods - a.periods;
    const perPeriod = (b.usage - a.usage) / periods / 100_000_000; // fraction of each 100 ms period used
    t.log(`${periods} periods, ${(perPeriod * 100).toFixed(1)}% of a CPU, throttled in ${b.throttled - a.throttled}`);
    // Unlimited, the two loops would take two CPUs (2.0).
    t.true(perPeriod <= 0.5 * 1.1, `at most the quota (+10%): ${perPeriod}`);
    t.true(perPeriod >= 0.5 * 0.8, `near it (-20%): ${perPeriod}`);
    t.true(b.throttled - a.throttled >= periods * 0.7, 'the quota, not a lack of work, held it back');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('cgroup:cpu', 'cgroup:memory', 'cgroup:pids')('limits changed in the file are applied in place by the next up: same process, new values, and the plan says so', async (t) => {
  await withHost(t, async (host) => {
    const base = `
name: live
services:
  app:
    command: ["sleep", "infinity"]
    mem_limit: 64m
    pids_limit: 50
`;
    const dir = writeCompose(host, base);
    await ok(host, dir, ['up', '-d']);
    const pid = (await ps(host, dir))[0].pid;
    fs.writeFileSync(path.join(dir, 'compose.yaml'), base.replace('mem_limit: 64m', 'mem_limit: 128m\n    cpus: 1').replace('pids_limit: 50', 'pids_limit: 100'));
    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.deepEqual(plan.waves.flat().map((a: any) => [a.kind, a.reason]), [
      ['cgroup.update', 'limits changed, applied in place without a restart: cpus none → 1, mem_limit 64MiB → 128MiB, pids_limit 50 → 100'],
    ]);
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /Container live-app-1 {2}Limits updated in place \(cpus none → 1, mem_limit 64MiB → 128MiB, pids_limit 50 → 100\)/);
    const cg = 'tscompose/live/app-1';
    t.is(await cat(host, `${CG}/memory/${cg}/memory.limit_in_bytes`), String(128 * MiB));
    t.is(await cat(host, `${CG}/pids/${cg}/pids.max`), '100');
    t.is(await cat(host, `${CG}/cpu/${cg}/cpu.cfs_quota_us`), '100000');
    t.is((await ps(host, dir))[0].pid, pid, 'not restarted');
    // A limit removed from the file goes back to the kernel's default.
    fs.writeFileSync(path.join(dir, 'compose.yaml'), base.replace('    pids_limit: 50\n', ''));
    await ok(host, dir, ['up', '-d']);
    t.is(await cat(host, `${CG}/pids/${cg}/pids.max`), 'max');
    t.is(await cat(host, `${CG}/cpu/${cg}/cpu.cfs_quota_us`), '-1');
    t.is(await cat(host, `${CG}/memory/${cg}/memory.limit_in_bytes`), String(64 * MiB));
    t.is((await ps(host, dir))[0].pid, pid);
    t.deepEqual(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves, []);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('cgroup:memory', 'cgroup:cpuset')('cgroup_parent: our subtree goes below it; down removes our subtree and leaves the parent', async (t) => {
  await withHost(t, async (host) => {
    await host.sh(`mkdir -p ${CG}/memory/tsc-parent && cat ${CG}/memory/memory.limit_in_bytes > /dev/null`);
    const dir = writeCompose(host, `
name: par
services:
  app:
    command: ["sleep", "infinity"]
    mem_limit: 16m
    cgroup_parent: /tsc-parent/ci
`);
    await ok(host, dir, ['up', '-d']);
    t.is(await cat(host, `${CG}/memory/tsc-parent/ci/tscompose/par/app-1/memory.limit_in_bytes`), String(16 * MiB));
    const pid = (await ps(host, dir))[0].pid;
    t.regex(await cat(host, `/proc/${pid}/cgroup`), /:memory:\/.*\/tsc-parent\/ci\/tscompose\/par\/app-1$/m);
    t.regex(await cat(host, `${CG}/cpuset/tsc-parent/ci/cpuset.cpus`), /^\d/, 'a cpuset parent we created got CPUs');
    await ok(host, dir, ['down']);
    t.is((await host.sh(`ls ${CG}/memory/tsc-parent/ci`)).stdout.split(/\s+/).includes('tscompose'), false);
    t.true(fs.existsSync(host.cgroupPath(`${CG}/memory/tsc-parent/ci`)), 'the parent is not ours to remove');
  });
});

testNeeding('cgroup:cpu', 'cgroup:memory', 'cgroup:pids')('stats: CPU %, memory use and limit, pids and network counters of running containers', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, `
name: st
services:
  busy:
    command: ["sh", "-c", "while :; do :; done"]
    cpus: 0.5
    mem_limit: 64m
  idle:
    pids_limit: 20
`);
    await ok(host, dir, ['up', '-d']);
    // Three echo requests of 1000 bytes and their replies (1042 bytes each on Ethernet) between busy and its gateway:
    // far more than the little else the interface sends and receives meanwhile (IPv6 neighbour discovery).
    const busyPid = (await ps(host, dir)).find((c) => c.name === 'st-busy-1').pid;
    const gateway = JSON.parse(await sh(host, `nsenter -t ${busyPid} -n ip -j route show default`))[0].gateway;
    const stats = async () => JSON.parse((await ok(host, dir, ['stats', '--no-stream', '--json'])).stdout);
    const before = (await stats())[0].net;
    await sh(host, `nsenter -t ${busyPid} -n ping -c 3 -i 0.2 -s 1000 -W 2 ${gateway}`);
    const rows = await stats();
    t.deepEqual(rows.map((r: any) => r.name), ['st-busy-1', 'st-idle-1']);
    const busy = rows[0];
    t.true(busy.cpuPercent > 0 && busy.cpuPercent <= 70, `busy: ${busy.cpuPercent}%`);
    t.is(busy.memory.limit, 64 * MiB);
    t.true(busy.memory.usage > 0);
    t.is(busy.pids, 1);
    const sent = busy.net.tx - before.tx;
    const received = busy.net.rx - before.rx;
    t.true(sent >= 3 * 1042 && sent < 3 * 1042 + 1000 && received >= 3 * 1042 && received < 3 * 1042 + 1000, `the pings are counted: ${JSON.stringify({ before, after: busy.net })}`);
    t.true(rows[1].cpuPercent < 5);
    const table = (await ok(host, dir, ['stats', '--no-stream'])).stdout;
    t.regex(table, /^NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/m);
    t.regex(table, /^st-busy-1\s+\d+\.\d\d%\s+\S+ \/ 64MiB\s/m);
    await ok(host, dir, ['down']);
  });
});

for (const fault of ['mid:cgroup.create', 'after-wave:1', 'after-wave:5']) {
  testNeeding('cgroup:pids')(`no cgroup is left by down after up was SIGKILLed (${fault}), and the next up is clean`, async (t) => {
    await withHost(t, async (host) => {
      const dir = writeCompose(host, LIMITS);
      const crashed = await host.tscompose(['up', '-d'], { cwd: dir, env: { TSCOMPOSE_FAULT: fault } });
      t.true(crashed.signal === 'SIGKILL' || crashed.code === 137, `up should have been killed: ${crashed.stderr}`);
      t.true(host.cgroupLeftovers().length > 0, 'the crash left cgroups behind');
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);
      await ok(host, dir, ['up', '-d']);
      t.is(await cat(host, `${CG}/pids/tscompose/lim/web-1/pids.max`), '50');
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);
    });
  });
}

testNeeding('cgroup:memory', 'cgroup:pids')('a crashed up is finished by the next up: the limits a dead up never wrote are written', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, LIMITS);
    await host.tscompose(['up', '-d'], { cwd: dir, env: { TSCOMPOSE_FAULT: 'mid:cgroup.create' } });
    await ok(host, dir, ['up', '-d']);
    t.is(await cat(host, `${CG}/memory/tscompose/lim/web-1/memory.limit_in_bytes`), String(64 * MiB));
    t.is(await cat(host, `${CG}/pids/tscompose/lim/quota-1/pids.max`), '20');
    t.deepEqual(JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout).waves, []);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('cgroup:memory', 'cgroup:pids')('an up killed while it made a cgroup\'s directories left one hierarchy without it: the next up makes it and writes the limits there', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, LIMITS);
    await host.tscompose(['up', '-d'], { cwd: dir, env: { TSCOMPOSE_FAULT: 'mid:cgroup.create' } });
    // What a kill between two mkdirs leaves: the directory in memory (and the others), not in pids.
    const made = (await sh(host, `cd ${CG}/pids/tscompose/lim && ls -d */ | tr -d /`)).split('\n').filter(Boolean);
    t.true(made.length > 0, 'the killed up made a cgroup');
    for (const c of made) await sh(host, `rmdir ${CG}/pids/tscompose/lim/${c}`);
    await ok(host, dir, ['up', '-d']);
    t.is(await cat(host, `${CG}/pids/tscompose/lim/web-1/pids.max`), '50');
    t.is(await cat(host, `${CG}/pids/tscompose/lim/quota-1/pids.max`), '20');
    for (const c of ['web-1', 'quota-1']) t.not(await cat(host, `${CG}/pids/tscompose/lim/${c}/cgroup.procs`), '', `${c} runs in its pids cgroup`);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('limits this host cannot give are refused with file:line before anything is made', async (t: ExecutionContext) => {
  await withHost(t, async (host) => {
    const dir = writeCompose(host, `
name: bad
services:
  app:
    cpuset: 0-63
    ulimits: {nofile: 100000}
`);
    const r = await host.tscompose(['up', '-d'], { cwd: dir });
    t.is(r.code, 3);
    t.regex(r.stderr, /compose\.yaml:5:5 services\.app\.cpuset: cpuset 0-63: CPUs \d+-63 do not exist on this host/);
    t.regex(r.stderr, /compose\.yaml:6:15 services\.app\.ulimits\.nofile: hard limit 100000 is above this host's hard limit/);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('cgroup:pids', 'cgroup:memory')('teardown without cgroup.kill (a v1-only host): no more forks, SIGKILL to each process still in it, then rmdir', async (t) => {
  await withHost(t, async (host) => {
    const rel = 'tscompose/v1/flood-1';
    // A fork flood placed by hand (external tools) in a pids and a memory cgroup of this host.
    await host.sh(`mkdir -p ${CG}/pids/${rel} ${CG}/memory/${rel} && echo 40 > ${CG}/pids/${rel}/pids.max`);
    await host.sh(
      `setsid sh -c 'echo $$ > ${CG}/pids/${rel}/cgroup.procs; echo $$ > ${CG}/memory/${rel}/cgroup.procs; while :; do sleep 100 & done' </dev/null >/dev/null 2>&1 &`,
    );
    await waitFor('the flood to fill its pids', async () => (Number(await cat(host, `${CG}/pids/${rel}/pids.current`)) >= 30 ? true : undefined));
    // The layout of a v1 host, on this host's own hierarchy roots.
    const v1 = new Cgroups({ kind: 'v1', v1: { pids: host.cgroupPath(`${CG}/pids`), memory: host.cgroupPath(`${CG}/memory`) } });
    await v1.remove({ parent: '', path: rel });
    t.false(fs.existsSync(host.cgroupPath(`${CG}/pids/${rel}`)));
    t.false(fs.existsSync(host.cgroupPath(`${CG}/memory/tscompose`)));
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding('cgroup:cpu', 'cgroup:cpuset', 'cgroup:memory', 'cgroup:pids', 'cgroup:blkio')('shim: with a cgroup namespace the container sees its own cgroup as "/" in every hierarchy, v1 ones too', async (t) => {
  await withHost(t, async (host) => {
    const rel = 'tscompose/ns/probe-1';
    const dirs = [...V1.map((c) => `${CG}/${c}/${rel}`), `${CG}/unified/${rel}`];
    const cpuset = ['tscompose', 'tscompose/ns', rel].map((d) => `for f in cpus mems; do cat ${CG}/cpuset/cpuset.$f > ${CG}/cpuset/${d}/cpuset.$f; done`).join('; ');
    await host.sh(`mkdir -p ${dirs.join(' ')} && ${cpuset} && mkdir -m 0700 /run/tscompose/probe`);
    const args = ['run', '--state-dir', '/run/tscompose/probe', '--ns', 'mount,cgroup', ...dirs.flatMap((d) => ['--cgroup', d]), '--', 'sh', '-c', 'cat /proc/self/cgroup; exec sleep 1000'];
    const r = await host.run([shimPath, ...args]);
    const pid = Number(/^ok \d+ (\d+)\n$/.exec(r.stdout)?.[1]);
    t.true(pid > 0, r.stdout + r.stderr);
    const log = await waitFor('the cgroup lines', async () => {
      const text = (await cat(host, '/run/tscompose/probe/container.log')).split('\n').map((l) => l.split(' ').slice(3).join(' ')).join('\n');
      return /^0::/m.test(text) ? text : undefined;
    });
    for (const c of [...V1, '']) t.regex(log, new RegExp(`^\\d+:${c}:/$`, 'm'), c || 'cgroup2');
    // Seen from the host, the same process is in our cgroups.
    const outside = await cat(host, `/proc/${pid}/cgroup`);
    for (const c of [...V1, '']) t.regex(outside, new RegExp(`^\\d+:${c}:/.*/${rel}$`, 'm'), c || 'cgroup2');
    await host.sh(`kill ${pid}; while [ ! -f /run/tscompose/probe/exit.json ]; do sleep 0.05; done`);
    await host.sh(`for d in ${dirs.join(' ')}; do rmdir $d; done; rmdir ${V1.map((c) => `${CG}/${c}/tscompose/ns ${CG}/${c}/tscompose`).join(' ')} ${CG}/unified/tscompose/ns ${CG}/unified/tscompose`);
    t.deepEqual(host.cgroupLeftovers(), []);
  });
});
