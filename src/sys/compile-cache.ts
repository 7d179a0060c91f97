/**
 * A V8 code cache for the CLI's own modules (Node 20 has no
 * `module.enableCompileCache`). Each run of `tscompose up` otherwise spends
 * ~45 ms compiling the same ~120 modules and more compiling their functions
 * lazily as they first run; with the cache, V8 deserializes the code it made
 * last time.
 *
 * How: the CommonJS loader's `_compile` is replaced, for `.js` files under
 * the package's root only (our code and its dependencies), by a compile
 * through `vm.Script` with the cached data of that file (anything else goes
 * to Node's own). At exit, if some module had no usable
 * cache, the code of every module compiled in this process, including the
 * functions that ran, is written to one file per verb (`up` and `ps` run
 * different code): DIR/<verb>-<node version>.bin, via a temporary file and
 * rename; only after a successful run. An entry is used only for the same
 * file with the same SHA-1 (V8 itself compares just the source's length),
 * and V8 rejects one made by another version or with other flags: a rebuild
 * or a Node upgrade costs one slower run, never a wrong one.
 *
 * The cache lives in the build directory, which only who may change the
 * code may write; if it cannot be written the CLI runs as without it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

interface Entry {
  file: string;
  /** SHA-1 of the source: V8 itself only compares its length. */
  hash: string;
  offset: number;
  size: number;
}

export interface CompileCacheStats {
  hits: number;
  misses: number;
  rejected: number;
  written: boolean;
}

const MAGIC = 'tscompose-v8-cache-1';

/** The header of a cache file: JSON index, a newline, then the blobs. */
function readCache(file: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return out;
  }
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return out;
  try {
    const head = JSON.parse(buf.subarray(0, nl).toString('utf8')) as { magic: string; entries: Entry[] };
    if (head.magic !== MAGIC) return out;
    for (const e of head.entries) out.set(`${e.file}\0${e.hash}`, buf.subarray(nl + 1 + e.offset, nl + 1 + e.offset + e.size));
  } catch {
    // A torn or foreign file: start over.
  }
  return out;
}

function writeCache(file: string, scripts: Map<string, { script: vm.Script; hash: string }>): void {
  const entries: Entry[] = [];
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const [name, { script, hash }] of scripts) {
    const data = script.createCachedData();
    entries.push({ file: name, hash, offset, size: data.length });
    blobs.push(data);
    offset += data.length;
  }
  const tmp = `${file}.tmp-${process.pid}`;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  fs.writeFileSync(tmp, Buffer.concat([Buffer.from(JSON.stringify({ magic: MAGIC, entries }) + '\n'), ...blobs]), { mode: 0o644 });
  fs.renameSync(tmp, file);
}

/** Node's loader internals this relies on: public enough that v8-compile-cache and others have used them for years. */
interface LoaderModule {
  exports: unknown;
  filename: string;
  paths: string[];
  require(id: string): unknown;
  _compile(content: string, filename: string, ...rest: unknown[]): unknown;
}
interface LoaderStatics {
  prototype: LoaderModule;
  wrap(content: string): string;
  _resolveFilename(request: string, parent: LoaderModule, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: LoaderModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

/**
 * Installs the cache for modules under `root`, stored in `dir` under the
 * name `key` (the verb). Returns the counters (read them after the loads).
 */
export function installCompileCache(root: string, dir: string, key: string): CompileCacheStats {
  const stats: CompileCacheStats = { hits: 0, misses: 0, rejected: 0, written: false };
  const file = path.join(dir, `${key.replace(/[^a-z0-9-]/gi, '_')}-${process.version}.bin`);
  const cache = readCache(file);
  const compiled = new Map<string, { script: vm.Script; hash: string }>();
  const M = Module as unknown as LoaderStatics;
  const original = M.prototype._compile;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;

  M.prototype._compile = function (this: LoaderModule, content: string, filename: string, ...rest: unknown[]) {
    if (!filename.startsWith(prefix) || !/\.c?js$/.test(filename) || content.startsWith('#!')) {
      return original.call(this, content, filename, ...rest);
    }
    // V8 checks the source's length, version and flags, not the text: an edit of the same length would run the old code.
    const hash = createHash('sha1').update(content).digest('hex');
    const cachedData = cache.get(`${filename}\0${hash}`);
    const script = new vm.Script(M.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    if (!cachedData) stats.misses++;
    else if (script.cachedDataRejected) stats.rejected++;
    else stats.hits++;
    compiled.set(filename, { script, hash });
    const fn = script.runInThisContext({ displayErrors: true }) as (...a: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, makeRequire(this, M), this, filename, path.dirname(filename));
  };

  process.once('exit', (code) => {
    // A failed run may have stopped early (and a mistyped verb must not leave a file behind).
    if (code !== 0 || stats.misses + stats.rejected === 0 || compiled.size === 0) return;
    try {
      writeCache(file, compiled);
      stats.written = true;
    } catch {
      // Read-only install, full disk: the next run compiles again.
    }
  });
  return stats;
}

/** The `require` a module sees, as Node builds it. */
function makeRequire(mod: LoaderModule, M: LoaderStatics): NodeJS.Require {
  const require = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) => M._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => M._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = M._extensions as NodeJS.Require['extensions'];
  require.cache = M._cache as NodeJS.Require['cache'];
  return require;
}
