/**
 * Containers' cgroups in the planner: where they go, the host checks (as
 * spec errors at the key), and the actions with their reasons — create
 * before the start, limits changed in place without a restart, delete after
 * the stop, crash-safe journaling.
 */
import test from 'ava';
import { SpecError } from '../../../src/errors';
import { nothing, plan, resolve } from '../../../src/plan';
import type { Action } from '../../../src/plan/actions';
import { journalBefore } from '../../../src/plan/journal';
import type { Observed } from '../../../src/plan/model';
import type { ServiceResources } from '../../../src/compose/types';
import { observedAfter } from '../../helpers/fake';
import { emptyObserved, hostCgroupsObserved, project, service } from '../../helpers/project';
import { load, yaml } from '../compose/helpers';

const MiB = 1024 ** 2;
const all = (p: { waves: Action[][] }) => p.waves.flat();
const res = (r: Partial<ServiceResources>): ServiceResources => ({ ulimits: {}, ...r });
const host = (over: Partial<Observed> = {}) => emptyObserved({ cgroups: hostCgroupsObserved(), ...over });
const app = (web: Partial<ServiceResources> = {}, scale = 1) =>
  project('app', [service('web', { resources: res(web), scale, command: ['sleep', '1000'] }), service('db')]);

test('every container gets tscompose/<project>/<service>-<n>, below cgroup_parent if set; ulimits and oom_score_adj go to its process', (t) => {
  const d = resolve(
    project('app', [
      service('web', { scale: 2, resources: res({ memory: 64 * MiB, ulimits: { nofile: { soft: 1024, hard: 2048 } }, oomScoreAdj: 100 }) }),
      service('db', { resources: res({ cgroupParent: 'lab/ci', pids: 10 }) }),
      service('plain'),
    ]),
    host(),
  );
  t.deepEqual(d.containers['app-web-2']!.cgroup, { parent: '', path: 'tscompose/app/web-2', limits: { memory: 64 * MiB } });
  t.is(d.containers['app-web-2']!.launch.cgroup, 'tscompose/app/web-2');
  t.deepEqual(d.containers['app-web-1']!.launch.rlimits, { nofile: { soft: 1024, hard: 2048 } });
  t.is(d.containers['app-web-1']!.launch.oomScoreAdj, 100);
  t.deepEqual(d.containers['app-db-1']!.cgroup, { parent: 'lab/ci', path: 'tscompose/app/db-1', limits: { pids: 10 } });
  t.is(d.containers['app-db-1']!.launch.cgroup, 'lab/ci/tscompose/app/db-1');
  t.deepEqual(d.containers['app-plain-1']!.cgroup, { parent: '', path: 'tscompose/app/plain-1', limits: {} }, 'a cgroup without limits too (stats, OOM, cleanup)');
});

test('host checks are spec errors at the key, with file:line: CPUs that do not exist, hard limits above ours', (t) => {
  const p = load(yaml`
    services:
      web:
        cpus: 4
        cpuset: 0-3
        ulimits:
          nofile: 30000
          core: -1
          nproc: {soft: 10, hard: -1}
        oom_score_adj: -500
      ok:
        cpus: 2
        cpuset: "1"
        ulimits: {nofile: 20000}
        oom_score_adj: 500
  `);
  const e = t.throws(() => resolve(p, host()), { instanceOf: SpecError }) as SpecError;
  t.deepEqual(e.message.split('\n'), [
    'compose.yaml:6:7 services.web.ulimits.nofile: hard limit 30000 is above this host\'s hard limit 20000 (raising it needs CAP_SYS_RESOURCE)',
    'compose.yaml:8:7 services.web.ulimits.nproc: hard limit unlimited is above this host\'s hard limit 96364 (raising it needs CAP_SYS_RESOURCE)',
    'compose.yaml:9:5 services.web.oom_score_adj: oom_score_adj -500 is below tscompose\'s own (0); lowering it needs CAP_SYS_RESOURCE',
    'compose.yaml:3:5 services.web.cpus: range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available',
    'compose.yaml:4:5 services.web.cpuset: cpuset 0-3: CPUs 2-3 do not exist on this host (it has 0-1)',
  ]);
  const privileged = host({ cgroups: hostCgroupsObserved({ sysResource: true, cpus: [0, 1, 2, 3] }) });
  t.notThrows(() => resolve(p, privileged), 'with CAP_SYS_RESOURCE and 4 CPUs all of it is possible');
});

