/**
 * `cp` both ways, against a container whose root is full of hostile
 * symlinks (the `docker cp` CVE class): every path on the container's side
 * resolves inside its root, so nothing of the host is read or written.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { leftovers, miniRootfs, ok, tsc, writeProject } from '../helpers/containers';

test('cp out and in resolves inside the container root: symlinks to /etc or a host directory reach only the container', async (t) => {
  await withHost(t, async (host) => {
    const rootfs = miniRootfs(path.join(host.dir, 'rootfs'), { 'etc/shadow': 'container-shadow\n', 'data/a.txt': 'A\n', 'data/sub/b.txt': 'B\n' });
    fs.copyFileSync(fs.realpathSync('/bin/sleep'), path.join(rootfs, 'bin/sleep'));
    fs.chmodSync(path.join(rootfs, 'bin/sleep'), 0o755);
    const hostSide = path.join(host.dir, 'hostside');
    fs.mkdirSync(hostSide);
    // Not /tmp: the container gets a tmpfs there.
    fs.mkdirSync(path.join(rootfs, 'hostile'));
    fs.symlinkSync('/etc', path.join(rootfs, 'hostile/evil'));
    fs.symlinkSync(hostSide, path.join(rootfs, 'hostile/tohost'));
    fs.symlinkSync('../../../../../../etc', path.join(rootfs, 'hostile/climb'));
    fs.symlinkSync('/etc', path.join(rootfs, 'data/link'));
    fs.mkdirSync(path.join(rootfs, 'drop'));
    fs.symlinkSync(hostSide, path.join(rootfs, 'drop/sub'));
    const marker = `tsc-cp-escape-${host.tag}`;
    const dir = writeProject(host, `name: cpt\nservices:\n  box:\n    x-rootfs: ${rootfs}\n    command: ["/bin/sleep", "infinity"]\n`);
    try {
      await ok(host, dir, ['up', '-d']);
      const out = path.join(host.dir, 'out');
      fs.mkdirSync(out);
      // Reading: /hostile/evil/shadow is the container's /etc/shadow, never the host's.
      for (const src of ['/hostile/evil/shadow', '/hostile/climb/shadow', '/../../../etc/shadow']) {
        await ok(host, dir, ['cp', `box:${src}`, path.join(out, 'shadow')]);
        t.is(fs.readFileSync(path.join(out, 'shadow'), 'utf8'), 'container-shadow\n', src);
        fs.rmSync(path.join(out, 'shadow'));
      }
      // A directory: its symlinks are copied as symlinks, not followed.
      await ok(host, dir, ['cp', 'box:/data', out]);
      t.is(fs.readFileSync(path.join(out, 'data/sub/b.txt'), 'utf8'), 'B\n');
      t.is(fs.readlinkSync(path.join(out, 'data/link')), '/etc');
      t.false(fs.lstatSync(path.join(out, 'data/link')).isDirectory());

      // Writing: into /hostile/evil/X lands in the container's /etc; through a link to a host path finds nothing there.
      const src = path.join(host.dir, marker);
      fs.writeFileSync(src, 'payload\n');
      await ok(host, dir, ['cp', src, 'box:/hostile/evil/']);
      t.false(fs.existsSync(`/etc/${marker}`), 'the host /etc is untouched');
      await ok(host, dir, ['cp', `box:/etc/${marker}`, path.join(out, 'back')]);
      t.is(fs.readFileSync(path.join(out, 'back'), 'utf8'), 'payload\n', 'it is in the container’s /etc');
      const toHost = await tsc(host, dir, ['cp', src, `box:/hostile/tohost/${marker}`]);
      t.not(toHost.code, 0, 'the host directory does not exist inside the root');
      t.deepEqual(fs.readdirSync(hostSide), []);
      // A directory copied over a symlink the container planted: refused, not followed.
      const tree = path.join(host.dir, 'tree');
      fs.mkdirSync(path.join(tree, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(tree, 'sub', marker), 'x');
      const planted = await tsc(host, dir, ['cp', path.join(tree, 'sub'), 'box:/drop']);
      t.not(planted.code, 0);
      t.regex(planted.stderr, /ELOOP|symbolic link/);
      t.deepEqual(fs.readdirSync(hostSide), [], 'nothing written through the planted link');
      // Round trip of a tree.
      await ok(host, dir, ['cp', tree, 'box:/tmp/']);
      await ok(host, dir, ['cp', 'box:/tmp/tree/sub', path.join(out, 'sub2')]);
      t.is(fs.readFileSync(path.join(out, 'sub2', marker), 'utf8'), 'x');
      t.is((await tsc(host, dir, ['cp', 'a', 'b'])).code, 2, 'one side must be SERVICE:PATH');
      await ok(host, dir, ['down']);
      t.deepEqual(await leftovers(host), []);
    } finally {
      fs.rmSync(`/etc/${marker}`, { force: true });
    }
  });
});
