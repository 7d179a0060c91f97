/** A service's environment: `environment` and `env_file` (the file wins over nothing, the key over the files). */
import { posix } from 'node:path';
import { parseDotenv } from './dotenv';
import type { Lookup } from './interpolate';
import { ENV_FILE_KEYS } from './keys';
import { checkEnvName } from './names';
import { field } from './read';
import type { Field, Reader } from './read';
import { childPath } from './tree';

/** What the environment keys are read with. */
export interface EnvContext {
  reader: Reader;
  /** Relative `env_file` paths resolve against it. */
  projectDir: string;
  /** The project environment (process environment over .env). */
  lookup: Lookup;
  /** Reads an env file (size-guarded): its text, whether it is missing, and the name to show in locations. */
  readEnvFile(absPath: string, path: string): { text?: string; missing: boolean; display: string };
}

export function environment(f: Field, ctx: EnvContext): Array<[string, string]> {
  const r = ctx.reader;
  const map = r.map(f);
  if (!map) return [];
  const out: Array<[string, string]> = [];
  for (const e of map.entries.values()) {
    const ef = field(f.path, e);
    const problem = checkEnvName(e.key);
    if (problem) {
      r.error(ef, `environment variable name "${e.key}" ${problem}`);
      continue;
    }
    if (e.value.kind === 'scalar' && e.value.value === null) {
      // `KEY` alone: the value comes from the environment; dropped when unset.
      const v = ctx.lookup(e.key);
      if (v !== undefined) out.push([e.key, v]);
      continue;
    }
    const v = r.text(ef, { bool: true });
    if (v !== undefined) out.push([e.key, v]);
  }
  return out;
}

export function envFiles(f: Field, ctx: EnvContext): Array<[string, string]> {
  const r = ctx.reader;
  if (f.node.kind !== 'seq') return []; // canonical.ts reported other shapes
  const vars = new Map<string, string>();
  f.node.items.forEach((item, i) => {
    const itf: Field = { path: childPath(f.path, i), loc: item.loc, node: item };
    const map = r.map(itf);
    if (!map) return;
    const keys = r.keys(map, itf.path, ENV_FILE_KEYS);
    const pf = keys.get('path');
    if (!pf) {
      r.error(itf, 'an env_file entry needs a "path"');
      return;
    }
    const p = r.string(pf);
    const requiredField = keys.get('required');
    const required = requiredField ? r.bool(requiredField) : true;
    const formatField = keys.get('format');
    const format = formatField ? r.string(formatField) : undefined;
    if (format !== undefined && format !== 'raw') r.error(formatField!, `env_file format "${format}" is not supported yet (only raw, or none for the Compose syntax)`);
    if (p === undefined || required === undefined) return;
    const abs = posix.resolve(ctx.projectDir, p);
    const { text, missing, display } = ctx.readEnvFile(abs, itf.path);
    if (text === undefined) {
      if (required && missing) r.error(pf, `env file ${abs} not found`);
      return;
    }
    const parsed = parseDotenv(text, display, ctx.lookup, r.issues, { path: itf.path, raw: format === 'raw' }, vars);
    for (const [k, v] of parsed) {
      const problem = checkEnvName(k);
      if (problem) r.issues.error(itf.path, `environment variable name "${k}" ${problem}`, { file: display, line: 1, col: 1 });
      else vars.set(k, v);
    }
  });
  return [...vars];
}
