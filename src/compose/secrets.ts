/**
 * `secrets` and `configs`: the top-level definitions (`file`, `environment`,
 * configs' `content`) and each service's references (short: a name; long:
 * `source`, `target`, `uid`, `gid`, `mode`). A service's references are
 * resolved here into the files its container gets: a secret at
 * /run/secrets/<target or source>, a config at its target or /<source>,
 * owned by uid:gid (default 0:0) with `mode` (default 0444), read-only.
 * `external` ones live in a Docker Swarm: an error, as without Swarm there
 * is nowhere to find them. Pure: a `file` is read when the container starts.
 */
import { posix } from 'node:path';
import type { EnvContext } from './environment';
import { CONFIG_KEYS, FILE_REF_KEYS, SECRET_KEYS } from './keys';
import { field } from './read';
import type { Field } from './read';
import { childPath } from './tree';
import type { ProjectFileSource, ServiceFile } from './types';

export type FileKind = 'secrets' | 'configs';

/** One top-level `secrets.<name>` / `configs.<name>`, or undefined when it has no usable source (reported). */
export function projectFile(kind: FileKind, name: string, f: Field, ctx: EnvContext): ProjectFileSource | undefined {
  const r = ctx.reader;
  const map = r.map(f);
  if (!map) return undefined;
  const keys = r.keys(map, f.path, kind === 'secrets' ? SECRET_KEYS : CONFIG_KEYS);
  const ext = keys.get('external');
  if (ext && r.bool(ext)) {
    r.error(ext, `external ${kind} live in a Docker Swarm, which tscompose does not use; give a file, environment${kind === 'configs' ? ' or content' : ''}`);
    return undefined;
  }
  const sources = (['file', 'environment', 'content'] as const).filter((k) => keys.has(k));
  if (sources.length !== 1) {
    r.error(f, `${kind === 'secrets' ? 'a secret' : 'a config'} needs exactly one of file, environment${kind === 'configs' ? ', content' : ''}${sources.length ? ` (it has ${sources.join(' and ')})` : ''}`);
    return undefined;
  }
  const sf = keys.get(sources[0]!)!;
  const v = sources[0] === 'content' ? r.text(sf) : r.string(sf);
  if (v === undefined) return undefined;
  switch (sources[0]) {
    case 'file':
      return { file: posix.resolve(ctx.projectDir, v) };
    case 'content':
      return { content: v };
    case 'environment': {
      const value = ctx.lookup(v);
      if (value === undefined) {
        r.error(sf, `${name}: the variable ${v} is not set`);
        return undefined;
      }
      return { content: value, fromEnvironment: v };
    }
  }
}

/** A service's `secrets:` or `configs:`, resolved against the top-level definitions. */
export function serviceFiles(kind: FileKind, f: Field, ctx: EnvContext, defined: ReadonlyMap<string, ProjectFileSource | undefined>): ServiceFile[] {
  const r = ctx.reader;
  const n = f.node;
  if (n.kind !== 'seq') {
    r.error(f, `must be a list of ${kind} names or mappings`);
    return [];
  }
  const out: ServiceFile[] = [];
  n.items.forEach((it, i) => {
    const itf: Field = { path: childPath(f.path, i), loc: it.loc, node: it };
    let source: string | undefined;
    let target: string | undefined;
    const file: Partial<ServiceFile> = {};
    if (it.kind === 'scalar' && typeof it.value === 'string') source = it.value;
    else {
      const map = r.map(itf);
      if (!map) return;
      const keys = r.keys(map, itf.path, FILE_REF_KEYS);
      const sf = keys.get('source');
      source = sf ? r.string(sf) : undefined;
      if (!sf) r.error(itf, 'needs a source');
      const tf = keys.get('target');
      target = tf ? r.string(tf) : undefined;
      for (const id of ['uid', 'gid'] as const) {
        const idf = keys.get(id);
        const v = idf ? r.int(idf, { min: 0, max: 2 ** 32 - 2, allowString: true }) : undefined;
        if (v !== undefined) file[id] = v;
      }
      const mf = keys.get('mode');
      if (mf) {
        const mode = mf.node.kind === 'scalar' ? parseMode(mf.node.text ?? String(mf.node.value)) : undefined;
        if (mode === undefined) r.error(mf, 'must be a file mode (0440, "0440" or 288)');
        else file.mode = mode;
      }
    }
    if (source === undefined) return;
    const at = it.kind === 'scalar' ? itf : field(itf.path, (it as Extract<typeof it, { kind: 'map' }>).entries.get('source')!);
    if (!defined.has(source)) {
      r.error(at, `${source} is not in the top-level ${kind}`);
      return;
    }
    const src = defined.get(source);
    if (!src) return; // its definition was reported
    const dir = kind === 'secrets' ? '/run/secrets' : '/';
    const path = posix.resolve(dir, target ?? source);
    if (out.some((o) => o.target === path)) {
      r.error(itf, `${path} is already the target of another of this service's ${kind}`);
      return;
    }
    out.push({ kind: kind === 'secrets' ? 'secret' : 'config', name: source, target: path, uid: 0, gid: 0, mode: 0o444, ...file, source: src });
  });
  return out;
}

/** A mode as written: octal with a leading 0 or 0o (0440, "0o440"), as Compose reads it, or decimal (288). */
function parseMode(text: string): number | undefined {
  const t = text.trim();
  const n = /^0o?[0-7]+$/.test(t) ? parseInt(t.replace(/^0o?/, '') || '0', 8) : /^[1-9]\d*$/.test(t) ? Number(t) : undefined;
  return n !== undefined && n <= 0o7777 ? n : undefined;
}
