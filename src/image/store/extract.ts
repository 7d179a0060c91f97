/**
 * Unpack one layer's tar stream into a directory, safely (see safe-path.ts)
 * and faithfully: owners, modes (setuid/setgid/sticky, applied after chown,
 * which clears them), mtimes, hardlinks, symlinks, device nodes, FIFOs and
 * extended attributes (security.capability too, set after chown for the same
 * reason). OCI whiteouts become what overlayfs reads:
 *   `.wh.NAME`      → NAME as a 0/0 character device   (mknod NAME c 0 0)
 *   `.wh..wh..opq`  → trusted.overlay.opaque=y on its directory
 *                     (setfattr -n trusted.overlay.opaque -v y DIR)
 * Equivalent to: tar --numeric-owner --xattrs --xattrs-include='*' -xpf - -C DIR
 * (plus the whiteout conversion and the refusals).
 *
 * File-system calls are synchronous: an entry is a handful of syscalls of a
 * few microseconds each, and the asynchronous versions cost a thread-pool
 * round trip apiece (a futex wake-up, a context switch, an eventfd write),
 * which made the extractor spend more time handing work over than doing it.
 * Only the tar stream itself (network, gunzip) stays asynchronous.
 */
import * as fs from 'node:fs';

import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { native } from '../../sys/native';
import { keepBinaryXattrs } from './pax';
import { entryComponents, LayerTree, UnsafeEntryError } from './safe-path';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const XATTR = 'SCHILY.xattr.';

export interface ExtractStats {
  entries: number;
  bytes: number;
}

/** Read `tarStream` to its end, creating its entries under `root` (an existing, empty directory). */
export async function extractLayer(tarStream: Readable, root: string): Promise<ExtractStats> {
  keepBinaryXattrs();
  const extract = tar.extract();
  const stats: ExtractStats = { entries: 0, bytes: 0 };
  const dirTimes: [string, Date][] = [];
  const tree = new LayerTree(root);
  const consume = (async () => {
    for await (const entry of extract) {
      stats.entries++;
      await createEntry(tree, entry.header, entry as unknown as Readable, dirTimes, stats);
      entry.resume();
    }
  })().catch((e) => {
    extract.destroy(e);
    throw e;
  });
  const [fed, made] = await Promise.allSettled([pipeline(tarStream, extract), consume]);
  // An entry that failed (ENOSPC, a refusal) ends the stream early: its error is the one to tell.
  if (made.status === 'rejected') throw made.reason;
  if (fed.status === 'rejected') throw fed.reason;
  // A directory's mtime changes with every child made in it: set them last, deepest first.
  for (const [dir, mtime] of dirTimes.reverse()) fs.lutimesSync(dir, mtime, mtime);
  return stats;
}

async function createEntry(tree: LayerTree, h: tar.Header, body: Readable, dirTimes: [string, Date][], stats: ExtractStats): Promise<void> {
  const parts = entryComponents(h.name);
  if (!parts.length && h.type !== 'directory') throw new UnsafeEntryError(h.name, 'only a directory can stand for the layer root');
  const base = parts[parts.length - 1] ?? '';
  if (base.startsWith(WHITEOUT)) return whiteout(tree, h.name, parts);
  const target = tree.target(h.name, parts);
  const mtime = h.mtime ?? new Date(0);
  switch (h.type) {
    case 'directory':
      if (parts.length) makeDir(tree, target);
      tree.madeDir(target);
      finish(target, h);
      dirTimes.push([target, mtime]);
      return;
    case 'file':
    case 'contiguous-file':
      stats.bytes += await writeFile(tree, target, h, body, mtime);
      return;
    case 'symlink':
      tree.replace(target, () => fs.symlinkSync(h.linkname ?? '', target));
      if (!ownedByUs(h)) fs.lchownSync(target, h.uid ?? 0, h.gid ?? 0);
      setXattrs(target, h);
      break;
    case 'link':
      hardlink(tree, h, target);
      return; // a hardlink shares its target's inode: owner, mode and times are the target's
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      tree.clear(target, false);
      const type = h.type === 'fifo' ? fs.constants.S_IFIFO : h.type === 'block-device' ? fs.constants.S_IFBLK : fs.constants.S_IFCHR;
      native.mknod(target, type | 0o600, h.devmajor ?? 0, h.devminor ?? 0);
      finish(target, h);
      break;
    }
    default:
      throw new UnsafeEntryError(h.name, `unsupported entry type ${h.type}`);
  }
  fs.lutimesSync(target, mtime, mtime);
}

