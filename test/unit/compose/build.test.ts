import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { buildArgs, registriesConf } from '../../../src/image/build/buildah';
import { imageSource } from '../../../src/plan/image';
import { hasIssue, issues, lines, load, yaml } from './helpers';

test('build: the short form is the context; a build without image runs <project>-<service>', (t) => {
  const p = load(yaml`
    name: shop
    services:
      web: { build: ./web }
  `);
  const web = p.services.web!;
  t.is(web.build!.context, '/proj/web');
  t.is(web.build!.dockerfile, undefined);
  t.like(web.image, { reference: 'shop-web', name: 'docker.io/library/shop-web:latest', implicit: true, pullPolicy: { kind: 'missing' } });
});

test('build: long form, paths as Compose resolves them, list forms of args and labels, args from the environment', (t) => {
  const p = load(
    yaml`
      services:
        api:
          image: registry.example:5000/team/api:1
          pull_policy: build
          build:
            context: src
            dockerfile: docker/Dockerfile.prod
            args: [VERSION=2, FROM_ENV, UNSET_ONE]
            labels: [team=core]
            target: runtime
            tags: [api:latest]
            network: none
            no_cache: true
            pull: true
            shm_size: 64m
            extra_hosts: ["mirror:10.1.2.3"]
            cache_from: ["type=registry,ref=example/cache", example/other]
            additional_contexts: { assets: ../assets }
            platforms: [linux/amd64]
    `,
    { environment: { FROM_ENV: 'yes' } },
  );
  const b = p.services.api!.build!;
  t.is(b.context, '/proj/src');
  t.is(b.dockerfile, '/proj/src/docker/Dockerfile.prod', 'the Dockerfile is relative to the context');
  t.deepEqual(b.args, { FROM_ENV: 'yes', VERSION: '2' }, 'a bare name takes the environment, and is dropped when unset');
  t.deepEqual(b.labels, { team: 'core' });
  t.deepEqual(b.tags, ['docker.io/library/api:latest']);
  t.like(b, { target: 'runtime', network: 'none', noCache: true, pull: true, shmSize: String(64 * 1024 * 1024), platform: 'linux/amd64' });
  t.deepEqual(b.extraHosts, [{ host: 'mirror', ip: '10.1.2.3' }]);
  t.deepEqual(b.cacheFrom, ['example/cache', 'example/other']);
  t.deepEqual(b.contexts, { assets: '/assets' });
  t.like(p.services.api!.image, { name: 'registry.example:5000/team/api:1', pullPolicy: { kind: 'build' } });
  t.is(p.services.api!.image!.implicit, undefined);
  const rendered = renderConfig(p, 'json');
  const again = load(rendered, { environment: { FROM_ENV: 'yes' } });
  t.deepEqual(again.services.api!.build, b, 'config output loads back to the same build');
});

test('build: a remote context is kept as written', (t) => {
  const b = load('services:\n  a:\n    build: https://github.com/example/app.git#main\n').services.a!.build!;
  t.is(b.context, 'https://github.com/example/app.git#main');
});

test('build: every wrong build key is named at its line', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        a:
          build:
            context: .
            dockerfile: Dockerfile
            dockerfile_inline: "FROM scratch"
            network: bridge
            secrets: [npmrc]
            shm_size: lots
            platforms: [linux/amd64, linux/arm64]
            colour: blue
        b:
          build: .
          x-rootfs: /srv
        c:
          build: [.]
    `,
  );
  hasIssue(t, list, 'compose.yaml:6:7', 'services.a.build.dockerfile_inline', 'dockerfile and dockerfile_inline both name the Dockerfile');
  hasIssue(t, list, 'compose.yaml:7:7', 'services.a.build.network', '"bridge" is not a build network here (host, none or default)');
  hasIssue(t, list, 'compose.yaml:8:7', 'services.a.build.secrets', 'build secrets need top-level secrets, which are not supported yet');
  hasIssue(t, list, 'compose.yaml:9:7', 'services.a.build.shm_size', '"lots" is not a size');
  hasIssue(t, list, 'compose.yaml:10:7', 'services.a.build.platforms', 'one platform per build here');
  hasIssue(t, list, 'compose.yaml:11:7', 'services.a.build.colour', 'colour');
  hasIssue(t, list, 'compose.yaml:13:5', 'services.b.build', 'build and x-rootfs both give the root filesystem');
  t.true(lines(list).some((l) => l.startsWith('compose.yaml:16:12 services.c.build: must be a build context directory or a mapping')), lines(list).join('\n'));
});

test('imageSource: Compose builds a missing image it can build, --build always, never and --no-build not at all', (t) => {
  const p = load(yaml`
    name: p
    services:
      plain: { build: . }
      always: { build: ., image: "x/y:1", pull_policy: always }
      never: { build: ., pull_policy: never }
      rebuild: { build: ., pull_policy: build }
      pulled: { image: nginx }
  `);
  const s = p.services;
  const now = new Date('2026-01-02T00:00:00Z');
  const at = '2026-01-01T00:00:00Z';
  t.is(imageSource(s.plain!, undefined, now, undefined), 'build');
  t.is(imageSource(s.plain!, at, now, undefined), undefined, 'an image in the store is not rebuilt');
  t.is(imageSource(s.plain!, at, now, 'always'), 'build');
  t.is(imageSource(s.plain!, undefined, now, 'never'), undefined);
  t.is(imageSource(s.always!, at, now, undefined), 'pull', 'pull_policy always with an image pulls it');
  t.is(imageSource(s.never!, undefined, now, 'always'), undefined);
  t.is(imageSource(s.rebuild!, at, now, undefined), 'build');
  t.is(imageSource(s.pulled!, undefined, now, 'always'), 'pull', '--build does not touch services without build');
});

test('buildah arguments: every key reaches the builder; the network is the host one (none runs the builder offline)', (t) => {
  const b = load(yaml`
    services:
      a:
        build:
          context: ctx
          args: { A: "1" }
          labels: { l: v }
          target: t
          ssh: [default]
          extra_hosts: ["h=10.0.0.1"]
          no_cache: true
          shm_size: 1k
          additional_contexts: { more: ./more }
  `).services.a!.build!;
  t.deepEqual(buildArgs(b, '/d/Dockerfile', '/w/iid', 'linux/amd64'), [
    '--layers',
    '--network=host',
    '--iidfile=/w/iid',
    '--pull=false',
    '--file=/d/Dockerfile',
    '--build-arg=A=1',
    '--label=l=v',
    '--target=t',
    '--ssh=default',
    '--add-host=h:10.0.0.1',
    '--no-cache',
    '--shm-size=1024b',
    '--build-context=more=/proj/more',
    '--platform=linux/amd64',
    '/proj/ctx',
  ]);
  t.regex(registriesConf(['10.9.9.9:5000']), /location = "10\.9\.9\.9:5000"\ninsecure = true/);
  t.regex(registriesConf([]), /unqualified-search-registries = \["docker.io"\]/, 'short names mean Docker Hub, as in Docker');
});
