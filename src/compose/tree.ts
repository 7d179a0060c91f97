/**
 * The YAML tree the loader works on between parsing and normalizing: plain
 * values plus the place each one was written, so that every stage (merge,
 * interpolation, validation) can point at the file, line and column.
 */
import type { SourceLoc } from '../errors';

/** Compose's merge tags: `!reset` drops the key, `!override` replaces instead of merging. */
export type YTag = 'reset' | 'override';

export interface YScalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  /** Where the value starts (for empty values: where its key is). */
  loc: SourceLoc;
  tag?: YTag;
  /** The scalar as written (after YAML unescaping), for messages and exact integers. */
  text?: string;
}

export interface YSeq {
  kind: 'seq';
  items: YNode[];
  loc: SourceLoc;
  tag?: YTag;
}

export interface YEntry {
  key: string;
  keyLoc: SourceLoc;
  value: YNode;
}

export interface YMap {
  kind: 'map';
  /** Insertion order is the order written (merge-key entries last). */
  entries: Map<string, YEntry>;
  loc: SourceLoc;
  tag?: YTag;
}

export type YNode = YScalar | YSeq | YMap;

export function childPath(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

export function scalar(value: YScalar['value'], loc: SourceLoc): YScalar {
  return { kind: 'scalar', value, loc };
}

/** "a string", "a list", … for "must be X, not Y" messages. */
export function describeNode(node: YNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'null';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return 'a number';
}

/** A scalar's value as text, the way Compose prints it (`true`, `1.5`). */
export function scalarText(node: YScalar): string {
  const v = node.value;
  if (v === null) return '';
  if (typeof v === 'number') {
    // Beyond 2^53 the number lost digits; what was written is exact.
    if (!Number.isSafeInteger(v) && Number.isInteger(v) && node.text !== undefined) return node.text.replace(/^\+/, '');
    return String(v);
  }
  return String(v);
}

/**
 * Sets an own property even for names like `__proto__` (which plain
 * assignment would turn into a prototype change).
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` is special on assignment; defineProperty is slow, so keep it for that case.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** The tree as plain JSON-like data (for `x-*` extensions). */
export function toPlain(node: YNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, e] of node.entries) setOwn(out, k, toPlain(e.value));
  return out;
}

/**
 * Dotted path → location for every key and list item of a merged tree
 * (`Project.sources`). Keys point at the key, list items at the item.
 * Built on first use: most loads never need a location.
 */
export class TreeSourceMap extends Map<string, SourceLoc> {
  private root: YMap | undefined;
  constructor(root: YMap) {
    super();
    this.root = root;
  }
  private build(): void {
    const root = this.root;
    if (!root) return;
    this.root = undefined;
    const walk = (node: YNode, path: string): void => {
      if (node.kind === 'map') {
        for (const [k, e] of node.entries) {
          const p = path === '' ? k : `${path}.${k}`;
          super.set(p, e.keyLoc);
          walk(e.value, p);
        }
      } else if (node.kind === 'seq') {
        for (let i = 0; i < node.items.length; i++) {
          const it = node.items[i]!;
          const p = `${path}.${i}`;
          super.set(p, it.loc);
          walk(it, p);
        }
      }
    };
    walk(root, '');
  }
  override set(key: string, value: SourceLoc): this {
    this.build();
    return super.set(key, value);
  }
  override get(key: string): SourceLoc | undefined {
    this.build();
    return super.get(key);
  }
  override has(key: string): boolean {
    this.build();
    return super.has(key);
  }
  override get size(): number {
    this.build();
    return super.size;
  }
  override forEach(fn: (value: SourceLoc, key: string, map: Map<string, SourceLoc>) => void, thisArg?: unknown): void {
    this.build();
    super.forEach(fn, thisArg);
  }
  override entries(): MapIterator<[string, SourceLoc]> {
    this.build();
    return super.entries();
  }
  override keys(): MapIterator<string> {
    this.build();
    return super.keys();
  }
  override values(): MapIterator<SourceLoc> {
    this.build();
    return super.values();
  }
  override [Symbol.iterator](): MapIterator<[string, SourceLoc]> {
    return this.entries();
  }
}
