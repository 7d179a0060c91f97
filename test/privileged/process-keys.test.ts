/**
 * The process keys, seen from inside real containers in a throwaway host:
 * /dev/shm's size (shm_size), the supplementary groups (group_add, a name
 * from the container's own /etc/group), the IPC sysctls in the container's
 * own ipc namespace (the host's untouched), the v1 memory cgroup files of
 * mem_swappiness and oom_kill_disable, cpu_percent as a CFS quota; and
 * the keys that are refused (storage_opt, another runtime) with file:line
 * and nothing changed.
 */
import * as path from 'node:path';
import { testNeeding, withHost } from '../helpers/host';
import { shimPath } from '../../src/sys/native';
import { leftovers, miniRootfs, ok, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

const CG = '/sys/fs/cgroup';
const MiB = 1024 * 1024;

/** The `Groups:` line of the container's own /proc/self/status, with shell builtins only (the mini rootfs has no `id`). */
const GROUPS_OF_SELF = 'while read k v; do [ "$k" = Groups: ] && echo "groups=$v"; done < /proc/self/status; true';
/** Then waits on its stdin (stdin_open: never EOF). */
const GROUPS = `${GROUPS_OF_SELF}; echo done; read x`;

testNeeding('cgroup:memory', 'cgroup:cpu')('shm_size, group_add, IPC sysctls, mem_swappiness, oom_kill_disable and cpu_percent have their effect inside the container', async (t) => {
  await withHost(t, async (host) => {
    const hostShmmax = await sh(host, 'cat /proc/sys/kernel/shmmax');
    const hostMsgMax = await sh(host, 'cat /proc/sys/fs/mqueue/msg_max');
    const dir = writeProject(
      host,
      `name: proc
services:
  shm:
    command: ["sleep", "infinity"]
    shm_size: 128m
    sysctls:
      kernel.shmmax: 123456789
      fs.mqueue.msg_max: 77
    runtime: runc
    isolation: default
    userns_mode: host
  plain:
    command: ["sleep", "infinity"]
  groups:
    x-rootfs: ./mini
    command: ["/bin/sh", "-c", ${JSON.stringify(GROUPS.split('$').join('$$'))}]
    user: "1000"
    group_add: [lab, 4242]
    stdin_open: true
  mem:
    command: ["sleep", "infinity"]
    mem_limit: 64m
    mem_swappiness: 7
    oom_kill_disable: true
    cpu_percent: 50
    cpu_count: 2
`,
    );
    // The group name exists only in the container's /etc/group (the host's has no "lab").
    miniRootfs(path.join(dir, 'mini'), { 'etc/passwd': 'root:x:0:0::/:/bin/sh\nu:x:1000:1000::/:/bin/sh\n', 'etc/group': 'root:x:0:\nlab:x:4321:\n' });
    t.not((await host.sh('getent group lab')).code, 0, 'the host has no group "lab"');
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr + up.stdout, /warning: compose\.yaml:26:5 services\.mem\.cpu_count: cpu_count is Windows-only/i);

    // /dev/shm: 128 MiB where asked, Docker's 64 MiB elsewhere (statfs from inside).
    const size = async (svc: string) => {
      const [blocks, bsize] = (await ok(host, dir, ['exec', '-T', svc, 'stat', '-f', '-c', '%b %S', '/dev/shm'])).stdout.trim().split(' ').map(Number);
      return blocks! * bsize!;
    };
    t.is(await size('shm'), 128 * MiB);
    t.is(await size('plain'), 64 * MiB);
    // IPC sysctls: in the container's ipc namespace, not the host's.
    t.is((await tsc(host, dir, ['exec', '-T', 'shm', 'cat', '/proc/sys/kernel/shmmax'])).stdout.trim(), '123456789');
    t.is((await tsc(host, dir, ['exec', '-T', 'shm', 'cat', '/proc/sys/fs/mqueue/msg_max'])).stdout.trim(), '77');
    t.is((await tsc(host, dir, ['exec', '-T', 'plain', 'cat', '/proc/sys/kernel/shmmax'])).stdout.trim(), hostShmmax, 'another container: the kernel default of a new ipc namespace');
    t.is(await sh(host, 'cat /proc/sys/kernel/shmmax'), hostShmmax, "the host's value is untouched");
    t.is(await sh(host, 'cat /proc/sys/fs/mqueue/msg_max'), hostMsgMax);

    // group_add: "lab" from the container's /etc/group, and a number.
    await waitFor(host, `grep -q done ${stateDir('proc', 'proc-groups-1')}/container.log`, "groups' probe");
    const log = await sh(host, `cat ${stateDir('proc', 'proc-groups-1')}/container.log`);
    t.regex(log, /groups=4242 4321$/m, 'the supplementary groups of the command');
    // exec gets them too (as Docker's exec).
    const ex = await ok(host, dir, ['exec', '-T', 'groups', '/bin/sh', '-c', GROUPS_OF_SELF]);
    t.regex(ex.stdout, /groups=4242 4321$/m);

    // cgroup v1 memory files; cpu_percent 50 of all the host's CPUs as a quota.
    const mem = `${CG}/memory/tscompose/proc/mem-1`;
    t.is(await sh(host, `cat ${mem}/memory.swappiness`), '7');
    t.regex(await sh(host, `cat ${mem}/memory.oom_control`), /^oom_kill_disable 1$/m);
    const cpus = Number(await sh(host, 'nproc --all'));
    const quota = Number(await sh(host, `cat ${CG}/cpu/tscompose/proc/mem-1/cpu.cfs_quota_us`));
    const period = Number(await sh(host, `cat ${CG}/cpu/tscompose/proc/mem-1/cpu.cfs_period_us`));
    t.is(quota / period, cpus / 2);

    const plan = JSON.parse((await ok(host, dir, ['plan', '--json'])).stdout);
    t.is(plan.waves.flat().length, 0, 'nothing to do after up');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding()('storage_opt, another runtime, and IPC sysctls with ipc: host are refused at their line; nothing is changed', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: refused
services:
  a:
    command: ["true"]
    storage_opt:
      dm_basesize: 1G
  b:
    command: ["true"]
    runtime: runsc
  c:
    command: ["true"]
    ipc: host
    sysctls:
      kernel.shmmax: 1
  d:
    command: ["true"]
    shm_size: lots
`,
    );
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 3);
    t.regex(r.stderr, /compose\.yaml:6:7 services\.a\.storage_opt\.dm_basesize: storage option "dm_basesize" is not supported yet/);
    t.regex(r.stderr, /compose\.yaml:9:5 services\.b\.runtime: runtime "runsc" is not supported yet/);
    t.regex(r.stderr, /compose\.yaml:13:5 services\.c\.sysctls: sysctl kernel\.shmmax is per ipc namespace: not allowed with ipc: host/);
    t.regex(r.stderr, /compose\.yaml:17:5 services\.d\.shm_size: "lots" is not a size/);
    t.deepEqual(await leftovers(host), []);
  });
});

testNeeding()('the shim refuses IPC sysctls outside a new ipc namespace or off Docker\'s list, a joined namespace also asked anew, and a process that is gone', async (t) => {
  await withHost(t, async (host) => {
    const state = '/run/tscompose/tsc-procargs';
    await sh(host, `mkdir -m 0700 ${state}`);
    const hostShmmax = await sh(host, 'cat /proc/sys/kernel/shmmax');
    const run = async (args: string) => (await host.sh(`${shimPath} run --state-dir ${state} ${args} -- true`)).stdout;
    t.is(await run('--ipc-sysctl kernel.shmmax=1'), "err args EINVAL 22 --ipc-sysctl needs --ns ipc (it would change the host's, or another container's, ipc namespace)\n");
    t.is(await run('--ns mount,ipc --ipc-sysctl kernel.hostname=x'), 'err args EINVAL 22 --ipc-sysctl: not an ipc namespace sysctl: kernel.hostname=x\n');
    t.is(await run('--ns mount,ipc --ipc-sysctl fs.mqueue.x/../../../kernel/hostname=x'), 'err args EINVAL 22 --ipc-sysctl: not an ipc namespace sysctl: fs.mqueue.x/../../../kernel/hostname=x\n');
    t.is(await run('--ns mount,pid --join-ns pid=1'), 'err args EINVAL 22 --join-ns pid: the namespace is also in --ns\n');
    t.is(await run('--ns mount --join-ns net=1'), 'err args EINVAL 22 --join-ns must be pid=PID or ipc=PID: net=1\n');
    t.is(await run('--groups audio'), 'err args EINVAL 22 --groups must be at most 64 numeric gids, comma-separated: audio\n');
    t.regex(await run('--ns mount --join-ns ipc=4194303'), /^err pidfd_open ESRCH 3 /);
    t.is(await sh(host, 'cat /proc/sys/kernel/shmmax'), hostShmmax);
    await sh(host, `rm -rf ${state}`);
    t.deepEqual(await leftovers(host), []);
  });
});
