/**
 * `build`: what buildah is asked to make (image/build/). Paths resolve as
 * Compose resolves them: the context against the project directory, the
 * Dockerfile against the context. A service with `build` and no `image`
 * runs `<project>-<service>` (named in load.ts, once the project has its
 * name). Pure: nothing is read from disk here; a missing context is
 * reported when the build starts, at this key's line.
 */
import { posix } from 'node:path';
import { canonical, parseReference, ReferenceError } from '../image/reference';
import type { EnvContext } from './environment';
import { BUILD_KEYS } from './keys';
import { labels as readLabels } from './network';
import { field, sortedRecord } from './read';
import type { Field } from './read';
import { extraHosts } from './service-network';
import type { BuildSpec } from './types';
import { parseSize } from './volumes';

/** A context Compose (and buildah) fetch rather than read from disk. */
export const isRemoteContext = (c: string) => /^(https?:\/\/|git:\/\/|git@|github\.com\/)/.test(c);

export function normalizeBuild(f: Field, ctx: EnvContext): BuildSpec | undefined {
  const r = ctx.reader;
  const map = r.map(f); // canonical.ts made `build: DIR` a mapping
  if (!map) return undefined;
  const keys = r.keys(map, f.path, BUILD_KEYS);
  const spec: BuildSpec = { context: ctx.projectDir, args: {}, labels: {}, tags: [], ssh: [], extraHosts: [], cacheFrom: [], contexts: {} };
  const cf = keys.get('context');
  const context = cf ? r.string(cf) : '.';
  if (context === '') r.error(cf!, 'must not be empty');
  else if (context !== undefined) spec.context = isRemoteContext(context) ? context : posix.resolve(ctx.projectDir, context);
  const remote = isRemoteContext(spec.context);
  const df = keys.get('dockerfile');
  const dif = keys.get('dockerfile_inline');
  if (df && dif) r.error(dif, 'dockerfile and dockerfile_inline both name the Dockerfile; keep one');
  const dockerfile = df ? r.string(df) : undefined;
  if (dockerfile === '') r.error(df!, 'must not be empty');
  else if (dockerfile !== undefined) spec.dockerfile = remote || posix.isAbsolute(dockerfile) ? dockerfile : posix.resolve(spec.context, dockerfile);
  if (dif) {
    const text = r.string(dif);
    if (text !== undefined) spec.dockerfileInline = text;
  }
  for (const [key, kf] of keys) readKey(key, kf, spec, ctx);
  return spec;
}