test('limits on a host without cgroups are warned about and left out (no cgroup at all); without limits nothing needs a cgroup', (t) => {
  const p = load('services:\n  web:\n    mem_limit: 64m\n    cgroup_parent: ci\n');
  const none = resolve(p, emptyObserved());
  t.is(none.containers['proj-web-1']!.cgroup, undefined);
  t.deepEqual(none.warnings!.map((w) => `${w.loc?.line}:${w.loc?.col} ${w.path}: ${w.message}`), [
    '3:5 services.web.mem_limit: this host has no cgroup hierarchy mounted: mem_limit discarded',
    '4:5 services.web.cgroup_parent: this host has no cgroup hierarchy mounted: cgroup_parent ignored',
  ]);
  const d = resolve(load('services:\n  web: {}\n'), emptyObserved());
  t.is(d.containers['proj-web-1']!.cgroup, undefined);
  t.is(d.containers['proj-web-1']!.launch.cgroup, undefined);
});

test('a new project: each cgroup is created (with its limits in the reason) before its container starts', (t) => {
  const obs = host();
  const p = plan(resolve(app({ nanoCpus: 500_000_000, memory: 512 * MiB, pids: 100 }), obs), obs);
  const creates = all(p).filter((a) => a.kind === 'cgroup.create');
  t.deepEqual(
    creates.map((a) => [a.target, a.reason]),
    [
      ['cgroup of app-db-1', 'new: no limits'],
      ['cgroup of app-web-1', 'new: cpus 0.5, mem_limit 512MiB, pids_limit 100'],
    ],
  );
  t.is(p.waves[0]!.filter((a) => a.kind === 'cgroup.create').length, 2, 'in the first wave, beside the namespaces');
  const start = all(p).find((a) => a.id === 'container.start:app-web-1')!;
  t.true(start.after.includes('cgroup.create:app-web-1'));
  t.deepEqual(start.kind === 'container.start' && start.launch.cgroup, 'tscompose/app/web-1');
});

test('up twice changes nothing', (t) => {
  const proj = app({ memory: 64 * MiB });
  const obs = observedAfter(resolve(proj, host()), host());
  t.deepEqual(plan(resolve(proj, obs), obs).waves, []);
});

test('changed limits are applied in place: one cgroup.update that says so, no stop, no start', (t) => {
  const obs = observedAfter(resolve(app({ memory: 256 * MiB, nanoCpus: 500_000_000, pids: 50 }), host()), host());
  const p = plan(resolve(app({ memory: 512 * MiB, nanoCpus: 1_000_000_000 }), obs), obs);
  t.deepEqual(all(p).map((a) => [a.kind, a.target, a.reason]), [
    ['cgroup.update', 'cgroup of app-web-1', 'limits changed, applied in place without a restart: cpus 0.5 → 1, mem_limit 256MiB → 512MiB, pids_limit 50 → none'],
  ]);
  const u = all(p)[0]!;
  t.true(u.kind === 'cgroup.update' && u.previous?.memory === 256 * MiB && u.limits.memory === 512 * MiB);
});

test('ulimits and oom_score_adj belong to the process: a change restarts it and says why', (t) => {
  const obs = observedAfter(resolve(app({ ulimits: { nofile: { soft: 100, hard: 100 } } }), host()), host());
  const p = plan(resolve(app({ ulimits: { nofile: { soft: 200, hard: 200 } }, oomScoreAdj: 10 }), obs), obs);
  t.deepEqual(all(p).map((a) => [a.kind, a.reason]), [
    ['container.stop', 'configuration changed: ulimits, oom_score_adj'],
    ['container.start', 'configuration changed: ulimits, oom_score_adj'],
  ]);
});

