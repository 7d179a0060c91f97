/** What every lab key module shares: the model it fills, where keys were written, and list reading. */
import type { KeyTable } from '../keys';
import { field, type Field, type Reader } from '../read';
import { childPath, type YMap, type YNode } from '../tree';
import type { NetworkSpec, ServiceSpec } from '../types';

export function keyTable(what: string, supported: string[]): KeyTable {
  return { what, supported: new Set(supported), unsupported: new Set(), hints: new Map() };
}

export interface Model {
  networks: Record<string, NetworkSpec>;
  services: Record<string, ServiceSpec>;
}

/** Where keys were written; desugared keys get the location of what they came from. */
export interface Sources {
  get(path: string): { file: string; line: number; col: number } | undefined;
  set(path: string, loc: { file: string; line: number; col: number }): unknown;
}

export function mapAt(map: YMap, key: string): YMap | undefined {
  const n = map.entries.get(key)?.value;
  return n?.kind === 'map' ? n : undefined;
}

export function entryField(map: YMap | undefined, path: string, key: string): Field | undefined {
  const e = map?.entries.get(key);
  return e ? field(path, e) : undefined;
}

export function items(f: Field, r: Reader, what: string): Field[] | undefined {
  if (f.node.kind !== 'seq') {
    r.error(f, `must be a list of ${what}`);
    return undefined;
  }
  return f.node.items.map((node: YNode, i: number) => ({ path: childPath(f.path, i), loc: node.loc, node }));
}
