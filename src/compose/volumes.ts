/**
 * Volumes: a service's `volumes` (bind mounts, named and anonymous volumes,
 * tmpfs) and `tmpfs`, and the top-level `volumes`.
 *
 * canonical.ts calls `canonicalVolumes`/`canonicalTmpfs` so that files
 * merge by mount target whichever syntax each used:
 *   "./data:/data:ro"  → {type: bind, source: ./data, target: /data, read_only: true, bind: {create_host_path: true}}
 *   "db:/var/lib/db"   → {type: volume, source: db, target: /var/lib/db}
 *   "/cache"           → {type: volume, target: /cache}       (anonymous)
 *   tmpfs: "/run"      → ["/run"]
 */
import { posix } from 'node:path';
import type { Issues } from './issues';
import { BIND_OPTION_KEYS, MOUNT_KEYS, TMPFS_OPTION_KEYS, VOLUME_KEYS, VOLUME_OPTION_KEYS } from './keys';
import { checkObjectName } from './names';
import { field } from './read';
import type { Field, Reader } from './read';
import { childPath, describeNode, scalar, scalarText } from './tree';
import type { YEntry, YMap, YNode, YScalar } from './tree';
import type { BindPropagation, ServiceMount, VolumeSpec } from './types';

const PROPAGATIONS: readonly BindPropagation[] = ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared'];

// ------------------------------------------------------------ canonical forms

function entry(key: string, value: YNode, loc: YScalar['loc']): [string, YEntry] {
  return [key, { key, keyLoc: loc, value }];
}

function map(loc: YScalar['loc'], entries: Array<[string, YEntry]>): YMap {
  return { kind: 'map', entries: new Map(entries), loc };
}

/** Compose's rule: a source starting with ".", "/" or "~" is a host path, anything else a volume name. */
export function isHostPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}

/** "SOURCE:TARGET[:MODE]" or "TARGET" → the long syntax; undefined (reported) if malformed. */
function shortVolume(it: YScalar, path: string, issues: Issues): YMap | undefined {
  const text = it.value as string;
  const parts = text.split(':');
  const loc = it.loc;
  if (parts.length > 3 || parts.some((p) => p === '')) {
    issues.fatal(path, `"${text}" must be TARGET, SOURCE:TARGET or SOURCE:TARGET:MODE`, loc);
    return undefined;
  }
  if (parts.length === 1) {
    return map(loc, [entry('type', scalar('volume', loc), loc), entry('target', scalar(parts[0]!, loc), loc)]);
  }
  const [source, target, mode] = parts as [string, string, string | undefined];
  const bind = isHostPath(source);
  const entries: Array<[string, YEntry]> = [
    entry('type', scalar(bind ? 'bind' : 'volume', loc), loc),
    entry('source', scalar(source, loc), loc),
    entry('target', scalar(target, loc), loc),
  ];
  const bindOpts: Array<[string, YEntry]> = bind ? [entry('create_host_path', scalar(true, loc), loc)] : [];
  const volumeOpts: Array<[string, YEntry]> = [];
  for (const m of mode ? mode.split(',') : []) {
    if (m === 'ro' || m === 'rw') entries.push(entry('read_only', scalar(m === 'ro', loc), loc));
    else if (m === 'nocopy' && !bind) volumeOpts.push(entry('nocopy', scalar(true, loc), loc));
    else if ((PROPAGATIONS as readonly string[]).includes(m) && bind) bindOpts.push(entry('propagation', scalar(m, loc), loc));
    else if ((m === 'z' || m === 'Z') && bind) bindOpts.push(entry('selinux', scalar(m, loc), loc));
    // Docker Desktop's sharing hints: accepted, no effect on Linux (as Docker).
    else if (m === 'cached' || m === 'delegated' || m === 'consistent') entries.push(entry('consistency', scalar(m, loc), loc));
    else {
      issues.fatal(path, `"${m}" is not a volume mode (use ro, rw, cached, delegated, consistent${bind ? ', z, Z, or a propagation such as rslave' : ', nocopy'})`, loc);
      return undefined;
    }
  }
  if (bindOpts.length) entries.push(entry('bind', map(loc, bindOpts), loc));
  if (volumeOpts.length) entries.push(entry('volume', map(loc, volumeOpts), loc));
  return map(loc, entries);
}

