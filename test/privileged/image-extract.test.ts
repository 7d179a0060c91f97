/**
 * Layer extraction, in-process on temporary directories (root: chown, mknod,
 * trusted.* xattrs): faithful (owners, modes, setuid, mtimes, hardlinks,
 * symlinks, devices, xattrs incl. binary security.capability, whiteouts,
 * opaque dirs) and safe (hostile tarballs never touch the canary next to
 * the layer directory, the test runc and containerd use).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { extractLayer } from '../../src/image/store/extract';
import { native } from '../../src/sys/native';
import { isRoot } from '../helpers/host';
import { makeTar, type TarEntry } from '../helpers/oci-layout';

function scratch(t: { teardown(fn: () => void): void }): { root: string; canary: string; secret: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-extract-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, 'layer');
  const canary = path.join(base, 'canary');
  fs.mkdirSync(root);
  fs.mkdirSync(canary);
  const secret = path.join(canary, 'secret');
  fs.writeFileSync(secret, 'untouched');
  return { root, canary, secret };
}

async function extract(entries: TarEntry[], root: string) {
  return extractLayer(Readable.from([await makeTar(entries)]), root);
}

// v2 file capabilities: CAP_NET_BIND_SERVICE (bit 10) and CAP_SETFCAP (bit 31) permitted, effective;
// the 0x80 byte is not valid UTF-8 on its own, so it would not survive a text decoding.
const CAPS = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const MTIME = new Date('2020-05-06T07:08:09Z');

test('faithful: owners, modes, setuid, mtimes, links, devices, xattrs', async (t) => {
  if (!isRoot()) return t.fail('privileged test: run as root');
  const { root } = scratch(t);
  await extract(
    [
      { name: 'bin/', type: 'directory', mode: 0o755, mtime: MTIME },
      { name: 'bin/ping', content: 'ELF', mode: 0o4755, uid: 0, gid: 0, xattrs: { 'security.capability': CAPS } },
      { name: 'home/user/', type: 'directory', mode: 0o750, uid: 1000, gid: 1001, mtime: MTIME },
      { name: 'home/user/notes', content: 'hello', mode: 0o640, uid: 1000, gid: 1001, mtime: MTIME },
      { name: 'home/user/same', type: 'link', linkname: 'home/user/notes' },
      { name: 'usr/bin/sg', content: 'x', mode: 0o2755, gid: 42 },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
      { name: 'etc/motd', type: 'symlink', linkname: '/does/not/exist', uid: 7, gid: 8 },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
      { name: 'data', content: 'x', xattrs: { 'user.comment': Buffer.from('héllo') } },
    ],
    root,
  );
  const st = (p: string) => fs.lstatSync(path.join(root, p));
  t.is(st('bin/ping').mode & 0o7777, 0o4755, 'setuid survives the chown');
  t.deepEqual(native.lgetxattr(path.join(root, 'bin/ping'), 'security.capability'), CAPS, 'capability bytes exact');
  t.is(st('home/user').mode & 0o7777, 0o750);
  t.deepEqual([st('home/user').uid, st('home/user').gid], [1000, 1001]);
  t.is(st('home/user').mtime.getTime(), MTIME.getTime(), 'directory mtime set after its children');
  t.is(st('home/user/notes').mtime.getTime(), MTIME.getTime());
  t.is(st('home/user/same').ino, st('home/user/notes').ino, 'hardlink shares the inode');
  t.is(st('home/user/notes').nlink, 2);
  t.is(st('usr/bin/sg').mode & 0o7777, 0o2755);
  t.is(st('usr/bin/sg').gid, 42);
  t.is(st('tmp').mode & 0o7777, 0o1777);
  t.true(st('etc/motd').isSymbolicLink());
  t.is(fs.readlinkSync(path.join(root, 'etc/motd')), '/does/not/exist');
  t.deepEqual([st('etc/motd').uid, st('etc/motd').gid], [7, 8], 'symlink owner (lchown)');
  t.true(st('dev/null').isCharacterDevice());
  t.is(st('dev/null').rdev, (1 << 8) | 3);
  t.true(st('dev/sda').isBlockDevice());
  t.true(st('run/fifo').isFIFO());
  t.is(native.lgetxattr(path.join(root, 'data'), 'user.comment').toString('utf8'), 'héllo');
});

test('OCI whiteouts become overlay whiteouts; opaque markers the opaque xattr', async (t) => {
  if (!isRoot()) return t.fail('privileged test: run as root');
  const { root } = scratch(t);
  await extract(
    [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.passwd', content: '' },
      { name: 'var/cache/.wh..wh..opq', content: '' },
      { name: 'var/cache/new', content: 'fresh' },
    ],
    root,
  );
  const wh = fs.lstatSync(path.join(root, 'etc/passwd'));
  t.true(wh.isCharacterDevice(), '.wh.passwd → passwd as a character device');
  t.is(wh.rdev, 0, 'device 0/0');
  t.false(fs.existsSync(path.join(root, 'etc/.wh.passwd')));
  t.is(native.lgetxattr(path.join(root, 'var/cache'), 'trusted.overlay.opaque').toString(), 'y');
  t.false(fs.existsSync(path.join(root, 'var/cache/.wh..wh..opq')));
  t.is(fs.readFileSync(path.join(root, 'var/cache/new'), 'utf8'), 'fresh');
});

test('later entries replace earlier ones, never writing through a symlink', async (t) => {
  if (!isRoot()) return t.fail('privileged test: run as root');
  const { root, secret } = scratch(t);
  await extract(
    [
      { name: 'link', type: 'symlink', linkname: '../canary/secret' },
      { name: 'link', content: 'replaced' },
      { name: 'abs', type: 'symlink', linkname: secret },
      { name: 'abs', content: 'replaced too' },
      { name: 'dir/', type: 'directory' },
      { name: 'dir', content: 'a file now' },
    ],
    root,
  );
  t.is(fs.readFileSync(secret, 'utf8'), 'untouched');
  t.true(fs.lstatSync(path.join(root, 'link')).isFile());
  t.is(fs.readFileSync(path.join(root, 'link'), 'utf8'), 'replaced');
  t.is(fs.readFileSync(path.join(root, 'abs'), 'utf8'), 'replaced too');
  t.is(fs.readFileSync(path.join(root, 'dir'), 'utf8'), 'a file now');
});

/** Stands for the canary directory's absolute path (known only once the test made it). */
const CANARY = '@CANARY@';

