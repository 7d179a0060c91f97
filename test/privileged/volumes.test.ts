/**
 * Volumes end to end, each test in its own throwaway host: bind mounts
 * (short and long syntax, read-only, create_host_path, propagation), named
 * volumes (kept by `down`, removed by `down -v`), anonymous volumes, tmpfs.
 * Asserted with files on the host and the container's mountinfo.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { containerMounts, leftovers, ok, pidOf, sh, tsc, writeProject } from '../helpers/containers';

test('binds: rw writes reach the host, ro refuses writes, the short syntax creates a missing source, the long one does not', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: bnd
services:
  b:
    init: true
    command: ["sleep", "infinity"]
    volumes:
      - ./made:/made
      - ./ro:/ro:ro
      - type: bind
        source: ./rwlong
        target: /deep/rw
`,
    );
    fs.mkdirSync(path.join(dir, 'ro'));
    fs.writeFileSync(path.join(dir, 'ro', 'f'), 'host\n');
    fs.mkdirSync(path.join(dir, 'rwlong'));
    await ok(host, dir, ['up', '-d']);
    t.true(fs.statSync(path.join(dir, 'made')).isDirectory(), 'create_host_path (short syntax default)');
    await ok(host, dir, ['exec', '-T', 'b', 'sh', '-c', 'echo from-container > /made/x && echo deep > /deep/rw/y']);
    t.is(fs.readFileSync(path.join(dir, 'made', 'x'), 'utf8'), 'from-container\n');
    t.is(fs.readFileSync(path.join(dir, 'rwlong', 'y'), 'utf8'), 'deep\n');
    const ro = await tsc(host, dir, ['exec', '-T', 'b', 'sh', '-c', 'echo x > /ro/f']);
    t.not(ro.code, 0);
    t.regex(ro.stderr, /Read-only file system/);
    t.is((await ok(host, dir, ['exec', '-T', 'b', 'cat', '/ro/f'])).stdout, 'host\n');
    const pid = await pidOf(host, 'bnd', 'bnd-b-1');
    const mounts = await containerMounts(host, pid);
    t.regex(mounts.find((m) => m.point === '/ro')!.options, /^ro,nodev/);
    t.regex(mounts.find((m) => m.point === '/made')!.options, /^rw,nodev/);
    await ok(host, dir, ['down']);

    writeProject(
      host,
      `name: bnd
services:
  b:
    volumes:
      - type: bind
        source: ./missing
        target: /m
`,
    );
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 1);
    t.regex(r.stderr, /open_tree: ENOENT \(.*\/missing: No such file or directory\)/);
    t.false(fs.existsSync(path.join(dir, 'missing')), 'no create_host_path in the long syntax');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('named volumes: created on first use, shared, kept by down, removed by down -v; anonymous ones go with the container', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: vol
services:
  w:
    init: true
    command: ["sh", "-c", "echo kept > /data/file; exec sleep infinity"]
    volumes: [data:/data, /anon]
  r:
    init: true
    command: ["sleep", "infinity"]
    volumes:
      - type: volume
        source: data
        target: /view
        read_only: true
volumes:
  data: {}
`,
    );
    const store = '/var/lib/tscompose/volumes/vol_data';
    const up = await ok(host, dir, ['up', '-d']);
    t.regex(up.stderr, /Volume vol_data {2}Created/);
    await ok(host, dir, ['exec', '-T', 'w', 'sh', '-c', 'until [ -e /data/file ]; do sleep 0.05; done; echo anon > /anon/a']);
    t.is(await sh(host, `cat ${store}/_data/file`), 'kept');
    t.is(await sh(host, `cat ${store}/owner`), 'vol');
    t.is((await ok(host, dir, ['exec', '-T', 'r', 'cat', '/view/file'])).stdout, 'kept\n', 'the other service sees it');
    t.not((await tsc(host, dir, ['exec', '-T', 'r', 'sh', '-c', 'echo x > /view/file'])).code, 0, 'read_only');
    t.is(await sh(host, 'cat /run/tscompose/vol/containers/vol-w-1/volumes/*/a'), 'anon');

    await ok(host, dir, ['down']);
    t.is(await sh(host, `cat ${store}/_data/file`), 'kept', 'down keeps named volumes');
    t.is(await sh(host, 'test -e /run/tscompose/vol && echo present || echo gone'), 'gone', 'the anonymous volume went with its container');
    const again = await ok(host, dir, ['up', '-d']);
    t.notRegex(again.stderr, /Volume vol_data {2}Created/, 'the volume is found, not made again');
    t.is((await ok(host, dir, ['exec', '-T', 'r', 'cat', '/view/file'])).stdout, 'kept\n', 'and its data is there');

    const down = await ok(host, dir, ['down', '-v']);
    t.regex(down.stderr, /Volume vol_data {2}Removed/);
    t.is(await sh(host, `test -e ${store} && echo present || echo gone`), 'gone');
    // down -v without the file and without the journal finds nothing more to do.
    t.is((await tsc(host, host.dir, ['-p', 'vol', 'down', '-v'])).code, 0);
    t.deepEqual(await leftovers(host), []);
  });
});