test('a new cgroup_parent: new cgroup, restart, and the old cgroup removed after the stop', (t) => {
  const obs = observedAfter(resolve(app({ memory: 64 * MiB }), host()), host());
  const p = plan(resolve(app({ memory: 64 * MiB, cgroupParent: 'lab' }), obs), obs);
  const byId = new Map(all(p).map((a) => [a.id, a]));
  t.deepEqual(all(p).map((a) => [a.kind, a.target, a.reason]), [
    ['container.stop', 'app-web-1', 'configuration changed: cgroup_parent'],
    ['cgroup.create', 'cgroup of app-web-1', 'cgroup_parent changed: mem_limit 64MiB'],
    ['cgroup.delete', 'tscompose/app/web-1', 'cgroup_parent changed'],
    ['container.start', 'app-web-1', 'configuration changed: cgroup_parent'],
  ]);
  t.deepEqual(byId.get('cgroup.delete:tscompose/app/web-1')!.after, ['container.stop:app-web-1']);
  t.true(byId.get('container.start:app-web-1')!.after.includes('cgroup.create:app-web-1'));
  const before = journalBefore(obs.state, resolve(app({ memory: 64 * MiB, cgroupParent: 'lab' }), obs), { now: 'x' });
  t.deepEqual(before.containers['app-web-1']!.cgroup, { parent: 'lab', path: 'tscompose/app/web-1' }, 'no limits claimed before they are applied');
  t.deepEqual(before.containers['app-web-1']!.oldCgroups, [{ parent: '', path: 'tscompose/app/web-1' }], 'the old one stays journaled until removed');
});

test('a cgroup removed behind our back is recreated, and its running container restarted into it', (t) => {
  const proj = app({ pids: 10 });
  const obs = observedAfter(resolve(proj, host()), host());
  obs.cgroups!.existing = obs.cgroups!.existing.filter((c) => c.path !== 'tscompose/app/web-1');
  const p = plan(resolve(proj, obs), obs);
  t.deepEqual(all(p).map((a) => [a.kind, a.reason]), [
    ['container.stop', 'cgroup recreated'],
    ['cgroup.create', 'missing (deleted behind our back): pids_limit 10'],
    ['container.start', 'cgroup recreated'],
  ]);
});

test('a cgroup whose limits are not known to be applied (an up that died) gets every file written', (t) => {
  const proj = app({ pids: 10 });
  const obs = observedAfter(resolve(proj, host()), host());
  delete obs.state!.containers['app-web-1']!.cgroup!.limits;
  const [u] = all(plan(resolve(proj, obs), obs));
  t.is(u!.kind, 'cgroup.update');
  t.is(u!.reason, 'limits not known to be applied: pids_limit 10');
  t.false(u!.kind === 'cgroup.update' && 'previous' in u!);
});

test('down removes every cgroup of the project after every stop, also one only the journal knows (a crashed up)', (t) => {
  const proj = app({}, 2);
  const obs = observedAfter(resolve(proj, host()), host());
  // A cgroup below a parent that only the journal names: observe looked there and found it.
  obs.cgroups!.existing.push({ parent: 'old', path: 'tscompose/app/web-9' });
  obs.state!.containers['app-web-9'] = { ...obs.state!.containers['app-web-1']!, index: 9, cgroup: { parent: 'old', path: 'tscompose/app/web-9' } };
  const p = plan(nothing('app'), obs);
  const deletes = all(p).filter((a) => a.kind === 'cgroup.delete');
  t.deepEqual(deletes.map((a) => [a.target, a.reason]), [
    ['old/tscompose/app/web-9', 'container removed'],
    ['tscompose/app/db-1', 'container removed'],
    ['tscompose/app/web-1', 'container removed'],
    ['tscompose/app/web-2', 'container removed'],
  ]);
  const stops = all(p).filter((a) => a.kind === 'container.stop').map((a) => a.id).sort();
  for (const d of deletes) t.deepEqual(d.after, stops);
});

