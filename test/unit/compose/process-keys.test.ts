/**
 * The process keys at load: what each accepts, the errors (file:line:col
 * and key), the implied start order of a joined namespace, and `config`
 * giving back what loads the same.
 */
import test from 'ava';
import { renderConfig } from '../../../src/compose/render';
import { issues, lines, load, yaml } from './helpers';

test('every process key, read', (t) => {
  const p = load(yaml`
    services:
      donor:
        ipc: shareable
        shm_size: 256m
        group_add: [audio, 44]
        sysctls: {kernel.shmmax: 68719476736, fs.mqueue.msg_max: 20, net.core.somaxconn: 1024}
        mem_limit: 64m
        mem_swappiness: 0
        oom_kill_disable: true
        cpu_percent: 25
        runtime: runc
        isolation: default
        userns_mode: host
        storage_opt: {size: 20G}
      joiner:
        pid: service:donor
        ipc: service:donor
        uts: host
        cgroup: host
      hosty:
        pid: host
        ipc: host
        cgroup: private
        storage_opt: {size: 0}
  `);
  const d = p.services.donor!;
  t.deepEqual(d.process, { shmSize: 256 * 1024 ** 2, storageSize: 20 * 1024 ** 3, groupAdd: ['audio', '44'], ipc: { kind: 'shareable' } });
  t.deepEqual(d.sysctls, { 'fs.mqueue.msg_max': '20', 'kernel.shmmax': '68719476736', 'net.core.somaxconn': '1024' });
  t.like(d.resources, { memory: 64 * 1024 ** 2, memorySwappiness: 0, oomKillDisable: 1, cpuPercent: 25 });
  t.deepEqual(p.services.joiner!.process, { pid: { kind: 'service', service: 'donor' }, ipc: { kind: 'service', service: 'donor' }, utsHost: true, cgroupHost: true });
  t.deepEqual(p.services.joiner!.dependsOn, { donor: { condition: 'service_started', required: true, restart: true } }, 'started after the donor, restarted with it');
  t.deepEqual(p.services.hosty!.process, { pid: { kind: 'host' }, ipc: { kind: 'host' } }, 'storage_opt.size 0: no limit (as Docker)');
  // config gives back a file that loads the same.
  const again = load(renderConfig(p));
  for (const s of ['donor', 'joiner', 'hosty']) {
    t.deepEqual(again.services[s]!.process, p.services[s]!.process, s);
    t.deepEqual(again.services[s]!.resources, p.services[s]!.resources, s);
  }
});

test('bad values are errors at their key, file:line:col', (t) => {
  const list = issues(
    t,
    'services:\n  a:\n    shm_size: lots\n    group_add: ["bad name"]\n    pid: container:x\n    ipc: public\n    uts: private\n    cgroup: shared\n    userns_mode: private\n    runtime: kata\n    isolation: hyperv\n    mem_swappiness: 101\n    cpu_percent: 101\n    storage_opt: {size: 1Q, foo: x}\n    sysctls: {vm.swappiness: 1}\n',
  );
  t.deepEqual(lines(list), [
    'compose.yaml:3:5 services.a.shm_size: "lots" is not a size (a number of bytes, or with a unit: 64m, 1g)',
    'compose.yaml:4:17 services.a.group_add.0: "bad name" is not a group name or number',
    'compose.yaml:5:5 services.a.pid: "container:x": a container outside the project cannot be joined; name a service of the file (service:NAME)',
    'compose.yaml:6:5 services.a.ipc: "public" is not a valid ipc mode ("host", "private", "shareable", "service:NAME")',
    'compose.yaml:7:5 services.a.uts: "private" is not a uts mode: only "host" (absent: the container\'s own)',
    'compose.yaml:8:5 services.a.cgroup: "shared" is not a cgroup namespace mode ("host" or "private")',
    'compose.yaml:9:5 services.a.userns_mode: "private" is not supported: containers run in the host\'s user namespace (userns_mode: host), there is no user namespace remapping',
    'compose.yaml:10:5 services.a.runtime: runtime "kata" is not supported yet: tscompose runs each container with its own shim, which does what runc does (runtime: runc is accepted); other runtimes (gVisor, Kata, WebAssembly, nvidia) are not',
    'compose.yaml:11:5 services.a.isolation: isolation "hyperv" is not supported: on Linux the only isolation is "default" (process and hyperv are Windows\')',
    'compose.yaml:12:5 services.a.mem_swappiness: 101 is out of range (must be between -1 and 100)',
    'compose.yaml:13:5 services.a.cpu_percent: 101 is out of range (must be between 0 and 100)',
    'compose.yaml:14:19 services.a.storage_opt.size: "1Q" is not a size (a number of bytes, or with a unit: 64m, 1g)',
    'compose.yaml:14:29 services.a.storage_opt.foo: storage option "foo" is not supported yet (only size exists on overlay, Docker\'s overlay2)',
    'compose.yaml:15:15 services.a.sysctls.vm.swappiness: sysctl "vm.swappiness" is not supported: only namespaced sysctls can be set (net.*, kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*)',
  ]);
});

test('namespace sharing across services: a missing or non-shareable donor, itself, IPC sysctls and shm_size outside its own ipc namespace', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a: {}
        b:
          ipc: service:a
        c:
          pid: service:nope
        d:
          pid: service:d
        e:
          ipc: host
          shm_size: 1g
          sysctls: [kernel.sem=1 2 3 4]
        f:
          ipc: service:e
        g:
          network_mode: host
          sysctls: {kernel.shmmax: 1}
        h:
          uts: host
          hostname: h
        i:
          cpus: 1
          cpu_percent: 50
    `,
  );
  t.deepEqual(lines(list), [
    'compose.yaml:4:5 services.b.ipc: service "a" has a non-shareable ipc namespace: give it ipc: shareable (as Docker requires of the donor)',
    'compose.yaml:6:5 services.c.pid: service "nope" is not defined',
    'compose.yaml:8:5 services.d.pid: a service cannot join its own pid namespace',
    'compose.yaml:11:5 services.e.shm_size: shm_size needs the container\'s own /dev/shm: not with ipc: host',
    'compose.yaml:12:5 services.e.sysctls: sysctl kernel.sem is per ipc namespace: not allowed with ipc: host (it would change the host)',
    'compose.yaml:14:5 services.f.ipc: service "e" uses the host\'s ipc namespace: use ipc: host',
    'compose.yaml:19:5 services.h.uts: uts: host conflicts with hostname: the host\'s name would be changed (as Docker refuses)',
    'compose.yaml:23:5 services.i.cpu_percent: conflicts with cpus: set the CPU limit once',
  ], 'IPC sysctls with network_mode: host are fine: they go to the container\'s own ipc namespace');
});

test('cpu_count warns that it is discarded (Docker on Linux ignores it); oom_kill_disable without a memory limit warns as Docker does', (t) => {
  const p = load('services:\n  a:\n    cpu_count: 2\n    oom_kill_disable: true\n');
  t.deepEqual(p.warnings?.map((w) => `${w.loc?.line}:${w.loc?.col} ${w.path}: ${w.message}`), [
    '4:5 services.a.oom_kill_disable: OOM killer is disabled for the container, but no memory limit is set: this can make the host run out of memory (as Docker warns)',
    '3:5 services.a.cpu_count: cpu_count is Windows-only (Docker on Linux ignores it): 2 discarded; use cpus (2) or cpuset to limit the CPUs',
  ]);
});
