/**
 * Fields the Kubernetes API does not know. The OpenAPI validators accept
 * unknown fields (the schemas do not forbid them), but `kubectl apply`
 * rejects them (--validate=strict, its default): here each object is walked
 * along the field lists kubernetes-models declares for every type (its
 * .d.ts files, one interface a file, generated from the same OpenAPI).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../compose/helpers';

type FieldType = { kind: 'object'; file: string } | { kind: 'array'; of: FieldType } | { kind: 'leaf' };
type Fields = Map<string, FieldType>;

const cache = new Map<string, Fields>();

function resolveImport(from: string, spec: string): string {
  const base = spec.startsWith('.') ? path.resolve(path.dirname(from), spec) : path.join(repoRoot, 'node_modules', spec);
  return `${base.replace(/\.js$/, '')}.d.ts`;
}

/** The fields of the interface a .d.ts file declares, each with its type when it is another file's interface. */
function fieldsOf(file: string): Fields {
  const hit = cache.get(file);
  if (hit) return hit;
  const text = fs.readFileSync(file, 'utf8');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1]!, resolveImport(file, m[2]!));
  const block = /^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text);
  const fields: Fields = new Map();
  const typeOf = (t: string): FieldType => {
    const arr = /^Array<(\w+)>$/.exec(t);
    if (arr) return { kind: 'array', of: typeOf(arr[1]!) };
    const f = imports.get(t);
    return f && fs.existsSync(f) && /^export interface /m.test(fs.readFileSync(f, 'utf8')) ? { kind: 'object', file: f } : { kind: 'leaf' };
  };
  for (const m of (block?.[1] ?? '').matchAll(/^ {4}"(\w+)"\??: (.+?);?$/gm)) fields.set(m[1]!, m[2] === '{' ? { kind: 'leaf' } : typeOf(m[2]!));
  cache.set(file, fields);
  return fields;
}

function walk(value: unknown, type: FieldType, at: string, out: string[]): void {
  if (type.kind === 'leaf' || value === null || typeof value !== 'object') return;
  if (type.kind === 'array') {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, type.of, `${at}[${i}]`, out));
    return;
  }
  const fields = fieldsOf(type.file);
  for (const [k, v] of Object.entries(value)) {
    const f = fields.get(k);
    if (!f) out.push(`${at}.${k}: no such field`);
    else walk(v, f, `${at}.${k}`, out);
  }
}

/** Unknown fields of an object whose model lives at `modulePath` (kubernetes-models/apps/v1/Deployment). */
export function unknownFields(object: unknown, modulePath: string): string[] {
  const out: string[] = [];
  walk(object, { kind: 'object', file: path.join(repoRoot, 'node_modules', `${modulePath}.d.ts`) }, '', out);
  return out;
}
