/**
 * Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`,
 * nested templates in the default/alt/error part, and `$$` for a literal `$`.
 * A `$` followed by anything else stays literal, as in Compose; a broken
 * `${…}` is an error.
 *
 * Templates are parsed first and evaluated lazily, so a `${A:-${B:?…}}` only
 * fails when A is empty.
 */
import type { Issues } from './issues';
import { childPath } from './tree';
import type { YEntry, YMap, YNode } from './tree';

/** Returns the variable's value, or undefined when it is not set. */
export type Lookup = (name: string) => string | undefined;

type Op = ':-' | '-' | ':?' | '?' | ':+' | '+';
type Part = string | { name: string; op?: Op; arg?: Part[] };

export class TemplateError extends Error {}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

function parse(text: string, start: number, inBraces: boolean): { parts: Part[]; end: number } {
  const parts: Part[] = [];
  let lit = '';
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (inBraces && c === '}') break;
    if (c !== '$') {
      lit += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      lit += '$';
      i += 2;
    } else if (next === '{') {
      let j = i + 2;
      if (j >= text.length || !NAME_START.test(text[j]!)) throw new TemplateError(`invalid interpolation format in "${text}": expected a variable name after "\${"`);
      while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
      const name = text.slice(i + 2, j);
      if (lit) parts.push(lit);
      lit = '';
      if (text[j] === '}') {
        parts.push({ name });
        i = j + 1;
        continue;
      }
      const op = (['-', '?', '+'].includes(text[j]!) ? text[j] : text[j] === ':' && ['-', '?', '+'].includes(text[j + 1]!) ? `:${text[j + 1]}` : undefined) as Op | undefined;
      if (!op) throw new TemplateError(`invalid interpolation format in "${text}": unexpected "${text[j] ?? 'end of text'}" after "\${${name}"`);
      const arg = parse(text, j + op.length, true);
      if (text[arg.end] !== '}') throw new TemplateError(`invalid interpolation format in "${text}": missing "}"`);
      parts.push({ name, op, arg: arg.parts });
      i = arg.end + 1;
    } else if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
      if (lit) parts.push(lit);
      lit = '';
      parts.push({ name: text.slice(i + 1, j) });
      i = j;
    } else {
      lit += '$';
      i++;
    }
  }
  if (lit) parts.push(lit);
  return { parts, end: i };
}

function evaluate(parts: Part[], lookup: Lookup, missing: string[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    const value = lookup(p.name);
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    switch (p.op) {
      case undefined:
        if (!set) missing.push(p.name);
        out += value ?? '';
        break;
      case ':-':
        out += nonEmpty ? value : evaluate(p.arg!, lookup, missing);
        break;
      case '-':
        out += set ? value : evaluate(p.arg!, lookup, missing);
        break;
      case ':+':
        out += nonEmpty ? evaluate(p.arg!, lookup, missing) : '';
        break;
      case '+':
        out += set ? evaluate(p.arg!, lookup, missing) : '';
        break;
      case ':?':
      case '?':
        if (p.op === ':?' ? nonEmpty : set) {
          out += value;
          break;
        }
        {
          const msg = evaluate(p.arg!, lookup, missing);
          throw new TemplateError(`required variable ${p.name} is missing a value${msg ? `: ${msg}` : ''}`);
        }
    }
  }
  return out;
}

export interface Substitution {
  value: string;
  /** Variables used without a default that were not set (Compose warns about them). */
  missing: string[];
}

/** Interpolates one string; throws TemplateError on a bad template or a failed `?`. */
export function substitute(text: string, lookup: Lookup): Substitution {
  if (!text.includes('$')) return { value: text, missing: [] };
  const { parts } = parse(text, 0, false);
  const missing: string[] = [];
  return { value: evaluate(parts, lookup, missing), missing };
}

/**
 * Interpolates every string value (never keys) of a file's tree. Returns a new
 * tree; failures are reported with the value's location and the path poisoned.
 */
export function interpolateTree(root: YMap, lookup: Lookup, issues: Issues): YMap {
  const visit = (node: YNode, path: string): YNode => {
    if (node.kind === 'scalar') {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return node;
      try {
        const r = substitute(node.value, lookup);
        for (const name of r.missing) {
          if (issues.unsetWarned.has(name)) continue;
          issues.unsetWarned.add(name);
          // Docker Compose's wording.
          issues.warn(path, `The "${name}" variable is not set. Defaulting to a blank string.`, node.loc);
        }
        if (r.missing.length) issues.blankedBy(path, node.loc, [...new Set(r.missing)]);
        return { ...node, value: r.value };
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        issues.fatal(path, err.message, node.loc);
        return node;
      }
    }
    if (node.kind === 'seq') {
      let changed = false;
      const items = node.items.map((it, i) => {
        const r = visit(it, childPath(path, i));
        if (r !== it) changed = true;
        return r;
      });
      return changed ? { ...node, items } : node;
    }
    let entries: Map<string, YEntry> | undefined;
    for (const [k, e] of node.entries) {
      const v = visit(e.value, childPath(path, k));
      if (v !== e.value) {
        entries ??= new Map(node.entries);
        entries.set(k, { ...e, value: v });
      }
    }
    return entries ? { ...node, entries } : node;
  };
  return visit(root, '') as YMap;
}