const hostile: [string, TarEntry[], RegExp][] = [
  ['dot-dot name', [{ name: '../canary/secret', content: 'pwned' }], /goes up/],
  ['dot-dot inside a name', [{ name: 'a/../../canary/secret', content: 'pwned' }], /goes up/],
  ['absolute name', [{ name: '/canary/secret', content: 'pwned' }], /absolute/],
  ['write through a relative symlink parent', [{ name: 'evil', type: 'symlink', linkname: '../canary' }, { name: 'evil/secret', content: 'pwned' }], /is a symlink/],
  ['write through an absolute symlink parent', [{ name: 'evil', type: 'symlink', linkname: CANARY }, { name: 'evil/pwned', content: 'pwned' }], /is a symlink/],
  ['directory through a symlink parent', [{ name: 'evil', type: 'symlink', linkname: '../canary' }, { name: 'evil/newdir/', type: 'directory' }], /is a symlink/],
  ['hardlink out with dot-dot', [{ name: 'h', type: 'link', linkname: '../canary/secret' }], /goes up/],
  ['hardlink out through a symlink', [{ name: 'evil', type: 'symlink', linkname: '../canary' }, { name: 'h', type: 'link', linkname: 'evil/secret' }], /is a symlink/],
  ['hardlink to an absolute path', [{ name: 'h', type: 'link', linkname: '/etc/passwd' }], /absolute/],
  ['whiteout through a symlink parent', [{ name: 'evil', type: 'symlink', linkname: '../canary' }, { name: 'evil/.wh.secret', content: '' }], /is a symlink/],
  ['opaque marker through a symlink', [{ name: 'evil', type: 'symlink', linkname: '../canary' }, { name: 'evil/.wh..wh..opq', content: '' }], /is a symlink/],
  ['whiteout of dot-dot', [{ name: '.wh...', content: '' }], /bad whiteout|goes up/],
];

for (const [title, entries, why] of hostile) {
  test(`hostile tarball refused: ${title}`, async (t) => {
    if (!isRoot()) return t.fail('privileged test: run as root');
    const { root, canary, secret } = scratch(t);
    const before = fs.readdirSync(canary);
    const real = entries.map((e) => (e.linkname === CANARY ? { ...e, linkname: canary } : e));
    const e = await t.throwsAsync(extract(real, root));
    t.regex(e!.message, why);
    t.is(fs.readFileSync(secret, 'utf8'), 'untouched', 'the canary file is intact');
    t.deepEqual(fs.readdirSync(canary), before, 'nothing new next to the canary');
    t.is(fs.statSync(secret).nlink, 1, 'no hardlink to the canary was made');
    t.throws(() => native.lgetxattr(canary, 'trusted.overlay.opaque'), { code: 'ENODATA' });
  });
}
