/**
 * `.env` / `--env-file` / service `env_file` syntax, as Docker Compose reads it:
 *
 *   # comment                 KEY=value # inline comment (needs a space before #)
 *   export KEY=value          KEY='literal, no $interpolation'
 *   KEY="line\nbreak $OTHER"  KEY            (inherit KEY from the environment)
 *
 * Quoted values may span lines. Unquoted and double-quoted values are
 * interpolated; a variable resolves from the given lookup first, then from the
 * keys defined earlier (Compose's order, so the shell wins over the file).
 */
import type { SourceLoc } from '../errors';
import { substitute, TemplateError } from './interpolate';
import type { Lookup } from './interpolate';
import type { Issues } from './issues';
import { FORBIDDEN_KEYS } from './yaml';

export interface DotenvOptions {
  /** Key path to report issues under (`` for the project .env). */
  path: string;
  /** `format: raw`: `KEY=VALUE` lines taken literally. */
  raw?: boolean;
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]*/;

/**
 * Parses `text`; returns the variables in file order. `earlier` (optional)
 * holds variables already defined by previous files, consulted after `lookup`.
 */
export function parseDotenv(
  text: string,
  file: string,
  lookup: Lookup,
  issues: Issues,
  opts: DotenvOptions,
  earlier?: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  const resolve: Lookup = (name) => lookup(name) ?? out.get(name) ?? earlier?.get(name);
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = src.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = line.length - trimmed.length;
    const loc = (col: number): SourceLoc => ({ file, line: n + 1, col: col + 1 });
    let rest = trimmed;
    let col = indent;
    if (/^export\s/.test(rest)) {
      const after = rest.slice(6).trimStart();
      col += rest.length - after.length;
      rest = after;
    }
    const keyMatch = KEY_RE.exec(rest);
    if (!keyMatch) {
      issues.error(opts.path, `invalid line in env file: "${trimmed}" (expected KEY=VALUE)`, loc(col));
      continue;
    }
    const key = keyMatch[0];
    if (FORBIDDEN_KEYS.has(key)) {
      issues.error(opts.path, `the variable name "${key}" is not allowed`, loc(col));
      continue;
    }
    let after = rest.slice(key.length);
    const sepMatch = /^\s*([=:])\s*/.exec(after);
    if (!sepMatch) {
      if (after.trim() === '' || after.trimStart().startsWith('#')) {
        // `KEY` alone: inherit from the environment, or leave unset.
        const v = lookup(key);
        if (v !== undefined) out.set(key, v);
        continue;
      }
      issues.error(opts.path, `invalid line in env file: "${trimmed}" (expected KEY=VALUE)`, loc(col));
      continue;
    }
    after = after.slice(sepMatch[0].length);
    const valueCol = col + key.length + sepMatch[0].length;
    if (opts.raw) {
      out.set(key, rest.slice(key.length + sepMatch[0].length));
      continue;
    }
    const quote = after[0];
    let value: string;
    let interpolate = true;
    if (quote === "'" || quote === '"') {
      // Find the closing quote, possibly on a later line.
      let body = after.slice(1);
      let close = findClose(body, quote);
      let extra = 0;
      while (close < 0 && n + extra + 1 < lines.length) {
        extra++;
        body += '\n' + lines[n + extra]!;
        close = findClose(body, quote);
      }
      if (close < 0) {
        issues.error(opts.path, `unterminated ${quote === '"' ? 'double' : 'single'}-quoted value for ${key}`, loc(valueCol));
        n += extra;
        continue;
      }
      const tail = body.slice(close + 1).trim();
      if (tail !== '' && !tail.startsWith('#')) {
        issues.error(opts.path, `unexpected text after the closing quote of ${key}: "${tail}"`, loc(valueCol));
      }
      n += extra;
      const inner = body.slice(0, close);
      if (quote === "'") {
        value = inner;
        interpolate = false;
      } else value = unescapeDouble(inner);
    } else {
      const hash = after.search(/\s#/);
      const commentOnly = after.startsWith('#') && /\s$/.test(sepMatch[0]);
      value = (hash >= 0 ? after.slice(0, hash) : commentOnly ? '' : after).trim();
    }
    if (interpolate && value.includes('$')) {
      try {
        value = substitute(value, resolve).value;
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        issues.error(opts.path, `${key}: ${err.message}`, loc(valueCol));
        continue;
      }
    }
    out.set(key, value);
  }
  return out;
}

function findClose(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === quote) return i;
  }
  return -1;
}

/** Double-quoted escapes. `\$` becomes `$$` so the interpolation that follows yields a literal `$`. */
function unescapeDouble(s: string): string {
  return s.replace(/\\(.)/gs, (_m, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '$':
        return '$$';
      case '\\':
      case '"':
      case "'":
        return c;
      default:
        return `\\${c}`;
    }
  });
}