export function canonicalVolumes(node: YNode, path: string, issues: Issues): YNode | undefined {
  if (node.kind !== 'seq') {
    issues.fatal(path, `must be a list, not ${describeNode(node)}`, node.loc);
    return undefined;
  }
  const items: YNode[] = [];
  node.items.forEach((it, i) => {
    if (it.kind === 'map') items.push(it);
    else if (it.kind === 'scalar' && typeof it.value === 'string') {
      // A malformed one (reported) stays as it is, so that later items keep their index.
      items.push(shortVolume(it, childPath(path, i), issues) ?? it);
    } else issues.fatal(childPath(path, i), `must be a string or a mapping, not ${describeNode(it)}`, it.loc);
  });
  return { ...node, items };
}

export function canonicalTmpfs(node: YNode, path: string, issues: Issues): YNode | undefined {
  if (node.kind === 'scalar' && typeof node.value === 'string') return { kind: 'seq', items: [node], loc: node.loc };
  if (node.kind === 'seq') return node;
  issues.fatal(path, `must be a path or a list of paths, not ${describeNode(node)}`, node.loc);
  return undefined;
}

// ----------------------------------------------------------------- normalize

/** "64m", "1g", 1048576 → bytes (Docker's units: k, m, g, powers of 1024). */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)([bkmg]?)b?$/i.exec(text.trim());
  if (!m) return undefined;
  const mult = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!;
  return Number(m[1]) * mult;
}

/** "1777", "0755", "0o755" → permission bits; undefined if not octal. */
export function parseMode(text: string): number | undefined {
  const m = /^(?:0o)?([0-7]{1,4})$/i.exec(text.trim());
  return m ? parseInt(m[1]!, 8) : undefined;
}

function checkTarget(r: Reader, f: Field, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!v.startsWith('/')) {
    r.error(f, `mount target "${v}" must be an absolute path`);
    return undefined;
  }
  const norm = posix.normalize(v);
  if (norm === '/') {
    r.error(f, 'a volume cannot be mounted at /');
    return undefined;
  }
  return norm.length > 1 && norm.endsWith('/') ? norm.slice(0, -1) : norm;
}

export interface VolumeContext {
  /** Relative bind sources resolve against it. */
  projectDir: string;
  /** `~` in bind sources. */
  home?: string;
  /** The top-level volumes: a named volume must be one of them. */
  declaredVolumes?: ReadonlySet<string>;
  /** Reads a file the service names (a seccomp profile), size-guarded. */
  readFile?: (absPath: string) => string | undefined;
}

function hostPath(source: string, ctx: VolumeContext): string {
  if (source === '~' || source.startsWith('~/')) return posix.join(ctx.home ?? '/root', source.slice(1));
  return posix.resolve(ctx.projectDir, source);
}

