import test from 'ava';
import { parsePullPolicy } from '../../../src/compose/image';
import { renderConfig } from '../../../src/compose';
import { issues, lines, load } from './helpers';

test('image is kept canonical with pull_policy and platform; config writes them back', (t) => {
  const p = load('services:\n  web:\n    image: localhost:5000/tsc/app:v1\n    pull_policy: every_12h\n    platform: linux/amd64\n  db:\n    image: postgres\n');
  t.deepEqual(p.services.web!.image, {
    reference: 'localhost:5000/tsc/app:v1',
    name: 'localhost:5000/tsc/app:v1',
    pullPolicy: { kind: 'refresh', everySec: 43200 },
    platform: 'linux/amd64',
  });
  t.deepEqual(p.services.db!.image, { reference: 'postgres', name: 'docker.io/library/postgres:latest', pullPolicy: { kind: 'missing' } });
  t.regex(renderConfig(p), /image: localhost:5000\/tsc\/app:v1\n/);
});

test('pull_policy names', (t) => {
  t.deepEqual(parsePullPolicy('if_not_present'), { kind: 'missing' });
  t.deepEqual(parsePullPolicy('weekly'), { kind: 'refresh', everySec: 604800 });
  t.deepEqual(parsePullPolicy('every_2d'), { kind: 'refresh', everySec: 172800 });
  t.true('error' in parsePullPolicy('sometimes'));
  t.true('error' in parsePullPolicy('every_0s'));
});

test('bad image keys: errors at file:line of the key, all at once', (t) => {
  const list = issues(
    t,
    'services:\n  a:\n    image: "Nginx:latest"\n  b:\n    image: nginx\n    pull_policy: sometimes\n  c:\n    image: nginx:bad:tag\n    platform: amd64\n  d:\n    pull_policy: always\n  e:\n    image: nginx\n    x-rootfs: /srv\n  f:\n    image: nginx\n    pull_policy: build\n',
  );
  t.deepEqual(lines(list), [
    'compose.yaml:3:5 services.a.image: invalid image reference "Nginx:latest": repository name must be lowercase',
    'compose.yaml:6:5 services.b.pull_policy: "sometimes" is not a pull policy (always, missing, never, build, daily, weekly or every_<duration>)',
    'compose.yaml:8:5 services.c.image: invalid image reference "nginx:bad:tag": invalid repository name "library/nginx:bad"',
    'compose.yaml:9:5 services.c.platform: invalid platform "amd64" (os/arch[/variant], e.g. linux/amd64)',
    'compose.yaml:11:5 services.d.pull_policy: pull_policy needs an image',
    'compose.yaml:13:5 services.e.image: image and x-rootfs both give the root filesystem; keep one',
    'compose.yaml:17:5 services.f.pull_policy: pull_policy "build" needs build',
  ]);
});
