/**
 * storage_opt.size in the plan: each limited container's writable layer
 * gets a project ID that stays across `up`s and is unique across projects;
 * where the layers' filesystem cannot enforce a limit, a plan error at the
 * key (file:line).
 */
import test from 'ava';
import { SpecError } from '../../../src/errors';
import { resolve } from '../../../src/plan';
import { journalAfter, journalBefore } from '../../../src/plan/journal';
import { PROJECT_ID_BASE } from '../../../src/plan/storage-quota';
import type { Observed } from '../../../src/plan/model';
import { emptyObserved } from '../../helpers/project';
import { load, yaml } from '../compose/helpers';

const MiB = 1024 ** 2;
const XFS: Observed['layerFs'] = { dir: '/run/tscompose/app/containers', mount: '/run/tscompose', fstype: 'xfs', prjquota: true };

const file = (name = 'app') => load(yaml`
  name: ${name}
  services:
    a:
      x-rootfs: /
      command: [sleep, "1"]
      deploy: {replicas: 2}
      storage_opt: {size: 20m}
    b:
      x-rootfs: /
      command: [sleep, "1"]
  `);

const quotas = (d: ReturnType<typeof resolve>) =>
  Object.fromEntries(Object.values(d.containers).map((c) => [c.name, c.launch.isolation?.storageQuota]));

test('each limited container gets its own project ID and the limit in bytes; a service without the key none', (t) => {
  const d = resolve(file(), emptyObserved({ layerFs: XFS }));
  t.deepEqual(quotas(d), {
    'app-a-1': { bytes: 20 * MiB, projectId: PROJECT_ID_BASE },
    'app-a-2': { bytes: 20 * MiB, projectId: PROJECT_ID_BASE + 1 },
    'app-b-1': undefined,
  });
});

test('the IDs stay across ups (the same launch the second time), and another project gets others', (t) => {
  const first = resolve(file(), emptyObserved({ layerFs: XFS }));
  const obs = emptyObserved({ layerFs: XFS, state: journalAfter(undefined, first, { now: 'x' }) });
  const again = resolve(file(), obs);
  t.deepEqual(quotas(again), quotas(first));
  t.is(again.containers['app-a-1']!.launchHash, first.containers['app-a-1']!.launchHash, 'the same launch: no restart for its quota');
  const bigger = resolve(load(yaml`
    name: app
    services:
      a: {x-rootfs: /, command: [sleep, "1"], deploy: {replicas: 2}, storage_opt: {size: 30m}}
      b: {x-rootfs: /, command: [sleep, "1"]}
  `), obs);
  t.not(bigger.containers['app-a-1']!.launchHash, first.containers['app-a-1']!.launchHash, 'another size is another launch (recreated)');
  t.deepEqual(bigger.containers['app-a-1']!.launch.isolation!.storageQuota, { bytes: 30 * MiB, projectId: PROJECT_ID_BASE });
  const other = resolve(file('other'), emptyObserved({ layerFs: XFS, otherProjects: [{ project: 'app', subnets: [], addresses: [], projectIds: [PROJECT_ID_BASE, PROJECT_ID_BASE + 1] }] }));
  t.deepEqual(quotas(other), {
    'other-a-1': { bytes: 20 * MiB, projectId: PROJECT_ID_BASE + 2 },
    'other-a-2': { bytes: 20 * MiB, projectId: PROJECT_ID_BASE + 3 },
    'other-b-1': undefined,
  });
});

test('a layer filesystem without prjquota: a plan error at the key\'s line naming the path, the filesystem and what is missing', (t) => {
  for (const [fs, missing] of [
    [{ ...XFS, fstype: 'tmpfs', mount: '/run', prjquota: false }, /on tmpfs mounted at \/run: a size can only be enforced on xfs mounted with prjquota \(tmpfs does not enforce project quotas here\)/],
    [{ ...XFS, prjquota: false }, /on xfs mounted at \/run\/tscompose: .*\(this xfs is mounted without prjquota\)/],
  ] as const) {
    const e = t.throws(() => resolve(file(), emptyObserved({ layerFs: fs })));
    t.true(e instanceof SpecError);
    t.regex(e!.message, /compose\.yaml:7:19 services\.a\.storage_opt\.size: the writable layers \(\/run\/tscompose\/app\/containers\) are/);
    t.regex(e!.message, missing);
    t.is(e!.message.match(/storage_opt/g)!.length, 1, 'one error for the service, not one per replica');
  }
});

test('an up that drops the key keeps the old layer\'s ID journaled until the layer is gone: no one else takes it, the key back gets it again', (t) => {
  const first = resolve(file(), emptyObserved({ layerFs: XFS }));
  const unlimited = load(yaml`
    name: app
    services:
      a: {x-rootfs: /, command: [sleep, "1"], deploy: {replicas: 2}}
      b: {x-rootfs: /, command: [sleep, "1"]}
  `);
  const obs = emptyObserved({ layerFs: XFS, state: journalAfter(undefined, first, { now: 'x' }) });
  const during = journalBefore(obs.state, resolve(unlimited, obs), { now: 'y' });
  t.is(during.containers['app-a-1']!.launch.isolation!.storageQuota, undefined);
  t.is(during.containers['app-a-1']!.oldProjectId, PROJECT_ID_BASE);
  t.is(during.containers['app-a-2']!.oldProjectId, PROJECT_ID_BASE + 1);
  t.is(during.containers['app-b-1']!.oldProjectId, undefined);
  const back = resolve(file(), emptyObserved({ layerFs: XFS, state: during }));
  t.deepEqual(quotas(back)['app-a-1'], { bytes: 20 * MiB, projectId: PROJECT_ID_BASE });
  const after = journalAfter(during, resolve(unlimited, emptyObserved({ layerFs: XFS, state: during })), { now: 'z' });
  t.is(after.containers['app-a-1']!.oldProjectId, undefined, 'gone once the up is done');
});
