import test from 'ava';
import { PlanError } from '../../../src/errors';
import { plan, resolve } from '../../../src/plan';
import { imageRun, needsPull } from '../../../src/plan/image';
import type { ObservedImage } from '../../../src/plan/model';
import { observedAfter } from '../../helpers/fake';
import { emptyObserved, project, service } from '../../helpers/project';

const NAME = 'localhost:5000/tsc/app:v1';
const pullPolicy = { kind: 'missing' as const };
const img = (over: Partial<ObservedImage> = {}): ObservedImage => ({
  name: NAME,
  manifestDigest: 'sha256:' + 'a'.repeat(64),
  configDigest: 'sha256:' + 'c'.repeat(64),
  layerDirs: ['/s/layers/3/diff', '/s/layers/2/diff', '/s/layers/1/diff'],
  config: {
    entrypoint: ['/bin/app'],
    cmd: ['--serve', '80'],
    env: ['PATH=/app/bin:/bin', 'MODE=image', 'KEEP=1'],
    workingDir: '/srv',
    user: 'app',
    exposedPorts: ['80/tcp'],
    stopSignal: 'SIGQUIT',
    volumes: ['/data', '/cache'],
    healthcheck: { test: ['CMD', '/bin/app', 'check'], interval: 5e9 },
  },
  passwd: 'root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n',
  group: 'root:x:0:\napp:x:1001:\n',
  pulledAt: '2026-12-01T00:00:00.000Z',
  ...over,
});
const svcImage = { reference: 'localhost:5000/tsc/app:v1', name: NAME, pullPolicy };

test('argv: the image entrypoint and cmd; command replaces cmd; entrypoint drops the image cmd', (t) => {
  const c = img().config;
  t.deepEqual(imageRun(service('a'), c).argv, ['/bin/app', '--serve', '80']);
  t.deepEqual(imageRun(service('a', { command: ['--once'] }), c).argv, ['/bin/app', '--once']);
  t.deepEqual(imageRun(service('a', { entrypoint: ['/bin/sh', '-c'] }), c).argv, ['/bin/sh', '-c']);
  t.deepEqual(imageRun(service('a', { entrypoint: ['/bin/sh', '-c'], command: ['echo hi'] }), c).argv, ['/bin/sh', '-c', 'echo hi']);
  t.deepEqual(imageRun(service('a', { command: [] }), c).argv, ['/bin/app']);
  t.deepEqual(imageRun(service('a'), { cmd: ['sh'] }).argv, ['sh']);
});

test('working_dir, user and stop_signal: the service wins over the image; the image VOLUMEs the service does not mount', (t) => {
  const c = img().config;
  t.like(imageRun(service('a'), c), { cwd: '/srv', user: 'app', stopSignal: 'SIGQUIT', volumes: ['/data', '/cache'] });
  const over = imageRun(service('a', { workingDir: '/w', user: '0', stopSignal: 'SIGINT', mounts: [{ type: 'tmpfs', target: '/cache', readOnly: false }] }), c);
  t.like(over, { cwd: '/w', user: '0', stopSignal: 'SIGINT', volumes: ['/data'] });
  t.deepEqual(imageRun(service('a'), { stopSignal: '3' }).stopSignal, 'SIGQUIT');
});

test('resolve: the image gives argv, env (service values win), cwd, user from its passwd, layers as lowerdirs, volumes', (t) => {
  const p = project('app', [service('web', { image: svcImage, environment: { MODE: 'service' } })]);
  const l = resolve(p, emptyObserved({ images: { [NAME]: img() } })).containers['app-web-1']!.launch;
  t.deepEqual(l.argv, ['/bin/app', '--serve', '80']);
  t.like(l.env, { PATH: '/app/bin:/bin', MODE: 'service', KEEP: '1', HOME: '/' });
  t.is(l.cwd, '/srv');
  t.deepEqual(l.user, { uid: 1000, gid: 1001 });
  t.is(l.stopSignal, 'SIGQUIT');
  t.is(l.isolation!.rootfs, '/s/layers/3/diff');
  t.deepEqual(l.isolation!.lowers, ['/s/layers/2/diff', '/s/layers/1/diff']);
  t.false(l.isolation!.maskStores);
  t.deepEqual(l.isolation!.mounts.filter((m) => m.type === 'anonymous').map((m) => m.target), ['/data', '/cache']);
  t.like(l.image, { name: NAME, configDigest: img().configDigest, exposedPorts: ['80/tcp'] });
  t.deepEqual(l.image!.healthcheck, { test: ['CMD', '/bin/app', 'check'], interval: 5e9 });
});

test('a new image (another config digest) recreates the container, saying why', (t) => {
  const p = project('app', [service('web', { image: svcImage })]);
  const up = observedAfter(resolve(p, emptyObserved({ images: { [NAME]: img() } })));
  const same = { ...up, images: { [NAME]: img() } };
  t.is(plan(resolve(p, same), same).waves.flat().filter((a) => a.kind === 'container.start').length, 0);
  const newer = { ...up, images: { [NAME]: img({ configDigest: 'sha256:' + 'd'.repeat(64) }) } };
  const start = plan(resolve(p, newer), newer).waves.flat().find((a) => a.kind === 'container.start');
  t.truthy(start);
  t.regex(JSON.stringify(plan(resolve(p, newer), newer)), /image/);
});

test('a missing image, an unknown image user or no command is a plan error at the image key', (t) => {
  const p = project('app', [service('web', { image: svcImage })]);
  t.throws(() => resolve(p, emptyObserved()), { instanceOf: PlanError, message: /is not in the image store/ });
  const never = project('app', [service('web', { image: { ...svcImage, pullPolicy: { kind: 'never' } } })]);
  t.throws(() => resolve(never, emptyObserved()), { instanceOf: PlanError, message: /pull_policy is never/ });
  t.throws(() => resolve(p, emptyObserved({ images: { [NAME]: img({ passwd: '' }) } })), { instanceOf: PlanError, message: /image's User: user app not found/ });
  const bare = img({ config: {} });
  t.throws(() => resolve(p, emptyObserved({ images: { [NAME]: bare } })), { instanceOf: PlanError, message: /sets no Entrypoint or Cmd/ });
});

test('pull_policy: when the image is fetched before planning', (t) => {
  const now = new Date('2026-12-06T00:00:00Z');
  const day = 86400;
  t.true(needsPull({ kind: 'always' }, '2026-12-05T23:59:00Z', now));
  t.false(needsPull({ kind: 'never' }, undefined, now));
  t.true(needsPull({ kind: 'missing' }, undefined, now));
  t.false(needsPull({ kind: 'missing' }, '2020-01-01T00:00:00Z', now));
  t.false(needsPull({ kind: 'refresh', everySec: day }, '2026-12-05T01:00:00Z', now));
  t.true(needsPull({ kind: 'refresh', everySec: day }, '2026-12-04T23:00:00Z', now));
  t.true(needsPull({ kind: 'refresh', everySec: day }, undefined, now));
});
