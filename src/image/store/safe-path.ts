/**
 * Where a tar entry may go inside a layer directory. A name is taken apart
 * into components: absolute names, `..` and empty names are refused, and
 * every parent on the way is checked with lstat to be a real directory (a
 * symlink there — say `etc -> /etc` from an earlier entry — would carry the
 * write out of the layer). Only the extractor writes in the directory while
 * it runs (a fresh temporary one, under the layer's lock), so what lstat saw
 * stays true until the entry is made. Nothing is ever resolved through a
 * symlink: the final component is created with O_NOFOLLOW/O_EXCL semantics.
 *
 * The calls are synchronous on purpose (see extract.ts): a layer is thousands
 * of tiny operations, and each asynchronous one costs a thread-pool round trip
 * (futex wake-ups, an eventfd write) many times the syscall itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class UnsafeEntryError extends Error {
  constructor(name: string, why: string) {
    super(`refusing tar entry "${name}": ${why}`);
    this.name = 'UnsafeEntryError';
  }
}

/** The entry's path components ([] for the root itself). */
export function entryComponents(name: string): string[] {
  if (name.startsWith('/')) throw new UnsafeEntryError(name, 'absolute name');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnsafeEntryError(name, 'name goes up with ".."');
  if (parts.some((p) => p.includes('\0'))) throw new UnsafeEntryError(name, 'NUL in name');
  return parts;
}

/**
 * A layer directory being unpacked, with the directories already known to be
 * real ones (made or lstat'ed by us): each is checked once, not once per
 * entry below it. Only the extractor writes here, and the one way a checked
 * directory stops being one is `clearTarget` removing it, which forgets it
 * and everything below it.
 */
export class LayerTree {
  private readonly dirs = new Set<string>();
  constructor(readonly root: string) {}

  /**
   * Make sure every parent of `parts` below the root is a real directory
   * (creating missing ones 0755), and return the entry's absolute path.
   */
  target(name: string, parts: string[]): string {
    let dir = this.root;
    for (const part of parts.slice(0, -1)) {
      dir = path.join(dir, part);
      if (this.dirs.has(dir)) continue;
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(dir);
      } catch (e: any) {
        if (e?.code !== 'ENOENT') throw e;
      }
      if (!st) fs.mkdirSync(dir, { mode: 0o755 });
      else if (st.isSymbolicLink()) throw new UnsafeEntryError(name, `its parent ${path.relative(this.root, dir)} is a symlink`);
      else if (!st.isDirectory()) throw new UnsafeEntryError(name, `its parent ${path.relative(this.root, dir)} is not a directory`);
      this.dirs.add(dir);
    }
    return parts.length ? path.join(dir, parts[parts.length - 1]!) : this.root;
  }

  /** `dir` was made (or found) a real directory by the extractor. */
  madeDir(dir: string): void {
    this.dirs.add(dir);
  }

  /** Remove whatever is at `target` (never following a symlink) unless it is a directory and `keepDir`. */
  clear(target: string, keepDir: boolean): void {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(target);
    } catch (e: any) {
      if (e?.code === 'ENOENT') return;
      throw e;
    }
    if (st.isDirectory()) {
      if (keepDir) return;
      fs.rmSync(target, { recursive: true, force: true });
      for (const d of this.dirs) if (d === target || d.startsWith(target + '/')) this.dirs.delete(d);
    } else {
      fs.unlinkSync(target);
    }
  }

  /** Run `make` (which creates `target` exclusively); when something is already there, clear it and make again. */
  replace<T>(target: string, make: () => T): T {
    try {
      return make();
    } catch (e: any) {
      if (e?.code !== 'EEXIST') throw e;
    }
    this.clear(target, false);
    return make();
  }
}