test('a partial up leaves the other containers\' cgroups alone', (t) => {
  const proj = app({ pids: 10 });
  const obs = observedAfter(resolve(proj, host()), host());
  const p = plan(resolve(app({ pids: 20 }), obs, { services: ['db'] }), obs);
  t.deepEqual(all(p), []);
});

const FULL = { cpuShares: true, cpuQuota: true, cpuset: true, memory: true, memoryReservation: true, memorySwap: true, pids: true, blkioWeight: true, memorySwappiness: true, oomControl: true };

test('a limit the host cannot enforce is left out with a warning at its key (Docker\'s "Weight discarded"); the others are applied', (t) => {
  const p = load(yaml`
    services:
      web:
        mem_limit: 64m
        memswap_limit: 96m
        blkio_config:
          weight: 300
        deploy:
          resources:
            limits: {pids: 20}
      free:
        mem_limit: 64m
        memswap_limit: -1
  `);
  const lacking = { ...FULL, blkioWeight: false, memorySwap: false, pids: false };
  const d = resolve(p, host({ cgroups: hostCgroupsObserved({ support: { '': lacking } }) }));
  t.deepEqual(d.containers['proj-web-1']!.cgroup!.limits, { memory: 64 * MiB });
  t.deepEqual(d.containers['proj-free-1']!.cgroup!.limits, { memory: 64 * MiB });
  const warnings = plan(d, host()).warnings!.map((w) => `${w.loc?.line}:${w.loc?.col} ${w.path}: ${w.message}`);
  t.deepEqual(warnings, [
    '4:5 services.web.memswap_limit: this host cannot enforce a swap limit (its cgroups have no memory.memsw.limit_in_bytes: swap accounting is off: swapaccount=1 on the kernel command line turns it on, or its memory controller is not mounted): memory limited without swap',
    '9:18 services.web.deploy.resources.limits.pids: this host cannot enforce a pids limit (its cgroups have no pids.max: its pids controller is not mounted): limit discarded',
    '6:7 services.web.blkio_config.weight: this host cannot enforce a block I/O weight (its cgroups have no blkio.weight or blkio.bfq.weight: no disk uses the BFQ I/O scheduler, or its blkio controller is not mounted): weight discarded',
  ], 'an unlimited swap asks for nothing: no warning');
  const v2 = resolve(p, host({ cgroups: hostCgroupsObserved({ layout: 'v2', support: { '': lacking } }) }));
  t.regex(plan(v2, host()).warnings![2]!.message, /no io\.weight or io\.bfq\.weight: no disk uses the BFQ I\/O scheduler, or the io controller is not enabled for our cgroups/);
  const able = resolve(p, host({ cgroups: hostCgroupsObserved({ support: { '': FULL } }) }));
  t.is(able.warnings, undefined);
  t.is(plan(able, host()).warnings, undefined, 'plan --json has no warnings key then');
  t.is(able.containers['proj-web-1']!.cgroup!.limits.blkioWeight, 300);
});

test('what each cgroup_parent can enforce decides for the services below it', (t) => {
  const p = load(yaml`
    services:
      a:
        pids_limit: 10
        cgroup_parent: lab
      b:
        pids_limit: 10
  `);
  const d = resolve(p, host({ cgroups: hostCgroupsObserved({ support: { '': FULL, lab: { ...FULL, pids: false } } }) }));
  t.deepEqual(d.containers['proj-a-1']!.cgroup!.limits, {});
  t.deepEqual(d.containers['proj-b-1']!.cgroup!.limits, { pids: 10 });
  t.deepEqual(d.warnings!.map((w) => w.path), ['services.a.pids_limit']);
});
