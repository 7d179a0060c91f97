/**
 * Which compose files, which project directory, which variables: the
 * inputs of a load, found the way Docker Compose finds them.
 */
import { posix } from 'node:path';
import { parseDotenv } from './dotenv';
import type { Lookup } from './interpolate';
import type { Issues } from './issues';
import { DEFAULT_LIMITS, exceedsBytes } from './yaml';

export interface SourceReader {
  /** The file's text, or undefined when it does not exist. */
  readText(path: string): string | undefined;
}

export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;

/**
 * Without -f: the first default file name found in `cwd` or, as Compose
 * does, in the nearest parent directory that has one; plus its override file
 * (`compose.override.yaml` for `compose.yaml`, …) if present.
 */
export function discoverFiles(cwd: string, read: (p: string) => string | undefined): string[] | undefined {
  for (let dir = cwd; ; dir = posix.dirname(dir)) {
    for (const name of DEFAULT_FILE_NAMES) {
      const file = posix.join(dir, name);
      if (read(file) === undefined) continue;
      const stem = name.replace(/\.ya?ml$/, '');
      const ext = name.slice(stem.length);
      const other = ext === '.yaml' ? '.yml' : '.yaml';
      const override = [ext, other].map((e) => posix.join(dir, `${stem}.override${e}`)).find((p) => read(p) !== undefined);
      return override ? [file, override] : [file];
    }
    if (dir === '/' || dir === '.' || dir === posix.dirname(dir)) return undefined;
  }
}

/** How a file is named in locations: relative to cwd when inside it, else absolute. */
export function displayPath(abs: string, cwd: string): string {
  const rel = posix.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !posix.isAbsolute(rel) ? rel : abs;
}

/** Reads a text file through the reader with the size guard. `missing` tells a missing file from a refused one. */
export function readGuarded(
  read: (p: string) => string | undefined,
  abs: string,
  display: string,
  path: string,
  issues: Issues,
): { text?: string; missing: boolean } {
  const text = read(abs);
  if (text === undefined) return { missing: true };
  if (exceedsBytes(text, DEFAULT_LIMITS.maxBytes)) {
    issues.error(path, `${display} is larger than the ${DEFAULT_LIMITS.maxBytes / (1024 * 1024)} MiB limit`, { file: display, line: 1, col: 1 });
    return { missing: false };
  }
  return { text, missing: false };
}

/**
 * The project environment: the env files' variables, overridden by the
 * process environment (as in Compose). Explicit env files must exist; the
 * default `<project dir>/.env` is optional.
 */
export function projectEnvironment(
  opts: { envFiles?: string[]; cwd: string; projectDir: string; environment: Record<string, string | undefined> },
  read: (p: string) => string | undefined,
  issues: Issues,
): { lookup: Lookup; fromFiles: Map<string, string> } {
  const processLookup: Lookup = (name) => (Object.hasOwn(opts.environment, name) ? opts.environment[name] : undefined);
  const explicit = opts.envFiles !== undefined && opts.envFiles.length > 0;
  const paths = explicit ? opts.envFiles!.map((f) => posix.resolve(opts.cwd, f)) : [posix.join(opts.projectDir, '.env')];
  const fromFiles = new Map<string, string>();
  for (const abs of paths) {
    const display = displayPath(abs, opts.cwd);
    const { text, missing } = readGuarded(read, abs, display, '', issues);
    if (text === undefined) {
      if (missing && explicit) issues.error('', `env file ${abs} not found (--env-file)`);
      continue;
    }
    for (const [k, v] of parseDotenv(text, display, processLookup, issues, { path: '' }, fromFiles)) fromFiles.set(k, v);
  }
  const lookup: Lookup = (name) => processLookup(name) ?? fromFiles.get(name);
  return { lookup, fromFiles };
}
