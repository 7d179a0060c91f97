/**
 * `extends` (compose-spec): a service starts from another one's configuration,
 * in the same file (`extends: base` or `{service: base}`) or another
 * (`{file: common.yaml, service: base}`), then its own keys are merged over it
 * with the rules of `-f` files (merge.ts). Chains are followed, cycles are an
 * error. Resolved per file, after canonical.ts, before the files are merged.
 *
 * A service taken from another file keeps the meaning of its relative paths:
 * they are made absolute against that file's directory (build context,
 * env_file, label_file, bind sources, x-rootfs), as Docker Compose does since
 * 2.24. The base service's own file is read once however often it is named.
 */
import { posix } from 'node:path';
import type { Issues } from './issues';
import { mergeMaps } from './merge';
import { childPath, scalar } from './tree';
import type { YEntry, YMap, YNode } from './tree';

export interface ExtendsContext {
  issues: Issues;
  /** The file being resolved, absolute, and how messages name it. */
  file: string;
  /** Another compose file, parsed, interpolated and in canonical form (undefined: missing, already reported). */
  load(file: string, from: { path: string; loc: YEntry['keyLoc'] }): YMap | undefined;
}

/** `root` with every service's `extends` resolved (and removed). */
export function applyExtends(root: YMap, ctx: ExtendsContext): YMap {
  const services = root.entries.get('services')?.value;
  if (services?.kind !== 'map' || ![...services.entries.values()].some((e) => e.value.kind === 'map' && e.value.entries.has('extends'))) return root;
  const resolver = new Resolver(ctx);
  const out = new Map<string, YEntry>();
  for (const [name, e] of services.entries) out.set(name, { ...e, value: e.value.kind === 'map' ? resolver.service(ctx.file, root, name, []) : e.value });
  const entries = new Map(root.entries);
  entries.set('services', { ...root.entries.get('services')!, value: { ...services, entries: out } });
  return { ...root, entries };
}

class Resolver {
  private readonly done = new Map<string, YMap>();
  constructor(private readonly ctx: ExtendsContext) {}

  /** Service `name` of `root` (the tree of `file`), its extends resolved; `stack` is the chain so far. */
  service(file: string, root: YMap, name: string, stack: string[]): YMap {
    const key = `${file}\0${name}`;
    const cached = this.done.get(key);
    if (cached) return cached;
    const entry = (root.entries.get('services')?.value as YMap).entries.get(name)!;
    const own = entry.value as YMap;
    const ext = own.entries.get('extends');
    if (!ext) return own;
    const path = childPath(childPath('services', name), 'extends');
    const rest: YMap = { ...own, entries: new Map([...own.entries].filter(([k]) => k !== 'extends')) };
    const target = this.target(ext, path);
    if (!target) return rest;
    const baseFile = target.file ? posix.resolve(posix.dirname(file), target.file) : file;
    const chain = [...stack, `${baseFile}#${name}`];
    const baseKey = `${baseFile}#${target.service}`;
    if (chain.includes(baseKey)) {
      this.ctx.issues.error(path, `extends makes a cycle: ${[...chain, baseKey].map((k) => k.split('#')[1]).join(' → ')}`, ext.keyLoc);
      return rest;
    }
    const baseRoot = baseFile === file ? root : this.ctx.load(baseFile, { path, loc: ext.keyLoc });
    if (!baseRoot) return rest;
    const baseEntry = (baseRoot.entries.get('services')?.value as YMap | undefined)?.entries.get(target.service);
    if (baseEntry?.value.kind !== 'map') {
      this.ctx.issues.error(path, `no service "${target.service}" to extend in ${target.file ?? 'this file'}`, ext.keyLoc);
      return rest;
    }
    let base = this.service(baseFile, baseRoot, target.service, chain);
    if (baseFile !== file) base = absolutePaths(base, posix.dirname(baseFile));
    const merged = mergeMaps(base, rest, ['services', name]);
    this.done.set(key, merged);
    return merged;
  }

  /** `extends: NAME` or `{service: NAME, file: FILE}`. */
  private target(ext: YEntry, path: string): { service: string; file?: string } | undefined {
    const v = ext.value;
    if (v.kind === 'scalar' && typeof v.value === 'string' && v.value) return { service: v.value };
    if (v.kind === 'map') {
      const service = v.entries.get('service')?.value;
      const file = v.entries.get('file')?.value;
      const unknown = [...v.entries.keys()].filter((k) => k !== 'service' && k !== 'file');
      if (unknown.length) this.ctx.issues.error(childPath(path, unknown[0]!), `unknown extends key "${unknown[0]}" (service, file)`, v.entries.get(unknown[0]!)!.keyLoc);
      else if (service?.kind !== 'scalar' || typeof service.value !== 'string' || !service.value) {
        this.ctx.issues.error(childPath(path, 'service'), 'extends needs the name of the service to extend', ext.keyLoc);
      } else if (file && (file.kind !== 'scalar' || typeof file.value !== 'string' || !file.value)) {
        this.ctx.issues.error(childPath(path, 'file'), 'extends.file must be a path', v.entries.get('file')!.keyLoc);
      } else return { service: service.value, ...(file ? { file: (file as { value: string }).value } : {}) };
      return undefined;
    }
    this.ctx.issues.error(path, 'extends must be a service name or {service, file}', ext.keyLoc);
    return undefined;
  }
}

/** The service's relative paths, made absolute against `dir` (its file's directory). */
export function absolutePaths(svc: YMap, dir: string): YMap {
  const abs = (n: YNode): YNode =>
    n.kind === 'scalar' && typeof n.value === 'string' && n.value && !posix.isAbsolute(n.value) && !n.value.startsWith('~') && !/^[a-z]+:\/\/|^git@/.test(n.value)
      ? scalar(posix.resolve(dir, n.value), n.loc)
      : n;
  const field = (m: YMap, key: string, f: (n: YNode) => YNode): YMap => {
    const e = m.entries.get(key);
    if (!e) return m;
    const entries = new Map(m.entries);
    entries.set(key, { ...e, value: f(e.value) });
    return { ...m, entries };
  };
  const each = (f: (n: YNode) => YNode) => (n: YNode): YNode => (n.kind === 'seq' ? { ...n, items: n.items.map(f) } : n);
  const inMap = (key: string, f: (n: YNode) => YNode) => (n: YNode): YNode => (n.kind === 'map' ? field(n, key, f) : n);
  const bindSource = (n: YNode): YNode => (n.kind === 'map' && (n.entries.get('type')?.value as { value?: unknown } | undefined)?.value === 'bind' ? field(n, 'source', abs) : n);
  let out = field(svc, 'build', inMap('context', abs));
  out = field(out, 'env_file', each(inMap('path', abs)));
  out = field(out, 'label_file', each(abs));
  out = field(out, 'volumes', each(bindSource));
  return field(out, 'x-rootfs', abs);
}
