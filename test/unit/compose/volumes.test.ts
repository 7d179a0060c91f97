import test from 'ava';
import { renderConfig } from '../../../src/compose/render';
import { hasIssue, issues, lines, load, yaml } from './helpers';

const mounts = (text: string) => load(text).services.web!.mounts;

test('short syntax: host paths are binds (relative to the project, created when missing), other sources are named volumes', (t) => {
  t.deepEqual(
    mounts(yaml`
      services:
        web:
          volumes:
            - ./data:/data
            - /srv/ro:/ro:ro
            - ~/home:/h
            - db:/var/lib/db:rw
            - cache:/cache:nocopy
            - /anon
            - /etc/x:/x:rslave
      volumes:
        db: {}
        cache: {}
    `),
    [
      { type: 'bind', source: '/proj/data', target: '/data', readOnly: false, propagation: 'rprivate', createHostPath: true, recursive: true },
      { type: 'bind', source: '/srv/ro', target: '/ro', readOnly: true, propagation: 'rprivate', createHostPath: true, recursive: true },
      { type: 'bind', source: '/root/home', target: '/h', readOnly: false, propagation: 'rprivate', createHostPath: true, recursive: true },
      { type: 'volume', source: 'db', target: '/var/lib/db', readOnly: false },
      { type: 'volume', source: 'cache', target: '/cache', readOnly: false, nocopy: true },
      { type: 'volume', target: '/anon', readOnly: false },
      { type: 'bind', source: '/etc/x', target: '/x', readOnly: false, propagation: 'rslave', createHostPath: true, recursive: true },
    ],
  );
});

test('long syntax: bind options, volume subpath, tmpfs size and mode; tmpfs key with Docker\'s options', (t) => {
  t.deepEqual(
    mounts(yaml`
      services:
        web:
          volumes:
            - type: bind
              source: ./conf
              target: /conf/
              read_only: true
              bind: {propagation: shared, recursive: disabled}
            - type: volume
              source: db
              target: /db
              volume: {subpath: sub/dir, nocopy: true}
            - type: tmpfs
              target: /run
              tmpfs: {size: 64m, mode: 1770}
          tmpfs:
            - /scratch:size=1m,mode=0700,exec
            - /t
      volumes:
        db: {}
    `),
    [
      { type: 'bind', source: '/proj/conf', target: '/conf', readOnly: true, propagation: 'shared', createHostPath: false, recursive: false },
      { type: 'volume', source: 'db', target: '/db', readOnly: false, subpath: 'sub/dir', nocopy: true },
      { type: 'tmpfs', target: '/run', readOnly: false, size: 64 * 1024 * 1024, mode: 0o1770 },
      { type: 'tmpfs', target: '/scratch', readOnly: false, exec: true, size: 1024 * 1024, mode: 0o700 },
      { type: 'tmpfs', target: '/t', readOnly: false, exec: false },
    ],
  );
  t.deepEqual(mounts('services:\n  web:\n    tmpfs: /one\n'), [{ type: 'tmpfs', target: '/one', readOnly: false, exec: false }]);
});

test('volume flags: z/Z (bind.selinux), cached/delegated/consistent (no effect on Linux), nocopy are kept', (t) => {
  const p = load(
    yaml`
      services:
        web:
          volumes:
            - ./a:/a:z
            - ./b:/b:ro,Z,cached
            - db:/c:nocopy,delegated
            - type: bind
              source: /d
              target: /d
              consistency: consistent
              bind: {selinux: Z}
            - {type: volume, source: db, target: /e, volume: {nocopy: true}}
      volumes:
        db: {}
    `,
  );
  const m = p.services.web!.mounts!;
  const by = (target: string) => m.find((x) => x.target === target)! as Record<string, unknown>;
  t.is(by('/a').selinux, 'z');
  t.is(by('/b').selinux, 'Z');
  t.is(by('/b').readOnly, true);
  t.is(by('/c').nocopy, true);
  t.is(by('/d').selinux, 'Z');
  t.is(by('/e').nocopy, true);
  t.is(by('/c').selinux, undefined);
  t.regex(renderConfig(p), /bind:\n {10}create_host_path: true\n {10}selinux: z\n/);
  const bad = issues(t, 'services:\n  web:\n    volumes:\n      - type: bind\n        source: /d\n        target: /d\n        bind: {selinux: x}\n');
  t.deepEqual(lines(bad), ['compose.yaml:7:16 services.web.volumes.0.bind.selinux: "x" is not a bind.selinux value (use z or Z)']);
});

