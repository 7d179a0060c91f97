/**
 * The cgroup drivers against directory trees that mimic the kernel's files
 * (each driver takes its hierarchy roots as parameters): every limit → the
 * exact files and values, creation, in-place updates, removal, stats; and
 * layout detection from mountinfo samples.
 */
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CgroupLimits } from '../../../src/plan/model';
import { Cgroups } from '../../../src/sys/cgroup';
import { parseLayout } from '../../../src/sys/cgroup/layout';
import { V1Driver, v1Writes } from '../../../src/sys/cgroup/v1';
import { V2Driver } from '../../../src/sys/cgroup/v2';

const MiB = 1024 ** 2;
const cg = { parent: '', path: 'tscompose/proj/web-1' };

function tmp(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-cgroup-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function put(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const read = (file: string) => fs.readFileSync(file, 'utf8');

/** Every file under `dir`, relative, with its content (what a test expects written). */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = read(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

// ------------------------------------------------------------------ layout

const line = (id: number, mountPoint: string, fstype: string, superOptions: string) =>
  `${id} 25 0:${id} / ${mountPoint} rw,nosuid,nodev,noexec,relatime shared:${id} - ${fstype} ${fstype} ${superOptions}`;

test('layout: a unified host (cgroup2 only) is v2', (t) => {
  const info = [line(24, '/sys', 'sysfs', 'rw'), line(30, '/sys/fs/cgroup', 'cgroup2', 'rw,nsdelegate,memory_recursiveprot')].join('\n');
  t.deepEqual(parseLayout(info), { kind: 'v2', v1: {}, v2: '/sys/fs/cgroup' });
});

test('layout: v1 controllers, co-mounted cpu,cpuacct share their directory, named hierarchies do not count', (t) => {
  const info = [
    line(30, '/sys/fs/cgroup', 'tmpfs', 'rw,mode=755'),
    line(31, '/sys/fs/cgroup/systemd', 'cgroup', 'rw,xattr,name=systemd'),
    line(32, '/sys/fs/cgroup/cpu,cpuacct', 'cgroup', 'rw,cpu,cpuacct'),
    line(33, '/sys/fs/cgroup/memory', 'cgroup', 'rw,memory'),
    line(34, '/sys/fs/cgroup/pids', 'cgroup', 'rw,pids'),
    line(35, '/sys/fs/cgroup/net_cls,net_prio', 'cgroup', 'rw,net_cls,net_prio'),
  ].join('\n');
  t.deepEqual(parseLayout(info), {
    kind: 'v1',
    v1: { cpu: '/sys/fs/cgroup/cpu,cpuacct', cpuacct: '/sys/fs/cgroup/cpu,cpuacct', memory: '/sys/fs/cgroup/memory', pids: '/sys/fs/cgroup/pids' },
  });
});

test('layout: this machine (v1 controllers, cgroup2 at unified without controllers) is hybrid', (t) => {
  const info = [
    line(30, '/sys/fs/cgroup', 'tmpfs', 'rw,mode=755'),
    ...['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'].map((c, i) => line(40 + i, `/sys/fs/cgroup/${c}`, 'cgroup', `rw,${c}`)),
    line(50, '/sys/fs/cgroup/systemd', 'cgroup', 'rw,name=systemd'),
    line(51, '/sys/fs/cgroup/unified', 'cgroup2', 'rw'),
  ].join('\n');
  const l = parseLayout(info);
  t.is(l.kind, 'hybrid');
  t.is(l.v2, '/sys/fs/cgroup/unified');
  t.deepEqual(Object.keys(l.v1).sort(), ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids']);
});

test('layout: a later mount on the same point wins (a bind mount of a subtree), escapes are decoded; nothing is none', (t) => {
  const info = [
    line(40, '/sys/fs/cgroup/memory', 'cgroup', 'rw,memory'),
    '90 40 0:40 /tscompose-test-1 /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    line(91, '/mnt/my\\040cgroup', 'cgroup2', 'rw'),
  ].join('\n');
  t.deepEqual(parseLayout(info), { kind: 'hybrid', v1: { memory: '/sys/fs/cgroup/memory' }, v2: '/mnt/my cgroup' });
  t.deepEqual(parseLayout(line(24, '/sys', 'sysfs', 'rw')), { kind: 'none', v1: {} });
  const covered = [line(40, '/sys/fs/cgroup/memory', 'cgroup', 'rw,memory'), line(41, '/sys/fs/cgroup/memory', 'tmpfs', 'rw')].join('\n');
  t.is(parseLayout(covered).kind, 'none', 'a cgroup mount hidden by another mount is not used');
});

// ---------------------------------------------------------------------- v1

/** A v1 host: one directory per controller, the cpuset root with CPUs 0-3 and node 0. */
function v1Tree(t: ExecutionContext) {
  const root = tmp(t);
  const mounts = Object.fromEntries(['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'blkio'].map((c) => [c, path.join(root, c)]));
  for (const dir of Object.values(mounts)) put(path.join(dir, 'cgroup.procs'), '');
  put(path.join(mounts.cpuset!, 'cpuset.cpus'), '0-3\n');
  put(path.join(mounts.cpuset!, 'cpuset.mems'), '0\n');
  const leaf = (c: string) => path.join(mounts[c]!, cg.path);
  /** What the kernel creates in a new cgroup and the driver probes: memsw (swap accounting), the BFQ weight. */
  const kernelFiles = (opts: { memsw?: boolean; blkio?: 'blkio.weight' | 'blkio.bfq.weight' } = {}) => {
    if (opts.memsw !== false) put(path.join(leaf('memory'), 'memory.memsw.limit_in_bytes'), '9223372036854771712\n');
    put(path.join(leaf('blkio'), opts.blkio ?? 'blkio.bfq.weight'), '100\n');
  };
  return { root, mounts, leaf, kernelFiles, driver: new V1Driver(mounts) };
}

test('v1 create: the cgroup in every hierarchy; new cpusets get their parent\'s CPUs and memory nodes; nothing else is written', (t) => {
  const { mounts, leaf, driver } = v1Tree(t);
  driver.create(cg);
  for (const c of Object.keys(mounts)) t.true(fs.statSync(leaf(c)).isDirectory(), c);
  t.deepEqual(files(path.join(mounts.cpuset!, 'tscompose')), {
    'cpuset.cpus': '0-3',
    'cpuset.mems': '0',
    'proj/cpuset.cpus': '0-3',
    'proj/cpuset.mems': '0',
    'proj/web-1/cpuset.cpus': '0-3',
    'proj/web-1/cpuset.mems': '0',
  });
  for (const c of ['cpu', 'memory', 'pids']) t.deepEqual(files(path.join(mounts[c]!, 'tscompose')), {}, c);
  t.deepEqual(driver.dirs(cg), Object.values(mounts).map((m) => path.join(m, cg.path)).sort());
  t.true(driver.exists(cg) === false, 'exists looks for cgroup.procs, which the kernel makes (not this fake)');
  driver.create(cg);
  t.is(read(path.join(leaf('cpuset'), 'cpuset.cpus')), '0-3', 'idempotent');
});

test('v1 create under a cgroup_parent: a parent that exists is used as it is; one we create is set up', (t) => {
  const { mounts, driver } = v1Tree(t);
  put(path.join(mounts.cpuset!, 'lab', 'cpuset.cpus'), '1\n');
  put(path.join(mounts.cpuset!, 'lab', 'cpuset.mems'), '0\n');
  const before = files(path.join(mounts.cpuset!, 'lab'));
  driver.create({ parent: 'lab/ci', path: cg.path });
  const lab = files(path.join(mounts.cpuset!, 'lab'));
  t.is(lab['cpuset.cpus'], before['cpuset.cpus'], 'the existing parent is not written');
  t.is(lab['ci/cpuset.cpus'], '1', 'the parent we created copies from its own parent');
  t.is(lab['ci/tscompose/proj/web-1/cpuset.cpus'], '1');
  t.true(fs.existsSync(path.join(mounts.memory!, 'lab/ci/tscompose/proj/web-1')));
});

/** Each limit alone on a new cgroup → exactly these files (hierarchy/file: value). */
const V1_CASES: Array<[string, CgroupLimits, Record<string, string>]> = [
  ['cpus 1.5 (period 100000, the default)', { nanoCpus: 1_500_000_000 }, { 'cpu/cpu.cfs_quota_us': '150000' }],
  ['cpus 0.5', { nanoCpus: 500_000_000 }, { 'cpu/cpu.cfs_quota_us': '50000' }],
  ['cpu_quota + cpu_period', { cpuQuota: 25000, cpuPeriod: 50000 }, { 'cpu/cpu.cfs_period_us': '50000', 'cpu/cpu.cfs_quota_us': '25000' }],
  ['cpu_quota alone', { cpuQuota: 150000 }, { 'cpu/cpu.cfs_quota_us': '150000' }],
  ['cpu_shares', { cpuShares: 512 }, { 'cpu/cpu.shares': '512' }],
  ['cpuset', { cpuset: '1,3' }, { 'cpuset/cpuset.cpus': '1,3' }],
  ['mem_limit (swap: 2 × memory)', { memory: 512 * MiB }, { 'memory/memory.limit_in_bytes': '536870912', 'memory/memory.memsw.limit_in_bytes': '1073741824' }],
  ['mem_limit + memswap_limit', { memory: 512 * MiB, memorySwap: 768 * MiB }, { 'memory/memory.limit_in_bytes': '536870912', 'memory/memory.memsw.limit_in_bytes': '805306368' }],
  ['mem_limit + unlimited swap', { memory: 512 * MiB, memorySwap: -1 }, { 'memory/memory.limit_in_bytes': '536870912' }],
  ['mem_reservation', { memoryReservation: 64 * MiB }, { 'memory/memory.soft_limit_in_bytes': '67108864' }],
  ['pids_limit', { pids: 100 }, { 'pids/pids.max': '100' }],
  ['blkio weight (BFQ)', { blkioWeight: 300 }, { 'blkio/blkio.bfq.weight': '300' }],
];

for (const [name, limits, expected] of V1_CASES) {
  test(`v1 ${name} → exactly these files`, (t) => {
    const { mounts, leaf, kernelFiles, driver } = v1Tree(t);
    driver.create(cg);
    kernelFiles();
    const snapshot = () => Object.fromEntries(Object.keys(mounts).flatMap((c) => Object.entries(files(leaf(c))).map(([f, v]) => [`${c}/${f}`, v])));
    const before = snapshot();
    const writes = driver.apply(cg, limits, {});
    const after = snapshot();
    const changed = Object.fromEntries(Object.entries(after).filter(([f, v]) => before[f] !== v));
    const expectedChanged = Object.fromEntries(Object.entries(expected).filter(([f, v]) => before[f] !== v));
    t.deepEqual(changed, expectedChanged);
    t.deepEqual(Object.fromEntries(writes.map((w) => [`${path.basename(mounts[w.file.split('.')[0]!]!)}/${w.file}`, w.value])), expected);
  });
}

test('v1: blkio.weight (CFQ) when the cgroup has it; no weight file at all is an error naming it; no memsw file: no swap limit', (t) => {
  const a = v1Tree(t);
  a.driver.create(cg);
  a.kernelFiles({ blkio: 'blkio.weight', memsw: false });
  a.driver.apply(cg, { blkioWeight: 300, memory: 64 * MiB }, {});
  t.is(read(path.join(a.leaf('blkio'), 'blkio.weight')), '300');
  t.false(fs.existsSync(path.join(a.leaf('memory'), 'memory.memsw.limit_in_bytes')));
  const b = v1Tree(t);
  b.driver.create(cg);
  const e = t.throws(() => b.driver.apply(cg, { blkioWeight: 300 }, {}));
  t.regex(String(e?.message ?? ''), /neither blkio\.weight nor blkio\.bfq\.weight/);
});

test('v1 update in place: only what changed is written; a removed limit goes back to the kernel default', (t) => {
  const { leaf, kernelFiles, driver } = v1Tree(t);
  driver.create(cg);
  kernelFiles();
  const first: CgroupLimits = { nanoCpus: 500_000_000, memory: 256 * MiB, pids: 50, cpuset: '1', cpuShares: 512 };
  driver.apply(cg, first, {});
  const writes = driver.apply(cg, { nanoCpus: 1_000_000_000, memory: 256 * MiB }, first);
  t.deepEqual(writes, [
    { file: 'cpu.cfs_quota_us', value: '100000' },
    { file: 'cpu.shares', value: '1024' },
    { file: 'cpuset.cpus', value: '0-3' },
    { file: 'pids.max', value: 'max' },
  ]);
  t.is(read(path.join(leaf('pids'), 'pids.max')), 'max');
  t.is(read(path.join(leaf('cpuset'), 'cpuset.cpus')), '0-3', 'an unset cpuset is the parent\'s');
  t.is(read(path.join(leaf('memory'), 'memory.limit_in_bytes')), String(256 * MiB), 'unchanged, not rewritten');
  const all = driver.apply(cg, {}, { memory: 256 * MiB });
  t.deepEqual(all.map((w) => `${w.file}=${w.value}`), ['memory.limit_in_bytes=-1', 'memory.memsw.limit_in_bytes=-1'].reverse(), 'unlimited swap first: memory may never exceed memory + swap');
  t.is(driver.apply(cg, { pids: 5 }, undefined).length, 10, 'unknown previous limits: every file is written');
  t.is(driver.apply(cg, {}, undefined).length, 10, 'unknown previous limits, none wanted: every file back to its default');
});

test('v1: unchanged limits (a new cgroup without any) read and write nothing', (t) => {
  const { mounts, leaf, driver } = v1Tree(t);
  driver.create(cg);
  // Without the files the kernel makes, any probe or write would fail or leave a file behind.
  const before = Object.fromEntries(Object.keys(mounts).map((c) => [c, files(leaf(c))]));
  const reads: string[] = [];
  // The module object itself (the namespace import only has getters).
  const nodeFs: any = require('node:fs');
  const readFileSync = nodeFs.readFileSync;
  nodeFs.readFileSync = (...a: any[]) => (reads.push(String(a[0])), readFileSync(...a));
  try {
    t.deepEqual(driver.apply(cg, {}, {}), []);
    t.deepEqual(driver.apply(cg, { pids: 5, memory: MiB }, { memory: MiB, pids: 5 }), []);
  } finally {
    nodeFs.readFileSync = readFileSync;
  }
  t.deepEqual(reads, [], 'no probing');
  t.deepEqual(Object.fromEntries(Object.keys(mounts).map((c) => [c, files(leaf(c))])), before);
});

test('v1: memory and memory + swap are written in the order that keeps memory ≤ memory + swap', (t) => {
  const probe = { memsw: true, parentCpus: '0-3' };
  const order = (limits: CgroupLimits, previous: CgroupLimits, currentMemsw: number) =>
    v1Writes(limits, previous, { ...probe, currentMemsw }).map((w) => w.file).filter((f) => f.startsWith('memory.'));
  // Raising 512m (swap 1g) to 2g (swap 4g): the new limit does not fit under the current 1g.
  t.deepEqual(order({ memory: 2048 * MiB }, { memory: 512 * MiB }, 1024 * MiB), ['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes']);
  // Lowering 2g (4g) to 512m (1g): the new memory + swap would be below the current limit.
  t.deepEqual(order({ memory: 512 * MiB }, { memory: 2048 * MiB }, 4096 * MiB), ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
  // From unlimited to 512m: limit first (the unlimited swap fits anything).
  t.deepEqual(order({ memory: 512 * MiB }, {}, -1), ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes']);
});

test('v1 stats: CPU time, memory without the inactive file cache, limit (none when unlimited), pids, block I/O', (t) => {
  const { leaf, driver } = v1Tree(t);
  put(path.join(leaf('cpuacct'), 'cpuacct.usage'), '123456789\n');
  put(path.join(leaf('memory'), 'memory.usage_in_bytes'), '10485760\n');
  put(path.join(leaf('memory'), 'memory.stat'), 'cache 4096\ninactive_file 1\ntotal_inactive_file 2097152\n');
  put(path.join(leaf('memory'), 'memory.limit_in_bytes'), '67108864\n');
  put(path.join(leaf('pids'), 'pids.current'), '3\n');
  put(path.join(leaf('pids'), 'pids.max'), 'max\n');
  put(path.join(leaf('blkio'), 'blkio.throttle.io_service_bytes_recursive'), '8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\n8:16 Read 100\nTotal 12388\n');
  t.deepEqual(driver.stats(cg), { cpuNs: 123456789, memoryBytes: 8 * MiB, memoryLimit: 64 * MiB, pids: 3, blockRead: 4196, blockWrite: 8192 });
  put(path.join(leaf('memory'), 'memory.limit_in_bytes'), '9223372036854771712\n');
  t.is(driver.stats(cg).memoryLimit, undefined);
});

test('v1 remove: the cgroup, then our emptied parents, never the cgroup_parent nor another project\'s', (t) => {
  const root = tmp(t);
  const mounts = { memory: path.join(root, 'memory'), pids: path.join(root, 'pids') };
  for (const m of Object.values(mounts)) fs.mkdirSync(m);
  const driver = new V1Driver(mounts);
  const mine = { parent: 'lab', path: 'tscompose/proj/web-1' };
  driver.create(mine);
  driver.create({ parent: 'lab', path: 'tscompose/other/db-1' });
  t.deepEqual(driver.list('lab', 'tscompose/proj'), ['tscompose/proj/web-1']);
  driver.remove(mine);
  t.false(fs.existsSync(path.join(mounts.memory, 'lab/tscompose/proj')));
  t.true(fs.existsSync(path.join(mounts.memory, 'lab/tscompose/other/db-1')), 'another project keeps its cgroup and our shared dir');
  driver.remove({ parent: 'lab', path: 'tscompose/other/db-1' });
  t.false(fs.existsSync(path.join(mounts.memory, 'lab/tscompose')));
  t.true(fs.existsSync(path.join(mounts.memory, 'lab')), 'the cgroup_parent stays');
  t.notThrows(() => driver.remove(mine), 'missing is success');
});

// ---------------------------------------------------------------------- v2

/** A unified host whose root delegates cpu, cpuset, io, memory and pids. */
function v2Tree(t: ExecutionContext, delegated = 'cpuset cpu io memory pids') {
  const root = tmp(t);
  put(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  put(path.join(root, 'cgroup.subtree_control'), `${delegated}\n`);
  const leaf = path.join(root, cg.path);
  const kernelFiles = (opts: { swap?: boolean; bfq?: boolean } = {}) => {
    if (opts.swap !== false) put(path.join(leaf, 'memory.swap.max'), 'max\n');
    if (opts.bfq) put(path.join(leaf, 'io.bfq.weight'), 'default 100\n');
  };
  return { root, leaf, kernelFiles, driver: new V2Driver(root, true) };
}

test('v2 create: our directories enable the controllers the root delegates; the root is never written', (t) => {
  const { root, driver } = v2Tree(t);
  driver.create(cg);
  t.deepEqual(files(root), {
    'cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
    'cgroup.subtree_control': 'cpuset cpu io memory pids\n',
    'tscompose/cgroup.subtree_control': '+cpu +cpuset +memory +pids +io',
    'tscompose/proj/cgroup.subtree_control': '+cpu +cpuset +memory +pids +io',
  });
  t.deepEqual(driver.dirs(cg), [path.join(root, cg.path)]);
});

const V2_CASES: Array<[string, CgroupLimits, Record<string, string>]> = [
  ['cpus 1.5', { nanoCpus: 1_500_000_000 }, { 'cpu.max': '150000 100000' }],
  ['cpu_quota + cpu_period', { cpuQuota: 25000, cpuPeriod: 50000 }, { 'cpu.max': '25000 50000' }],
  ['cpu_period alone', { cpuPeriod: 50000 }, { 'cpu.max': 'max 50000' }],
  ['cpu_shares 512', { cpuShares: 512 }, { 'cpu.weight': '50' }],
  ['cpu_shares 2', { cpuShares: 2 }, { 'cpu.weight': '1' }],
  ['cpuset', { cpuset: '0-1' }, { 'cpuset.cpus': '0-1' }],
  ['mem_limit (swap: as much as memory)', { memory: 512 * MiB }, { 'memory.max': '536870912', 'memory.swap.max': '536870912' }],
  ['mem_limit + memswap_limit', { memory: 512 * MiB, memorySwap: 768 * MiB }, { 'memory.max': '536870912', 'memory.swap.max': '268435456' }],
  ['mem_limit + no swap', { memory: 512 * MiB, memorySwap: 512 * MiB }, { 'memory.max': '536870912', 'memory.swap.max': '0' }],
  ['mem_limit + unlimited swap', { memory: 512 * MiB, memorySwap: -1 }, { 'memory.max': '536870912' }],
  ['mem_reservation', { memoryReservation: 64 * MiB }, { 'memory.low': '67108864' }],
  ['pids_limit', { pids: 100 }, { 'pids.max': '100' }],
  ['blkio weight', { blkioWeight: 300 }, { 'io.weight': 'default 60' }],
];

for (const [name, limits, expected] of V2_CASES) {
  test(`v2 ${name} → exactly these files`, (t) => {
    const { leaf, kernelFiles, driver } = v2Tree(t);
    driver.create(cg);
    kernelFiles();
    const before = files(leaf);
    driver.apply(cg, limits, {});
    const after = files(leaf);
    t.deepEqual(Object.fromEntries(Object.entries(after).filter(([f, v]) => before[f] !== v)), expected);
  });
}

test('v2: io.bfq.weight takes the blkio weight as it is; without memory.swap.max no swap is set', (t) => {
  const { leaf, kernelFiles, driver } = v2Tree(t);
  driver.create(cg);
  kernelFiles({ bfq: true, swap: false });
  driver.apply(cg, { blkioWeight: 300, memory: 64 * MiB }, {});
  t.is(read(path.join(leaf, 'io.bfq.weight')), '300');
  t.false(fs.existsSync(path.join(leaf, 'io.weight')));
  t.false(fs.existsSync(path.join(leaf, 'memory.swap.max')));
});

test('v2 update in place: only what changed; removed limits back to "max" and the defaults', (t) => {
  const { leaf, kernelFiles, driver } = v2Tree(t);
  driver.create(cg);
  kernelFiles();
  const first: CgroupLimits = { nanoCpus: 500_000_000, memory: 256 * MiB, pids: 50, cpuShares: 2048, memoryReservation: 32 * MiB };
  driver.apply(cg, first, {});
  t.deepEqual(driver.apply(cg, { nanoCpus: 500_000_000, memory: 512 * MiB }, first), [
    { file: 'cpu.weight', value: '100' },
    { file: 'memory.max', value: '536870912' },
    { file: 'memory.swap.max', value: '536870912' },
    { file: 'memory.low', value: '0' },
    { file: 'pids.max', value: 'max' },
  ]);
  t.is(read(path.join(leaf, 'pids.max')), 'max');
  t.is(read(path.join(leaf, 'cpu.max')), '50000 100000', 'unchanged');
});

test('v2: a controller the parent does not delegate is an error that says where to enable it; nothing is written above our subtree', (t) => {
  const { root, driver } = v2Tree(t, 'cpu pids');
  driver.create(cg);
  t.is(read(path.join(root, 'tscompose/cgroup.subtree_control')), '+cpu +pids');
  const e = t.throws(() => driver.apply(cg, { memory: 64 * MiB }, {}));
  t.regex(String(e?.message), /the memory controller is not enabled for .*tscompose\/proj\/web-1: add it to cgroup\.subtree_control of /);
  t.is(read(path.join(root, 'cgroup.subtree_control')), 'cpu pids\n');
  t.notThrows(() => driver.apply(cg, { pids: 10 }, {}), 'delegated controllers work');
});

test('v2 in a hybrid host only tracks processes: directories, no controllers, no limits', (t) => {
  const root = tmp(t);
  put(path.join(root, 'cgroup.subtree_control'), '');
  const driver = new V2Driver(root, false);
  driver.create(cg);
  t.deepEqual(driver.apply(cg, { memory: 64 * MiB, pids: 5 }, {}), []);
  t.deepEqual(files(path.join(root, 'tscompose')), {});
});

test('v2 stats and kill: cpu.stat, memory.current without inactive files, io.stat; cgroup.kill when the kernel has it', (t) => {
  const { leaf, driver } = v2Tree(t);
  put(path.join(leaf, 'cpu.stat'), 'usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n');
  put(path.join(leaf, 'memory.current'), '10485760\n');
  put(path.join(leaf, 'memory.stat'), 'anon 8388608\ninactive_file 1048576\n');
  put(path.join(leaf, 'memory.max'), 'max\n');
  put(path.join(leaf, 'pids.current'), '7\n');
  put(path.join(leaf, 'pids.max'), '50\n');
  put(path.join(leaf, 'io.stat'), '8:0 rbytes=4096 wbytes=100 rios=1 wios=1 dbytes=0 dios=0\n8:16 rbytes=4 wbytes=0\n');
  t.deepEqual(driver.stats(cg), { cpuNs: 2_500_000, memoryBytes: 9 * MiB, pids: 7, pidsLimit: 50, blockRead: 4100, blockWrite: 100 });
  t.false(driver.stopProcesses(cg), 'no cgroup.kill (before 5.14)');
  put(path.join(leaf, 'cgroup.kill'), '');
  t.true(driver.stopProcesses(cg));
  t.is(read(path.join(leaf, 'cgroup.kill')), '1');
});

// ------------------------------------------------------------------ facade

test('the drivers per layout: hybrid = v1 for limits + cgroup2 to track; every directory goes to the shim', (t) => {
  const hybrid = new Cgroups({ kind: 'hybrid', v1: { memory: '/m', pids: '/p' }, v2: '/u' });
  t.deepEqual(hybrid.drivers.map((d) => [d.version, d.enforces]), [[1, true], [2, false]]);
  t.deepEqual(hybrid.dirs(cg), ['/m/tscompose/proj/web-1', '/p/tscompose/proj/web-1', '/u/tscompose/proj/web-1']);
  t.deepEqual(new Cgroups({ kind: 'v2', v1: {}, v2: '/sys/fs/cgroup' }).drivers.map((d) => [d.version, d.enforces]), [[2, true]]);
  t.deepEqual(new Cgroups({ kind: 'v1', v1: { cpu: '/c' } }).drivers.map((d) => d.version), [1]);
  t.false(new Cgroups({ kind: 'none', v1: {} }).available);
});

test('the facade on a v2 tree: create, then the limits', (t) => {
  const { root, leaf, kernelFiles } = v2Tree(t);
  const cgroups = new Cgroups({ kind: 'v2', v1: {}, v2: root });
  fs.mkdirSync(leaf, { recursive: true });
  kernelFiles({ swap: false });
  cgroups.create(cg);
  cgroups.update(cg, { pids: 10 }, {});
  t.is(read(path.join(leaf, 'pids.max')), '10');
  t.deepEqual(cgroups.pids(cg), []);
  t.deepEqual(cgroups.list('', 'tscompose/proj'), ['tscompose/proj/web-1']);
});

// ------------------------------------------------------------------ support

test('support v1: what the files of existing cgroups show; an unmounted controller enforces nothing', (t) => {
  const root = tmp(t);
  const mounts = Object.fromEntries(['cpu', 'cpuset', 'memory', 'blkio'].map((c) => [c, path.join(root, c)]));
  for (const dir of Object.values(mounts)) {
    put(path.join(dir, 'cgroup.procs'), '');
    put(path.join(dir, 'cgroup.sane_behavior'), '0\n'); // a hierarchy's root: no weight files there
    put(path.join(dir, 'system.slice', 'cgroup.procs'), '');
  }
  put(path.join(mounts.cpu!, 'system.slice', 'cpu.cfs_quota_us'), '-1\n');
  put(path.join(mounts.memory!, 'system.slice', 'memory.memsw.limit_in_bytes'), '9223372036854771712\n');
  const layout = { kind: 'v1' as const, v1: mounts };
  t.deepEqual(new Cgroups(layout).support(''), {
    cpuShares: true,
    cpuQuota: true,
    cpuset: true,
    memory: true,
    memoryReservation: true,
    memorySwap: true,
    pids: false,
    memorySwappiness: false,
    oomControl: false,
    blkioWeight: false,
  });
  put(path.join(mounts.blkio!, 'system.slice', 'blkio.bfq.weight'), '100\n');
  t.true(new Cgroups(layout).support('').blkioWeight, 'BFQ: blkio.bfq.weight');
  fs.rmSync(path.join(mounts.memory!, 'system.slice', 'memory.memsw.limit_in_bytes'));
  t.false(new Cgroups(layout).support('').memorySwap, 'swap accounting off');
});

test('support v2: the controllers the parent\'s directory delegates; the weight file of a cgroup that has io', (t) => {
  const { root } = v2Tree(t, 'cpu memory');
  put(path.join(root, 'cgroup.procs'), '');
  put(path.join(root, 'lab', 'cgroup.procs'), '');
  put(path.join(root, 'lab', 'cgroup.type'), 'domain\n');
  put(path.join(root, 'lab', 'cgroup.controllers'), 'cpu memory\n');
  put(path.join(root, 'lab', 'cpu.max'), 'max 100000\n');
  put(path.join(root, 'lab', 'memory.swap.max'), 'max\n');
  put(path.join(root, 'lab', 'cgroup.subtree_control'), 'memory io\n');
  const c = new Cgroups({ kind: 'v2', v1: {}, v2: root });
  const s = c.support('');
  t.deepEqual([s.cpuShares, s.cpuQuota, s.memory, s.memorySwap, s.pids, s.cpuset, s.blkioWeight], [true, true, true, true, false, false, false]);
  const lab = c.support('lab');
  t.deepEqual([lab.cpuShares, lab.memory, lab.blkioWeight], [false, true, false], 'below lab: what lab delegates (io without a weight file seen)');
  put(path.join(root, 'lab', 'io.weight'), 'default 100\n');
  put(path.join(root, 'lab', 'cgroup.controllers'), 'cpu memory io\n');
  fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'cpu memory io\n');
  t.true(c.support('').blkioWeight, 'io delegated and a cgroup with io has io.weight');
});

test('v1: a controller that is not mounted has nothing to reset (every file written: only the mounted ones)', (t) => {
  const a = v1Tree(t);
  const { blkio: _b, pids: _p, ...rest } = a.mounts;
  const driver = new V1Driver(rest);
  driver.create(cg);
  a.kernelFiles();
  const writes = driver.apply(cg, { memory: 64 * MiB }, undefined).map((w) => w.file);
  t.false(writes.some((f) => f.startsWith('pids.') || f.startsWith('blkio.')));
  t.is(read(path.join(a.leaf('memory'), 'memory.limit_in_bytes')), String(64 * MiB));
  t.throws(() => driver.apply(cg, { pids: 10 }, {}), { message: /the pids cgroup controller is not mounted/ }, 'a limit there is still refused');
});

test('remove: an rmdir that says EBUSY for a moment after the cgroup emptied is tried again; other errors at once', async (t) => {
  const fake = (failures: string[]) => {
    const calls = { remove: 0 };
    const driver = {
      pids: () => [],
      stopProcesses: () => false,
      remove: () => {
        const code = failures[calls.remove++];
        if (code) throw Object.assign(new Error(`rmdir: ${code}`), { code });
      },
    };
    const cgroups = new Cgroups(parseLayout(''));
    (cgroups as unknown as { drivers: unknown[] }).drivers = [driver];
    return { cgroups, calls };
  };
  const cg = { parent: '', path: 'tscompose/p/s-1' };
  const brief = fake(['EBUSY', 'EBUSY']);
  await brief.cgroups.remove(cg);
  t.is(brief.calls.remove, 3, 'tried again until the rmdir went through');
  const stuck = fake(Array(20).fill('EBUSY'));
  await t.throwsAsync(stuck.cgroups.remove(cg), { message: /EBUSY/ });
  t.is(stuck.calls.remove, 7, 'a bounded number of tries');
  const other = fake(['EACCES']);
  await t.throwsAsync(other.cgroups.remove(cg), { message: /EACCES/ });
  t.is(other.calls.remove, 1);
});
