/**
 * The process keys in the plan: namespaces new, joined or the host's;
 * group names from the container's own /etc/group; where sysctls go;
 * mem_swappiness and oom_kill_disable as cgroup v1 limits (warnings on
 * v2); cpu_percent as a quota of the host's CPUs; the shim's arguments.
 */
import test from 'ava';
import { plan, resolve } from '../../../src/plan';
import type { Observed } from '../../../src/plan/model';
import { execSettings } from '../../../src/plan/exec-settings';
import { shimArgs } from '../../../src/sys/shim';
import { PlanError } from '../../../src/errors';
import { emptyObserved, hostCgroupsObserved } from '../../helpers/project';
import { load, yaml } from '../compose/helpers';

const FULL = { cpuShares: true, cpuQuota: true, cpuset: true, memory: true, memoryReservation: true, memorySwap: true, pids: true, blkioWeight: true, memorySwappiness: true, oomControl: true };
const host = (over: Partial<Observed> = {}) => emptyObserved({ cgroups: hostCgroupsObserved({ support: { '': FULL } }), ...over });

const FILE = yaml`
  name: p
  services:
    donor:
      command: [sleep, inf]
      ipc: shareable
      group_add: [staff, "4242"]
      sysctls: {kernel.shmmax: "1000", net.core.somaxconn: "10"}
      shm_size: 1g
    joiner:
      command: [sleep, inf]
      pid: service:donor
      ipc: service:donor
      cgroup: host
    hosty:
      command: [sleep, inf]
      network_mode: host
      pid: host
      uts: host
      sysctls: {fs.mqueue.msg_max: "20"}
`;

test('namespaces: new, joined from the donor\'s first replica, or the host\'s; the joiner starts after the donor', (t) => {
  const d = resolve(load(FILE), host());
  const donor = d.containers['p-donor-1']!.launch;
  const joiner = d.containers['p-joiner-1']!;
  const hosty = d.containers['p-hosty-1']!.launch;
  t.deepEqual(donor.namespaces, ['mount', 'uts', 'ipc', 'pid', 'cgroup']);
  t.deepEqual(joiner.launch.namespaces, ['mount', 'uts']);
  t.deepEqual(joiner.launch.join, [{ namespace: 'pid', container: 'p-donor-1' }, { namespace: 'ipc', container: 'p-donor-1' }]);
  t.deepEqual(joiner.startAfter, ['p-donor-1']);
  t.deepEqual(joiner.restartWith, ['p-donor-1'], 'a replaced donor restarts the joiner');
  t.deepEqual(hosty.namespaces, ['mount', 'ipc', 'cgroup']);
  const named = resolve(load(FILE), host({ host: { ...emptyObserved().host, hostname: 'box' } }));
  t.is(named.containers['p-hosty-1']!.launch.env.HOSTNAME, 'box', "uts: host: the host's name");
  t.is(named.containers['p-donor-1']!.launch.env.HOSTNAME, 'donor');
  // exec joins what the container is in, joined ones included.
  t.deepEqual(execSettings(joiner.launch, joiner.netns).namespaces, ['net', 'mnt', 'uts', 'pid', 'ipc']);
  // Groups: "staff" from the root filesystem's /etc/group (the host's here: no image), and a number.
  t.deepEqual(donor.groups, [50, 4242]);
  t.is(donor.isolation!.shmSize, 1024 ** 3);
  t.deepEqual(donor.sysctls, { 'kernel.shmmax': '1000', 'net.core.somaxconn': '10' });
  t.deepEqual(hosty.sysctls, { 'fs.mqueue.msg_max': '20' }, 'network_mode: host keeps the IPC ones');
});

test('the shim gets --groups, --join-ns, --ipc-sysctl beside --sysctl, and --shm-size', (t) => {
  const args = shimArgs({
    name: 'c',
    stateDir: '/s',
    namespaces: ['mount', 'ipc'],
    binds: [],
    env: {},
    groups: [50, 4242],
    join: [{ namespace: 'pid', pid: 123 }],
    sysctls: { 'kernel.shmmax': '1000', 'net.core.somaxconn': '10' },
    rootfs: { lower: '/', rw: '/s/rootfs', readOnly: false, mounts: [], masks: [], readOnlyPaths: [], shmSize: 1024 },
    argv: ['true'],
  });
  const after = (opt: string) => args.flatMap((a, i) => (a === opt ? [args[i + 1]] : []));
  t.deepEqual(after('--groups'), ['50,4242']);
  t.deepEqual(after('--join-ns'), ['pid=123']);
  t.deepEqual(after('--ipc-sysctl'), ['kernel.shmmax=1000']);
  t.deepEqual(after('--sysctl'), ['net.core.somaxconn=10']);
  t.deepEqual(after('--shm-size'), ['1024']);
});

test('a group name missing from the container\'s /etc/group is a plan error at group_add', (t) => {
  const p = load('services:\n  a:\n    command: [sleep, inf]\n    group_add: [wheel]\n');
  const err = t.throws(() => resolve(p, host()), { instanceOf: PlanError }) as PlanError;
  t.deepEqual(err.issues.map((i) => `${i.loc?.line}:${i.loc?.col} ${i.path}: ${i.message}`), ['4:5 services.a.group_add: group wheel not found in the container\'s /etc/group']);
});

test('mem_swappiness and oom_kill_disable are cgroup v1 limits; on v2 a warning says they are discarded; cpu_percent is a quota of all the host\'s CPUs', (t) => {
  const p = load('services:\n  a:\n    command: [sleep, inf]\n    mem_limit: 64m\n    mem_swappiness: 5\n    oom_kill_disable: true\n    cpu_percent: 25\n');
  const v1 = resolve(p, host());
  t.deepEqual(v1.containers['proj-a-1']!.cgroup!.limits, { memory: 64 * 1024 ** 2, memorySwappiness: 5, oomKillDisable: 1, nanoCpus: 0.25 * 2 * 1e9 });
  const v2host = emptyObserved({ cgroups: hostCgroupsObserved({ layout: 'v2', cpus: [0, 1, 2, 3], support: { '': { ...FULL, memorySwappiness: false, oomControl: false } } }) });
  const v2 = resolve(p, v2host);
  t.deepEqual(v2.containers['proj-a-1']!.cgroup!.limits, { memory: 64 * 1024 ** 2, nanoCpus: 1e9 });
  t.deepEqual(plan(v2, v2host).warnings!.map((w) => `${w.loc?.line}:${w.loc?.col} ${w.path}: ${w.message}`), [
    '5:5 services.a.mem_swappiness: this host cannot enforce memory swappiness (cgroup v2 has no such setting; only cgroup v1\'s memory.swappiness): swappiness discarded',
    '6:5 services.a.oom_kill_disable: this host cannot enforce disabling the OOM killer (cgroup v2 has no such setting; only cgroup v1\'s memory.oom_control): oom_kill_disable discarded',
  ]);
});