test('volume mistakes are errors at their key', (t) => {
  const list = issues(
    t,
    yaml`
      services:
        web:
          volumes:
            - ./a:relative
            - ./b:/b:bogus
            - /c:/x
            - /d:/x
            - ghost:/g
            - db:/e:z
            - type: bind
              target: /nosrc
            - type: image
              source: alpine
              target: /img
            - type: volume
              source: db
              target: /sub
              volume: {subpath: ../up}
          tmpfs: ["/t:uid=5"]
      volumes:
        db: {}
    `,
  );
  t.deepEqual(lines(list), [
    'compose.yaml:4:9 services.web.volumes.0.target: mount target "relative" must be an absolute path',
    'compose.yaml:5:9 services.web.volumes.1: "bogus" is not a volume mode (use ro, rw, cached, delegated, consistent, z, Z, or a propagation such as rslave)',
    'compose.yaml:7:9 services.web.volumes.3: /x is already a mount target (services.web.volumes.2)',
    'compose.yaml:8:9 services.web.volumes.4.source: volume "ghost" is not declared in the top-level volumes',
    'compose.yaml:9:9 services.web.volumes.5: "z" is not a volume mode (use ro, rw, cached, delegated, consistent, nocopy)',
    'compose.yaml:10:9 services.web.volumes.6: a bind mount needs a "source" (a host path)',
    'compose.yaml:12:9 services.web.volumes.7.type: volume type "image" is not supported yet',
    'compose.yaml:18:18 services.web.volumes.8.volume.subpath: subpath "../up" must be a relative path inside the volume',
    'compose.yaml:19:13 services.web.tmpfs.0: tmpfs option "uid=5" is not supported (use size=, mode=, ro, rw, exec, noexec)',
  ]);
});

test('top-level volumes: names, external, labels; other drivers and driver_opts are not supported yet', (t) => {
  const p = load(yaml`
    services:
      web: {}
    volumes:
      data: {}
      ext: {external: true, name: shared-data}
      lab: {driver: local, labels: [a=b]}
  `);
  t.deepEqual(p.volumes, {
    data: { name: 'data', external: false, labels: {}, extensions: {} },
    ext: { name: 'ext', externalName: 'shared-data', external: true, labels: {}, extensions: {} },
    lab: { name: 'lab', external: false, labels: { a: 'b' }, extensions: {} },
  });
  hasIssue(t, issues(t, 'services:\n  web: {}\nvolumes:\n  v:\n    driver: nfs\n'), 'compose.yaml:5:5', 'volumes.v.driver', 'volume driver "nfs" is not supported yet');
  hasIssue(t, issues(t, 'services:\n  web: {}\nvolumes:\n  v:\n    driver_opts: {type: nfs}\n'), 'compose.yaml:5:5', 'volumes.v.driver_opts', 'not supported yet');
});

test('files merge volumes by target, whichever syntax each used', (t) => {
  const p = load(
    {
      'a.yaml': 'services:\n  web:\n    volumes: ["./one:/data", "./keep:/keep"]\n',
      'b.yaml': 'services:\n  web:\n    volumes:\n      - type: bind\n        source: ./two\n        target: /data\n        read_only: true\n',
    },
    { files: ['a.yaml', 'b.yaml'] },
  );
  t.deepEqual(
    p.services.web!.mounts!.map((m) => [m.target, m.type === 'bind' ? m.source : '', m.readOnly]),
    [
      ['/data', '/proj/two', true],
      ['/keep', '/proj/keep', false],
    ],
  );
});

test('config renders volumes and isolation keys so that loading the output gives the same project', (t) => {
  const text = yaml`
    services:
      web:
        volumes: ["./d:/d:ro", "db:/db", "/anon"]
        tmpfs: ["/s:size=1m,exec"]
        read_only: true
        privileged: true
        init: true
        cap_add: [net_admin]
        cap_drop: [ALL]
        stop_signal: USR1
        stop_grace_period: 1m30s
    volumes:
      db: {name: real-db}
  `;
  const first = load(text);
  const again = load(renderConfig(first));
  t.deepEqual(again.services, first.services);
  t.deepEqual(again.volumes, first.volumes);
});

test('volumes_from: NAME, service:NAME, :ro/:rw; implies depends_on; container: and bad entries are errors at their line', (t) => {
  const p = load('services:\n  a:\n    command: ["true"]\n    volumes_from: [b, "service:c:ro", "b:rw"]\n  b:\n    command: ["true"]\n  c:\n    command: ["true"]\n');
  t.deepEqual(p.services.a!.volumesFrom, [{ service: 'b' }, { service: 'c', readOnly: true }, { service: 'b' }]);
  t.deepEqual(Object.keys(p.services.a!.dependsOn), ['b', 'c']);
  const base = 'services:\n  a:\n    command: ["true"]\n    volumes_from:\n';
  hasIssue(t, issues(t, `${base}      - container:other\n`), 'compose.yaml:5:9', 'services.a.volumes_from.0', 'volumes_from a container is not supported yet');
  hasIssue(t, issues(t, `${base}      - b:rx\n  b: {command: ["true"]}\n`), 'compose.yaml:5:9', 'services.a.volumes_from.0', 'is not a volumes_from entry');
  hasIssue(t, issues(t, `${base}      - nope\n`), 'compose.yaml:5:9', 'services.a.volumes_from.0', 'service "nope" is not defined');
  hasIssue(t, issues(t, `${base}      - a\n`), 'compose.yaml:5:9', 'services.a.volumes_from.0', 'cannot take volumes from itself');
  hasIssue(t, issues(t, `${base}      - b\n  b:\n    command: ["true"]\n    volumes_from: [a]\n`), 'compose.yaml:8:20', 'services.b.volumes_from.0', 'dependency cycle');
});