function readKey(key: string, kf: Field, spec: BuildSpec, ctx: EnvContext): void {
  const r = ctx.reader;
  switch (key) {
    case 'args':
      spec.args = buildArgs(kf, ctx);
      break;
    case 'labels':
      spec.labels = readLabels(kf, r);
      break;
    case 'target': {
      const v = r.string(kf);
      if (v) spec.target = v;
      break;
    }
    case 'tags':
      for (const { value, field: tf } of r.strings(kf) ?? []) {
        try {
          spec.tags.push(canonical(parseReference(value)));
        } catch (e) {
          if (!(e instanceof ReferenceError)) throw e;
          r.error(tf, e.message);
        }
      }
      break;
    case 'network': {
      const v = r.string(kf);
      if (v === 'host' || v === 'none') spec.network = v;
      else if (v !== undefined && v !== 'default') r.error(kf, `"${v}" is not a build network here (host, none or default)`);
      break;
    }
    case 'ssh':
      spec.ssh = (r.strings(kf) ?? []).map((s) => s.value);
      break;
    case 'extra_hosts':
      spec.extraHosts = extraHosts(kf, r);
      if (spec.extraHosts.some((h) => h.ip === 'host-gateway')) r.error(kf, 'host-gateway has no meaning in a build (it runs on the host network)');
      break;
    case 'no_cache':
    case 'pull': {
      const v = r.bool(kf);
      if (v !== undefined) spec[key === 'pull' ? 'pull' : 'noCache'] = v;
      break;
    }
    case 'shm_size': {
      const v = r.text(kf);
      if (v !== undefined && parseSize(v) === undefined) r.error(kf, `"${v}" is not a size (e.g. 64m, 1g)`);
      else if (v !== undefined) spec.shmSize = String(parseSize(v));
      break;
    }
    case 'cache_from':
      spec.cacheFrom = (r.strings(kf) ?? []).flatMap(({ value, field: itf }) => {
        // BuildKit's `type=registry,ref=REPO` or a bare repository: buildah takes the repository.
        const attrs = new Map(value.split(',').map((p) => p.split('=', 2) as [string, string]));
        if (!value.includes('=')) return [value];
        if (attrs.get('type') === 'registry' && attrs.get('ref')) return [attrs.get('ref')!];
        r.error(itf, `"${value}": only registry caches (type=registry,ref=REPO) can be read by buildah`);
        return [];
      });
      break;
    case 'additional_contexts': {
      const map = r.map(kf);
      for (const e of map?.entries.values() ?? []) {
        const v = r.string(field(kf.path, e));
        if (v === undefined) continue;
        const remote = isRemoteContext(v) || v.startsWith('docker-image://');
        spec.contexts[e.key] = remote ? v : posix.resolve(ctx.projectDir, v);
      }
      spec.contexts = sortedRecord(Object.entries(spec.contexts));
      break;
    }
    case 'platforms': {
      const list = r.strings(kf) ?? [];
      if (list.length > 1) r.error(kf, 'one platform per build here (a multi-platform image needs a registry to assemble; build each platform apart)');
      else if (list[0]) spec.platform = list[0].value;
      break;
    }
  }
}

/** `args`: values as text; a name alone takes the project environment's value, and is dropped when unset (as Compose). */
function buildArgs(f: Field, ctx: EnvContext): Record<string, string> {
  const r = ctx.reader;
  const map = r.map(f);
  const out: Array<[string, string]> = [];
  for (const e of map?.entries.values() ?? []) {
    if (e.value.kind === 'scalar' && e.value.value === null) {
      const v = ctx.lookup(e.key);
      if (v !== undefined) out.push([e.key, v]);
      continue;
    }
    const v = r.text(field(f.path, e), { bool: true });
    if (v !== undefined) out.push([e.key, v]);
  }
  return sortedRecord(out);
}

/** The keys back, for `config` (paths as resolved, as `docker compose config` prints them). */
export function renderBuild(b: BuildSpec): Record<string, unknown> {
  return {
    context: b.context,
    ...(b.dockerfile ? { dockerfile: b.dockerfile } : {}),
    ...(b.dockerfileInline !== undefined ? { dockerfile_inline: b.dockerfileInline } : {}),
    ...(Object.keys(b.args).length ? { args: b.args } : {}),
    ...(b.target ? { target: b.target } : {}),
    ...(Object.keys(b.labels).length ? { labels: b.labels } : {}),
    ...(b.tags.length ? { tags: b.tags } : {}),
    ...(b.network ? { network: b.network } : {}),
    ...(b.ssh.length ? { ssh: b.ssh } : {}),
    ...(b.extraHosts.length ? { extra_hosts: b.extraHosts.map((h) => `${h.host}=${h.ip}`) } : {}),
    ...(b.noCache !== undefined ? { no_cache: b.noCache } : {}),
    ...(b.pull !== undefined ? { pull: b.pull } : {}),
    ...(b.shmSize ? { shm_size: Number(b.shmSize) } : {}),
    ...(b.cacheFrom.length ? { cache_from: b.cacheFrom } : {}),
    ...(Object.keys(b.contexts).length ? { additional_contexts: b.contexts } : {}),
    ...(b.platform ? { platforms: [b.platform] } : {}),
  };
}
