import test from 'ava';
import { hasSysResource, parseHardLimits } from '../../../src/observe/cgroups';
import { parseNetDev, rates, type Sample } from '../../../src/observe/stats';
import { execArgs, shimArgs } from '../../../src/sys/shim';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max stack size            8388608              unlimited            bytes
Max core file size        0                    unlimited            bytes
Max processes             96364                96364                processes
Max open files            1024                 20000                files
Max locked memory         8388608              8388608              bytes
Max nice priority         0                    0
Max realtime timeout      unlimited            unlimited            us
`;

test('hard limits from /proc/PID/limits by ulimit name (-1: unlimited)', (t) => {
  t.deepEqual(parseHardLimits(LIMITS), { core: -1, cpu: -1, memlock: 8388608, nice: 0, nofile: 20000, nproc: 96364, rttime: -1, stack: -1 });
});

test('CAP_SYS_RESOURCE is bit 24 of CapEff', (t) => {
  t.true(hasSysResource('Name:\tnode\nCapEff:\t000001ffffffffff\n'));
  t.false(hasSysResource('CapEff:\t000001fffeffffff\n'), 'this machine: everything but CAP_SYS_RESOURCE');
  t.false(hasSysResource(''));
});

test('network counters: every interface but lo', (t) => {
  const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
  eth0:    1846      20    0    0    0     0          0         0      516       6    0    0    0     0       0          0
  eth1:     100       1    0    0    0     0          0         0       50       1    0    0    0     0       0          0
`;
  t.deepEqual(parseNetDev(dev), { rx: 1946, tx: 566 });
});

test('stats rates: CPU % of one CPU between samples; memory % of the limit, or of the host without one', (t) => {
  const base: Sample = { name: 'p-web-1', service: 'web', pid: 10, at: 1_000_000_000n, cpuNs: 1_000_000_000, memoryBytes: 32 * 1024 ** 2, memoryLimit: 64 * 1024 ** 2, pids: 3 };
  const later: Sample = { ...base, at: 2_000_000_000n, cpuNs: 1_500_000_000, net: { rx: 10, tx: 20 }, blockRead: 1, blockWrite: 2 };
  t.deepEqual(rates(later, base, 1024 ** 3), {
    name: 'p-web-1',
    service: 'web',
    cpuPercent: 50,
    memory: { usage: 32 * 1024 ** 2, limit: 64 * 1024 ** 2 },
    memoryPercent: 50,
    net: { rx: 10, tx: 20 },
    block: { read: 1, write: 2 },
    pids: 3,
  });
  t.is(rates(base, undefined).cpuPercent, null, 'one sample: no rate');
  t.is(rates(later, { ...base, pid: 11 }).cpuPercent, null, 'a restarted container: no rate across runs');
  const unlimited = rates({ ...later, memoryLimit: undefined }, base, 1024 ** 3);
  t.is(unlimited.memory.limit, 1024 ** 3);
});

test('shim options for limits: --cgroup per hierarchy, --rlimit NAME=SOFT:HARD, --oom-score-adj; the same for exec', (t) => {
  const limits = {
    cgroups: ['/sys/fs/cgroup/memory/tscompose/p/web-1', '/sys/fs/cgroup/unified/tscompose/p/web-1'],
    rlimits: { core: { soft: -1, hard: -1 }, nofile: { soft: 1024, hard: 2048 } },
    oomScoreAdj: -10,
  };
  const expected = [
    '--cgroup', '/sys/fs/cgroup/memory/tscompose/p/web-1',
    '--cgroup', '/sys/fs/cgroup/unified/tscompose/p/web-1',
    '--rlimit', 'core=unlimited:unlimited',
    '--rlimit', 'nofile=1024:2048',
    '--oom-score-adj', '-10',
  ];
  const run = shimArgs({ name: 'web-1', stateDir: '/s', namespaces: [], binds: [], env: {}, sysctls: {}, argv: ['sleep', '1'], ...limits });
  t.deepEqual(run.slice(4), [...expected, '--', 'sleep', '1']);
  const exec = execArgs({ pid: 5, namespaces: [], argv: ['sh'], env: {}, ...limits });
  t.deepEqual(exec.slice(3), [...expected, '--', 'sh']);
});
