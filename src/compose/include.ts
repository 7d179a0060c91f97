/**
 * Top-level `include` (compose-spec): other compose files loaded as projects
 * of their own, whose services, networks, volumes, secrets and configs are
 * added to this file's. Each entry is a path or
 * `{path: FILE | [FILE, OVERRIDE...], project_directory, env_file}`:
 *
 * - its files are merged as `-f` files, and their own `include` and
 *   `extends` resolved;
 * - interpolated with this project's variables, then those of `env_file`
 *   (default `<project_directory>/.env`) for what those leave unset (as
 *   compose-go merges them);
 * - its relative paths resolve against `project_directory` (default: the
 *   directory of its first file), made absolute here as `extends` does
 *   (extends.ts `absolutePaths`);
 * - a resource defined by two of them, or by one of them and the including
 *   file, is an error naming both files (as Compose: no silent override).
 *
 * Relative paths in `include` itself resolve against the including file's
 * project directory.
 */
import { posix } from 'node:path';
import { absolutePaths } from './extends';
import type { Issues } from './issues';
import { childPath } from './tree';
import type { YEntry, YMap, YNode } from './tree';

/** The kinds of resources an included project brings. */
const RESOURCES = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

export interface IncludeEntry {
  files: string[];
  projectDir: string;
  envFiles: string[];
  /** `include.N`, for messages. */
  path: string;
  loc: YEntry['keyLoc'];
}

export interface IncludeContext {
  issues: Issues;
  /** The including file's project directory (relative include paths resolve against it). */
  projectDir: string;
  /**
   * The included project's files as one tree (parsed, interpolated with its
   * variables, in canonical form, its own includes and extends resolved);
   * undefined when it could not be read (already reported).
   */
  load(entry: IncludeEntry): YMap | undefined;
  /** How a file is named in messages. */
  display(file: string): string;
  /** Whether a file exists (env_file must). */
  exists(file: string): boolean;
}

/** `root` with its `include` resolved (and removed). */
export function applyIncludes(root: YMap, ctx: IncludeContext): YMap {
  const inc = root.entries.get('include');
  if (!inc) return root;
  const entries = new Map(root.entries);
  entries.delete('include');
  // Which file defined each resource so far (the including file's own first).
  const owner = new Map<string, string>();
  for (const kind of RESOURCES) {
    const m = root.entries.get(kind)?.value;
    if (m?.kind === 'map') for (const [name, e] of m.entries) owner.set(`${kind}.${name}`, e.keyLoc.file);
  }
  for (const entry of includeEntries(inc, ctx)) {
    const tree = ctx.load(entry);
    if (!tree) continue;
    for (const kind of RESOURCES) {
      const m = tree.entries.get(kind)?.value;
      if (m?.kind !== 'map') continue;
      const target = entries.get(kind);
      const merged = new Map(target?.value.kind === 'map' ? target.value.entries : []);
      for (const [name, e0] of m.entries) {
        const key = `${kind}.${name}`;
        const first = owner.get(key);
        if (first !== undefined) {
          ctx.issues.error(key, `${kind.slice(0, -1)} "${name}" is defined both in ${first} and in ${e0.keyLoc.file} (included at ${entry.path}); rename one or drop it from one file`, e0.keyLoc);
          continue;
        }
        owner.set(key, e0.keyLoc.file);
        const e = kind === 'services' && e0.value.kind === 'map' ? { ...e0, value: absolutePaths(e0.value, entry.projectDir) } : kind === 'secrets' || kind === 'configs' ? { ...e0, value: absoluteFile(e0.value, entry.projectDir) } : e0;
        merged.set(name, e);
      }
      const kindEntry: YEntry = target ?? { key: kind, keyLoc: entry.loc, value: { kind: 'map', entries: new Map(), loc: entry.loc } };
      entries.set(kind, { ...kindEntry, value: { kind: 'map', entries: merged, loc: kindEntry.value.loc } });
    }
  }
  return { ...root, entries };
}

/** A secret's or config's `file`, absolute against its project directory. */
function absoluteFile(n: YNode, dir: string): YNode {
  if (n.kind !== 'map') return n;
  const f = n.entries.get('file');
  if (!f || f.value.kind !== 'scalar' || typeof f.value.value !== 'string' || posix.isAbsolute(f.value.value)) return n;
  const entries = new Map(n.entries);
  entries.set('file', { ...f, value: { ...f.value, value: posix.resolve(dir, f.value.value) } });
  return { ...n, entries };
}

const INCLUDE_KEYS = ['path', 'project_directory', 'env_file'];

/** `include` as a list of entries; malformed ones are reported at their key. */
function includeEntries(inc: YEntry, ctx: IncludeContext): IncludeEntry[] {
  const err = (path: string, message: string, loc: YEntry['keyLoc']) => ctx.issues.error(path, message, loc);
  if (inc.value.kind !== 'seq') {
    err('include', 'must be a list of files or {path, project_directory, env_file}', inc.keyLoc);
    return [];
  }
  const out: IncludeEntry[] = [];
  inc.value.items.forEach((item, i) => {
    const path = childPath('include', i);
    const strings = (n: YNode | undefined, key: string): string[] | undefined => {
      if (n === undefined) return [];
      if (n.kind === 'scalar' && typeof n.value === 'string' && n.value) return [n.value];
      if (n.kind === 'seq' && n.items.length && n.items.every((x) => x.kind === 'scalar' && typeof x.value === 'string' && x.value)) return n.items.map((x) => (x as { value: string }).value);
      err(childPath(path, key), `${key} must be a path or a list of paths`, n.loc);
      return undefined;
    };
    let files: string[] | undefined;
    let dir: string | undefined;
    let envFiles: string[] | undefined = [];
    if (item.kind === 'map') {
      for (const [k, e] of item.entries) if (!INCLUDE_KEYS.includes(k)) err(childPath(path, k), `unknown include key "${k}" (${INCLUDE_KEYS.join(', ')})`, e.keyLoc);
      files = strings(item.entries.get('path')?.value, 'path');
      if (files && !files.length) err(path, 'an include needs a path', item.loc);
      const d = item.entries.get('project_directory')?.value;
      if (d && (d.kind !== 'scalar' || typeof d.value !== 'string' || !d.value)) err(childPath(path, 'project_directory'), 'project_directory must be a path', d.loc);
      else if (d) dir = posix.resolve(ctx.projectDir, d.value as string);
      envFiles = strings(item.entries.get('env_file')?.value, 'env_file');
    } else files = strings(item, String(i));
    if (!files?.length || !envFiles) return;
    const abs = files.map((f) => posix.resolve(ctx.projectDir, f));
    const projectDir = dir ?? posix.dirname(abs[0]!);
    const envAbs = envFiles.map((f) => posix.resolve(ctx.projectDir, f));
    const missing = envAbs.find((f) => !ctx.exists(f));
    if (missing) {
      err(childPath(path, 'env_file'), `env file ${ctx.display(missing)} not found`, item.loc);
      return;
    }
    out.push({ files: abs, projectDir, envFiles: envAbs, path, loc: item.loc });
  });
  return out;
}
