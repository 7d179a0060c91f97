import test from 'ava';
import type { ApplyEnv } from '../../../src/apply/env';
import { isolationOf } from '../../../src/apply/handlers/isolation';
import { launchIsolation } from '../../../src/plan/isolation';
import { VolumeStore } from '../../../src/sys/volumes';
import { StoreLayout } from '../../../src/image/store/layout';
import { service } from '../../helpers/project';

// Only what isolationOf reads: where the state and volume stores are.
const env = { state: { root: '/r/state' }, volumes: new VolumeStore('/r/volumes') } as unknown as ApplyEnv;
const mounts = [
  { type: 'bind' as const, source: '/h/data', target: '/data', readOnly: true, propagation: 'rprivate' as const, createHostPath: false, recursive: false },
  { type: 'volume' as const, source: 'db', target: '/db', readOnly: false },
];
const volumes = { db: { key: 'db', name: 'app_db', external: false } };

test('the handler carries the planned policy into the shim\'s options: masks with the stores, read-only paths, nodev, no_new_privs', (t) => {
  const l = isolationOf(launchIsolation(service('web', { mounts }), volumes), '/r/state/app/app-web-1', env);
  t.deepEqual(l.rootfs!.masks.slice(-3), ['/r/state', '/r/volumes', new StoreLayout().root], 'the stores the host\'s root would show');
  t.true(l.rootfs!.masks.includes('/proc/kcore'));
  t.true(l.rootfs!.readOnlyPaths.includes('/proc/sys'));
  t.deepEqual(l.rootfs!.mounts, [
    { kind: 'bind', source: '/h/data', target: '/data', options: ['ro', 'rprivate', 'nonrecursive', 'nodev'] },
    { kind: 'bind', source: '/r/volumes/app_db/_data', target: '/db', options: ['rw', 'rprivate', 'nodev'] },
    { kind: 'tmpfs', target: '/tmp', options: ['rw', 'nosuid', 'nodev', 'mode=1777'] },
  ]);
  t.is(l.rootfs!.sysRw, undefined);
  t.is(l.rootfs!.allDevices, undefined);
  t.is(l.caps, '0xa80425fb');
  t.true(l.noNewPrivs);
});

test('privileged, with its own root: no masks at all, binds keep device nodes, /sys writable, every device, privileges may be gained', (t) => {
  const l = isolationOf(launchIsolation(service('web', { mounts, privileged: true, rootfs: '/srv/root' }), volumes), '/r/state/app/app-web-1', env);
  t.deepEqual(l.rootfs!.masks, []);
  t.deepEqual(l.rootfs!.readOnlyPaths, []);
  t.deepEqual(l.rootfs!.mounts!.map((m) => m.options), [['ro', 'rprivate', 'nonrecursive'], ['rw', 'rprivate'], ['rw', 'nosuid', 'nodev', 'mode=1777']]);
  t.true(l.rootfs!.sysRw);
  t.true(l.rootfs!.allDevices);
  t.is(l.caps, '0x1ffffffffff');
  t.false(l.noNewPrivs);
});