function longMount(f: Field, r: Reader, ctx: VolumeContext): ServiceMount | undefined {
  const m = r.map(f);
  if (!m) return undefined;
  const keys = r.keys(m, f.path, MOUNT_KEYS, {});
  const typeField = keys.get('type');
  const type = typeField ? r.string(typeField) : undefined;
  if (!typeField) {
    r.error(f, 'a volume mount needs a "type" (bind, volume or tmpfs)');
    return undefined;
  }
  if (type === undefined) return undefined;
  if (!['bind', 'volume', 'tmpfs'].includes(type)) {
    r.error(typeField, ['cluster', 'npipe', 'image'].includes(type) ? `volume type "${type}" is not supported yet` : `"${type}" is not a volume type (use bind, volume or tmpfs)`);
    return undefined;
  }
  const targetField = keys.get('target');
  if (!targetField) {
    r.error(f, 'a volume mount needs a "target"');
    return undefined;
  }
  const target = checkTarget(r, targetField, r.string(targetField));
  const roField = keys.get('read_only');
  const readOnly = roField ? (r.bool(roField) ?? false) : false;
  const sourceField = keys.get('source');
  const source = sourceField ? r.string(sourceField) : undefined;
  for (const k of ['bind', 'volume', 'tmpfs'] as const) {
    const of = keys.get(k);
    if (of && k !== type) r.error(of, `"${k}" options do not apply to a ${type} mount`);
  }
  if (target === undefined) return undefined;

  if (type === 'bind') {
    if (!source) {
      r.error(sourceField ?? f, 'a bind mount needs a "source" (a host path)');
      return undefined;
    }
    const out: ServiceMount = { type: 'bind', source: hostPath(source, ctx), target, readOnly, propagation: 'rprivate', createHostPath: false, recursive: true };
    const bf = keys.get('bind');
    const bm = bf ? r.map(bf) : undefined;
    if (bf && bm) {
      const bk = r.keys(bm, bf.path, BIND_OPTION_KEYS, {});
      const pf = bk.get('propagation');
      const p = pf ? r.string(pf) : undefined;
      if (pf && p !== undefined) {
        if ((PROPAGATIONS as readonly string[]).includes(p)) out.propagation = p as BindPropagation;
        else r.error(pf, `"${p}" is not a propagation (use ${PROPAGATIONS.join(', ')})`);
      }
      const zf = bk.get('selinux');
      const z = zf ? r.string(zf) : undefined;
      if (zf && z !== undefined) {
        if (z === 'z' || z === 'Z') out.selinux = z;
        else r.error(zf, `"${z}" is not a bind.selinux value (use z or Z)`);
      }
      const cf = bk.get('create_host_path');
      if (cf) out.createHostPath = r.bool(cf) ?? false;
      const rf = bk.get('recursive');
      const rec = rf ? r.string(rf) : undefined;
      if (rf && rec !== undefined) {
        if (rec === 'enabled' || rec === 'readonly') out.recursive = true;
        else if (rec === 'disabled') out.recursive = false;
        else if (rec === 'writable') r.error(rf, 'bind.recursive "writable" is not supported yet');
        else r.error(rf, `"${rec}" is not a bind.recursive value (use enabled, disabled or readonly)`);
      }
    }
    return out;
  }
  if (type === 'volume') {
    const out: ServiceMount = { type: 'volume', target, readOnly };
    if (source !== undefined && source !== '') {
      if (isHostPath(source)) {
        r.error(sourceField!, `"${source}" is a host path: use type: bind for it`);
        return undefined;
      }
      if (!ctx.declaredVolumes?.has(source)) {
        r.error(sourceField!, `volume "${source}" is not declared in the top-level volumes`);
        return undefined;
      }
      out.source = source;
    }
    const vf = keys.get('volume');
    const vm = vf ? r.map(vf) : undefined;
    if (vf && vm) {
      const vk = r.keys(vm, vf.path, VOLUME_OPTION_KEYS, {});
      const nf = vk.get('nocopy');
      if (nf && r.bool(nf)) out.nocopy = true;
      const sf = vk.get('subpath');
      const sub = sf ? r.string(sf) : undefined;
      if (sf && sub !== undefined && sub !== '') {
        const norm = posix.normalize(sub);
        if (sub.startsWith('/') || norm === '..' || norm.startsWith('../')) r.error(sf, `subpath "${sub}" must be a relative path inside the volume`);
        else out.subpath = norm;
      }
    }
    return out;
  }
  if (source !== undefined && source !== '') r.error(sourceField!, 'a tmpfs mount has no source');
  const out: ServiceMount = { type: 'tmpfs', target, readOnly };
  const tf = keys.get('tmpfs');
  const tm = tf ? r.map(tf) : undefined;
  if (tf && tm) {
    const tk = r.keys(tm, tf.path, TMPFS_OPTION_KEYS, {});
    const sf = tk.get('size');
    if (sf) {
      const n = sf.node;
      const size = n.kind === 'scalar' && (typeof n.value === 'number' || typeof n.value === 'string') ? parseSize(scalarText(n)) : undefined;
      if (size === undefined) r.error(sf, 'must be a size in bytes, or with a unit like 64m');
      else out.size = size;
    }
    const mf = tk.get('mode');
    if (mf) {
      const n = mf.node;
      const mode = n.kind === 'scalar' && (typeof n.value === 'number' || typeof n.value === 'string') ? parseMode(scalarText(n)) : undefined;
      if (mode === undefined) r.error(mf, 'must be an octal mode like 1777');
      else out.mode = mode;
    }
  }
  return out;
}