test('an external volume must exist; it is used, never created or removed', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: ext
services:
  e:
    volumes: [shared:/s]
volumes:
  shared:
    external: true
    name: tsc-shared-${host.tag}
`,
    );
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 4);
    t.regex(r.stderr, /external volume tsc-shared-\w+ not found/);
    await sh(host, `mkdir -p /var/lib/tscompose/volumes/tsc-shared-${host.tag}/_data && echo hi > /var/lib/tscompose/volumes/tsc-shared-${host.tag}/_data/f`);
    await ok(host, dir, ['up', '-d']);
    const pid = await pidOf(host, 'ext', 'ext-e-1');
    t.is(await sh(host, `cat /proc/${pid}/root/s/f`), 'hi');
    await ok(host, dir, ['down', '-v']);
    t.is(await sh(host, `cat /var/lib/tscompose/volumes/tsc-shared-${host.tag}/_data/f`), 'hi', 'down -v leaves an external volume');
  });
});

test('tmpfs: size and mode as asked, noexec unless exec; a fresh /tmp; read_only keeps them writable', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: tmp
services:
  t:
    read_only: true
    init: true
    command: ["sleep", "infinity"]
    tmpfs:
      - /scratch:size=1m,mode=0700
      - /run/exec:exec
    volumes:
      - type: tmpfs
        target: /long
        tmpfs:
          size: 2097152
          mode: 1770
`,
    );
    await ok(host, dir, ['up', '-d']);
    const pid = await pidOf(host, 'tmp', 'tmp-t-1');
    const mounts = await containerMounts(host, pid);
    const opts = (p: string) => mounts.find((m) => m.point === p)!.options;
    t.regex(opts('/scratch'), /^rw,nosuid,nodev,noexec.* rw,size=1024k,mode=700$/);
    t.regex(opts('/long'), /^rw,nosuid,nodev.* rw,size=2048k,mode=1770$/);
    t.notRegex(opts('/long'), /noexec/, 'the long syntax is exec, as Docker');
    t.notRegex(opts('/run/exec'), /noexec/);
    t.regex(opts('/tmp'), /^rw,nosuid,nodev.* rw$/);
    t.is(await sh(host, `stat -c %a /proc/${pid}/root/tmp`), '1777');
    t.regex(opts('/'), /^ro,/, 'read_only: the root is read-only');
    const w = await tsc(host, dir, ['exec', '-T', 't', 'sh', '-c', 'echo x > /x']);
    t.regex(w.stderr, /Read-only file system/);
    t.is((await tsc(host, dir, ['exec', '-T', 't', 'sh', '-c', 'echo x > /scratch/x && echo x > /tmp/x'])).code, 0);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('bind propagation: rslave sees what the host mounts under the source later, rprivate (the default) does not', async (t) => {
  await withHost(t, async (host) => {
    const src = path.join(host.dir, 'shared-src');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    // A shared mount on the host side, as / is under systemd.
    await sh(host, `mount --bind ${src} ${src} && mount --make-shared ${src}`);
    const dir = writeProject(
      host,
      `name: prop
services:
  slave:
    init: true
    command: ["sleep", "infinity"]
    volumes:
      - type: bind
        source: ${src}
        target: /src
        bind:
          propagation: rslave
  private:
    init: true
    command: ["sleep", "infinity"]
    volumes: ["${src}:/src"]
`,
    );
    await ok(host, dir, ['up', '-d']);
    await sh(host, `mount -t tmpfs ${host.tag}-late ${src}/sub`);
    const slave = await pidOf(host, 'prop', 'prop-slave-1');
    const priv = await pidOf(host, 'prop', 'prop-private-1');
    t.truthy((await containerMounts(host, slave)).find((m) => m.point === '/src/sub'), 'rslave: the host mount propagated in');
    t.falsy((await containerMounts(host, priv)).find((m) => m.point === '/src/sub'), 'rprivate: it did not');
    await sh(host, `umount ${src}/sub && umount ${src}`);
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
