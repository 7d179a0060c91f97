/**
 * Typed access to tree values for the normalizers. Types follow the
 * compose-spec schema: where it allows a string for a number or boolean
 * (interpolated values), the string is converted as Compose does.
 * Every mismatch is reported at the key, and the reader returns undefined.
 */
import type { SourceLoc } from '../errors';
import type { Issues } from './issues';
import { classify, unknownMessage, unsupportedMessage } from './keys';
import type { KeyTable } from './keys';
import { childPath, describeNode, scalarText, setOwn, toPlain } from './tree';
import type { YEntry, YMap, YNode } from './tree';

export interface Field {
  path: string;
  /** Where the key was written (issues point here). */
  loc: SourceLoc;
  node: YNode;
}

export function field(parentPath: string, e: YEntry): Field {
  return { path: childPath(parentPath, e.key), loc: e.keyLoc, node: e.value };
}

export class Reader {
  constructor(readonly issues: Issues) {}

  error(f: Field, message: string): void {
    this.issues.error(f.path, message, f.loc);
  }

  wrongType(f: Field, expected: string): undefined {
    this.issues.error(f.path, `must be ${expected}, not ${describeNode(f.node)}`, f.loc);
    return undefined;
  }

  string(f: Field): string | undefined {
    const n = f.node;
    if (n.kind === 'scalar' && typeof n.value === 'string') return n.value;
    return this.wrongType(f, 'a string');
  }

  /** Strings, numbers (and booleans if allowed) as text: environment values, labels, driver options. */
  text(f: Field, opts: { bool?: boolean; nullAs?: string } = {}): string | undefined {
    const n = f.node;
    if (n.kind === 'scalar') {
      if (typeof n.value === 'string' || typeof n.value === 'number') return scalarText(n);
      if (typeof n.value === 'boolean' && opts.bool) return String(n.value);
      if (n.value === null && opts.nullAs !== undefined) return opts.nullAs;
    }
    return this.wrongType(f, opts.bool ? 'a string, number or boolean' : 'a string or number');
  }

  /** Booleans; strings as Go's strconv.ParseBool reads them (schema allows strings for interpolation). */
  bool(f: Field, allowString = true): boolean | undefined {
    const n = f.node;
    if (n.kind === 'scalar') {
      if (typeof n.value === 'boolean') return n.value;
      if (allowString && typeof n.value === 'string') {
        if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(n.value)) return true;
        if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(n.value)) return false;
        this.error(f, `"${n.value}" is not a boolean (use true or false)`);
        return undefined;
      }
    }
    return this.wrongType(f, 'a boolean');
  }

  /** Integers; numeric strings too when `allowString` (schema: ["integer", "string"]). */
  int(f: Field, opts: { min?: number; max?: number; allowString?: boolean } = {}): number | undefined {
    const n = f.node;
    let v: number | undefined;
    if (n.kind === 'scalar' && typeof n.value === 'number') {
      if (!Number.isInteger(n.value)) {
        this.error(f, `${scalarText(n)} is not an integer`);
        return undefined;
      }
      v = n.value;
    } else if (n.kind === 'scalar' && typeof n.value === 'string' && opts.allowString !== false) {
      if (!/^[-+]?[0-9]+$/.test(n.value.trim())) {
        this.error(f, `"${n.value}" is not an integer`);
        return undefined;
      }
      v = Number(n.value.trim());
    } else return this.wrongType(f, opts.allowString === false ? 'an integer' : 'an integer (or a string holding one)');
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      const range = opts.max === undefined ? `at least ${opts.min}` : opts.min === undefined ? `at most ${opts.max}` : `between ${opts.min} and ${opts.max}`;
      this.error(f, `${v} is out of range (must be ${range})`);
      return undefined;
    }
    return v;
  }

  map(f: Field, opts: { nullable?: boolean } = {}): YMap | undefined {
    const n = f.node;
    if (n.kind === 'map') return n;
    if (opts.nullable && n.kind === 'scalar' && n.value === null) return { kind: 'map', entries: new Map(), loc: n.loc };
    return this.wrongType(f, opts.nullable ? 'a mapping or null' : 'a mapping');
  }

  /** A list of strings (already checked for shape by canonical.ts where it applies). */
  strings(f: Field): Array<{ value: string; field: Field }> | undefined {
    const n = f.node;
    if (n.kind !== 'seq') return this.wrongType(f, 'a list of strings');
    const out: Array<{ value: string; field: Field }> = [];
    const seen = new Set<string>();
    let ok = true;
    n.items.forEach((it, i) => {
      const itf: Field = { path: childPath(f.path, i), loc: it.loc, node: it };
      if (it.kind !== 'scalar' || typeof it.value !== 'string') {
        this.wrongType(itf, 'a string');
        ok = false;
      } else if (seen.has(it.value)) {
        this.error(itf, `duplicate entry "${it.value}"`);
        ok = false;
      } else {
        seen.add(it.value);
        out.push({ value: it.value, field: itf });
      }
    });
    return ok ? out : undefined;
  }

  /**
   * Walks a mapping's keys against a key table: reports unknown and not yet
   * supported keys, collects `x-*` extensions, and returns the supported
   * fields by key.
   */
  keys(map: YMap, path: string, t: KeyTable, extensions?: Record<string, unknown>): Map<string, Field> {
    const out = new Map<string, Field>();
    for (const e of map.entries.values()) {
      const f = field(path, e);
      switch (classify(t, e.key)) {
        case 'supported':
          out.set(e.key, f);
          break;
        case 'extension':
          if (extensions) setOwn(extensions, e.key, toPlain(e.value));
          break;
        case 'unsupported':
          this.error(f, unsupportedMessage(t, e.key));
          break;
        case 'unknown':
          this.error(f, unknownMessage(t, e.key));
          break;
      }
    }
    return out;
  }
}

/** A Record with keys sorted (the model's convention). */
export function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const list = Array.isArray(entries) ? (entries as Array<[string, T]>) : [...entries];
  let sorted = true;
  for (let i = 1; i < list.length && sorted; i++) sorted = list[i - 1]![0] < list[i]![0];
  if (!sorted) list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Record<string, T> = {};
  for (let i = 0; i < list.length; i++) setOwn(out, list[i]![0], list[i]![1]);
  return out;
}