/** `tmpfs: /run:size=64m,mode=1777` (Docker's --tmpfs syntax). */
function shortTmpfs(value: string, f: Field, r: Reader): ServiceMount | undefined {
  const colon = value.indexOf(':');
  const target = checkTarget(r, f, colon < 0 ? value : value.slice(0, colon));
  if (target === undefined) return undefined;
  const out: ServiceMount = { type: 'tmpfs', target, readOnly: false, exec: false };
  for (const opt of colon < 0 ? [] : value.slice(colon + 1).split(',').filter(Boolean)) {
    const [k, v] = opt.split('=', 2) as [string, string | undefined];
    if (k === 'size' && v !== undefined && parseSize(v) !== undefined) out.size = parseSize(v);
    else if (k === 'mode' && v !== undefined && parseMode(v) !== undefined) out.mode = parseMode(v);
    else if (opt === 'ro' || opt === 'rw') out.readOnly = opt === 'ro';
    else if (opt === 'exec' || opt === 'noexec') out.exec = opt === 'exec';
    else if (opt === 'nosuid' || opt === 'nodev') continue; // always so
    else {
      r.error(f, `tmpfs option "${opt}" is not supported (use size=, mode=, ro, rw, exec, noexec)`);
      return undefined;
    }
  }
  return out;
}

/** A service's `volumes` and `tmpfs` → its mounts; duplicate targets are errors. */
export function normalizeMounts(volumesField: Field | undefined, tmpfsField: Field | undefined, r: Reader, ctx: VolumeContext): ServiceMount[] {
  const out: ServiceMount[] = [];
  const targets = new Map<string, string>();
  const add = (m: ServiceMount | undefined, f: Field) => {
    if (!m) return;
    const prev = targets.get(m.target);
    if (prev) {
      r.error(f, `${m.target} is already a mount target (${prev})`);
      return;
    }
    targets.set(m.target, f.path);
    out.push(m);
  };
  const vn = volumesField?.node;
  if (volumesField && vn?.kind === 'seq') {
    vn.items.forEach((it, i) => {
      if (it.kind === 'scalar') return; // a short syntax canonical.ts could not read (reported there)
      const f: Field = { path: childPath(volumesField.path, i), loc: it.loc, node: it };
      add(longMount(f, r, ctx), f);
    });
  }
  if (tmpfsField) {
    for (const { value, field: f } of r.strings(tmpfsField) ?? []) add(shortTmpfs(value, f, r), f);
  }
  return out;
}

/** Top-level `volumes.<name>`. */
export function normalizeVolume(name: string, f: Field, r: Reader): VolumeSpec | undefined {
  const problem = checkObjectName(name);
  if (problem) r.error(f, `volume name "${name}" ${problem}`);
  const m = r.map(f, { nullable: true });
  if (!m) return undefined;
  const spec: VolumeSpec = { name, external: false, labels: {}, extensions: {} };
  const keys = r.keys(m, f.path, VOLUME_KEYS, spec.extensions);
  for (const [key, kf] of keys) {
    switch (key) {
      case 'name': {
        const v = r.string(kf);
        const p = v === undefined ? undefined : checkObjectName(v);
        if (p) r.error(kf, `volume name "${v}" ${p}`);
        else if (v) spec.externalName = v;
        break;
      }
      case 'driver': {
        const v = r.string(kf);
        if (v !== undefined && v !== 'local') r.error(kf, `volume driver "${v}" is not supported yet (only local)`);
        break;
      }
      case 'external': {
        if (kf.node.kind === 'map') {
          const em = kf.node;
          for (const e of em.entries.values()) {
            const ef = field(kf.path, e);
            if (e.key !== 'name') r.error(ef, `unknown external key "${e.key}"`);
            else {
              const v = r.string(ef);
              if (v) spec.externalName = v;
            }
          }
          spec.external = true;
        } else spec.external = r.bool(kf) ?? false;
        break;
      }
      case 'labels': {
        const n = kf.node;
        if (n.kind === 'map') {
          for (const e of n.entries.values()) {
            const v = r.text(field(kf.path, e), { bool: true, nullAs: '' });
            if (v !== undefined) spec.labels[e.key] = v;
          }
        } else if (n.kind === 'seq') {
          for (const { value } of r.strings(kf) ?? []) {
            const eq = value.indexOf('=');
            spec.labels[eq < 0 ? value : value.slice(0, eq)] = eq < 0 ? '' : value.slice(eq + 1);
          }
        } else r.error(kf, `must be a mapping or a list, not ${describeNode(n)}`);
        break;
      }
    }
  }
  return spec;
}