/** mkdir, keeping a directory already there (a later entry's owner and mode win) and replacing anything else. */
function makeDir(tree: LayerTree, target: string): void {
  try {
    fs.mkdirSync(target, { mode: 0o700 });
  } catch (e: any) {
    if (e?.code !== 'EEXIST') throw e;
    tree.clear(target, true);
    mkdirIfMissing(target, 0o700);
  }
}

function mkdirIfMissing(dir: string, mode: number): void {
  try {
    fs.mkdirSync(dir, { mode });
  } catch (e: any) {
    if (e?.code !== 'EEXIST') throw e;
  }
}

/** What root makes is already 0:0: a new file or symlink for 0:0 needs no chown (most of an image). */
const AS_ROOT = process.geteuid?.() === 0 && process.getegid?.() === 0;
const ownedByUs = (h: tar.Header) => AS_ROOT && (h.uid ?? 0) === 0 && (h.gid ?? 0) === 0;

/** Owner, then mode (chown clears setuid), then xattrs (chown clears security.capability). */
function finish(target: string, h: tar.Header): void {
  fs.lchownSync(target, h.uid ?? 0, h.gid ?? 0);
  fs.chmodSync(target, (h.mode ?? 0o644) & 0o7777);
  setXattrs(target, h);
}

/** A new regular file (O_EXCL|O_NOFOLLOW; something already there is removed first), its owner, mode and mtime through its fd. */
async function writeFile(tree: LayerTree, target: string, h: tar.Header, body: Readable, mtime: Date): Promise<number> {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const fd = tree.replace(target, () => fs.openSync(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600));
  let size = 0;
  try {
    for await (const chunk of body) size += writeAll(fd, chunk as Buffer);
    if (!ownedByUs(h)) fs.fchownSync(fd, h.uid ?? 0, h.gid ?? 0);
    const mode = (h.mode ?? 0o644) & 0o7777;
    if (mode !== 0o600) fs.fchmodSync(fd, mode);
    fs.futimesSync(fd, mtime, mtime);
  } finally {
    fs.closeSync(fd);
  }
  setXattrs(target, h);
  return size;
}

/** write(2) until the whole chunk is in (a short write is legal). */
function writeAll(fd: number, chunk: Buffer): number {
  for (let off = 0; off < chunk.length; ) off += fs.writeSync(fd, chunk, off);
  return chunk.length;
}

function setXattrs(target: string, h: tar.Header): void {
  for (const [key, value] of Object.entries((h.pax ?? {}) as Record<string, string>)) {
    if (key.startsWith(XATTR)) native.lsetxattr(target, key.slice(XATTR.length), Buffer.from(value, 'latin1'));
  }
}

/** A hardlink's target must be an entry of this layer, reached without symlinks, and not a directory. */
function hardlink(tree: LayerTree, h: tar.Header, target: string): void {
  const linkParts = entryComponents(h.linkname ?? '');
  if (!linkParts.length) throw new UnsafeEntryError(h.name, 'hardlink to the layer root');
  const existing = tree.target(h.name, linkParts);
  const st = fs.lstatSync(existing, { throwIfNoEntry: false });
  if (!st) throw new UnsafeEntryError(h.name, `hardlink to "${h.linkname}", which is not in this layer`);
  if (st.isDirectory()) throw new UnsafeEntryError(h.name, `hardlink to the directory "${h.linkname}"`);
  if (existing === target) return;
  tree.replace(target, () => fs.linkSync(existing, target));
}

function whiteout(tree: LayerTree, name: string, parts: string[]): void {
  const base = parts[parts.length - 1]!;
  if (base === OPAQUE) {
    const dirParts = parts.slice(0, -1);
    const dir = tree.target(name, [...dirParts, '.']);
    if (dirParts.length) mkdirIfMissing(dir, 0o755);
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) throw new UnsafeEntryError(name, 'opaque marker in something that is not a directory');
    native.lsetxattr(dir, 'trusted.overlay.opaque', Buffer.from('y'));
    return;
  }
  const hidden = base.slice(WHITEOUT.length);
  if (!hidden || hidden === '.' || hidden === '..' || hidden.startsWith(WHITEOUT)) throw new UnsafeEntryError(name, 'bad whiteout name');
  const target = tree.target(name, [...parts.slice(0, -1), hidden]);
  tree.clear(target, false);
  native.mknod(target, fs.constants.S_IFCHR | 0, 0, 0);
}

export const whiteoutNames = { prefix: WHITEOUT, opaque: OPAQUE };
