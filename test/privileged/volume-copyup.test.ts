/**
 * Docker's volume copy-up, inside a throwaway host: an image's VOLUME path
 * and a named volume mounted where the image has files start with the
 * image's content (owner, mode, symlinks kept, nothing followed); a volume
 * that already has content is left alone; `nocopy` and read-only mounts
 * get nothing.
 */
import test from 'ava';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { busyboxLayer, writeLayout } from '../helpers/oci-layout';
import { pushLayout, requireRegistryTools, startRegistry } from '../helpers/registry';
import { leftovers, ok, pidOf, sh, writeProject } from '../helpers/containers';

test('an empty volume gets the image content at its target; a volume with content, nocopy and read-only ones do not', async (t) => {
  requireRegistryTools();
  await withHost(t, async (host) => {
    const registry = await startRegistry(host);
    const layout = path.join(host.dir, 'layout');
    await writeLayout(layout, 'v1', [
      {
        layers: [
          busyboxLayer(),
          {
            entries: [
              { name: 'seed/', type: 'directory', mode: 0o750, uid: 4242, gid: 4343 },
              { name: 'seed/conf.txt', content: 'from the image', mode: 0o640, uid: 4242, gid: 4343 },
              { name: 'seed/sub/', type: 'directory', mode: 0o755 },
              { name: 'seed/sub/deep.txt', content: 'deep' },
              { name: 'seed/escape', type: 'symlink', linkname: '/etc/hostname' },
              { name: 'www/index.html', content: '<h1>image</h1>' },
            ],
          },
        ],
        config: { config: { Env: ['PATH=/bin'], Cmd: ['sleep', '1000'], Volumes: { '/seed': {} } } },
      },
    ]);
    await pushLayout(host, registry, layout, 'v1', 'tsc/seed');
    const ref = `${registry.name}/tsc/seed:v1`;
    const dir = writeProject(
      host,
      `name: copyup
services:
  a:
    image: ${ref}
    volumes: [html:/www]
  b:
    image: ${ref}
    volumes:
      - type: volume
        source: empty
        target: /www
        volume: { nocopy: true }
      - { type: volume, source: ro, target: /seed, read_only: true }
volumes:
  html: {}
  empty: {}
  ro: {}
`,
    );
    await ok(host, dir, ['up', '-d']);
    const a = await pidOf(host, 'copyup', 'copyup-a-1');
    const root = (p: string) => `/proc/${a}/root${p}`;
    t.is(await sh(host, `cat ${root('/seed/conf.txt')}`), 'from the image');
    t.is(await sh(host, `stat -c '%u:%g %a' ${root('/seed')} ${root('/seed/conf.txt')}`), '4242:4343 750\n4242:4343 640');
    t.is(await sh(host, `cat ${root('/seed/sub/deep.txt')}`), 'deep');
    t.is(await sh(host, `readlink ${root('/seed/escape')}`), '/etc/hostname', 'a symlink is copied as a symlink');
    t.is(await sh(host, `grep -c ' /seed ' /proc/${a}/mountinfo`), '1', '/seed is the anonymous volume');
    t.is(await sh(host, `cat ${root('/www/index.html')}`), '<h1>image</h1>', 'a named volume is filled on first use');
    const b = await pidOf(host, 'copyup', 'copyup-b-1');
    t.is(await sh(host, `ls -A /proc/${b}/root/www | wc -l`), '0', 'nocopy');
    t.is(await sh(host, `ls -A /proc/${b}/root/seed | wc -l`), '0', 'a read-only volume is not filled');

    // A volume that already has content is left as it is.
    await sh(host, `echo changed > ${root('/www/index.html')}`);
    await ok(host, dir, ['down']);
    await ok(host, dir, ['up', '-d']);
    const again = await pidOf(host, 'copyup', 'copyup-a-1');
    t.is(await sh(host, `cat /proc/${again}/root/www/index.html`), 'changed');
    await ok(host, dir, ['down', '-v']);
    t.deepEqual((await leftovers(host)).map((l) => l.replace(/ \d+ docker-registry/, '')).filter((l) => l !== 'processes:'), []);
  });
});
