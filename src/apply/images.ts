/**
 * Before planning, `up`, `plan`, `pull` and `build` make sure the file's
 * images are in the store as their `pull_policy` and `build` ask
 * (plan/image.ts decides; this fetches or builds). Each image is pulled or
 * built once even when several services name it; progress goes out as
 * events for the CLI to render.
 */
import * as fs from 'node:fs';
import { isRemoteContext } from '../compose/build';
import type { Project, ServiceSpec } from '../compose/types';
import { SpecError } from '../errors';
import type { Emit } from '../events';
import { buildImage } from '../image/build/buildah';
import { pull } from '../image/pull';
import { closeConnections } from '../image/registry/http';
import { findImage } from '../image/store/images';
import { StoreLayout } from '../image/store/layout';
import { imageSource, type BuildFlag } from '../plan/image';

export interface EnsureOptions {
  emit: Emit;
  /** Registries allowed over plain HTTP (loopback ones always are). */
  insecure?: string[];
  /** Only these services (all when empty). */
  services?: string[];
  /** Pull even what the policy would not (`tscompose pull SERVICE…`), except `never`; build nothing. */
  force?: boolean;
  /** `--build` / `--no-build`. */
  build?: BuildFlag;
  layout?: StoreLayout;
  now?: Date;
}

/** The canonical names of the images the (selected) services run. */
export function projectImages(project: Project, services: string[] = []): string[] {
  const svcs = Object.values(project.services).filter((s) => !services.length || services.includes(s.name));
  return [...new Set(svcs.flatMap((s) => (s.image ? [s.image.name] : [])))].sort();
}

/** Pull and build what the policies ask for; returns the names pulled or built. */
export async function ensureImages(project: Project, opts: EnsureOptions): Promise<string[]> {
  const layout = opts.layout ?? new StoreLayout();
  const now = opts.now ?? new Date();
  const wanted = new Map<string, { platform?: string }>();
  const builds = new Map<string, ServiceSpec>();
  for (const svc of Object.values(project.services)) {
    if (!svc.image || (opts.services?.length && !opts.services.includes(svc.name))) continue;
    if (wanted.has(svc.image.name) || builds.has(svc.image.name)) continue;
    const record = await findImage(layout, svc.image.name);
    // `tscompose pull`: every image the file names (never a build-only one), whatever the policy but `never`.
    const forced = !svc.image.implicit && svc.image.pullPolicy.kind !== 'never' ? 'pull' : undefined;
    const source = opts.force ? forced : imageSource(svc, record?.pulledAt, now, opts.build);
    if (source === 'pull') wanted.set(svc.image.name, svc.image.platform ? { platform: svc.image.platform } : {});
    if (source === 'build') builds.set(svc.image.name, svc);
  }
  for (const svc of builds.values()) checkContext(project, svc);
  try {
    for (const [name, o] of wanted) {
      await pull(name, { ...o, layout, ...(opts.insecure ? { insecure: opts.insecure } : {}), emit: (event) => opts.emit({ type: 'pull', event }) });
    }
  } finally {
    if (wanted.size) closeConnections();
  }
  for (const svc of builds.values()) await build(svc, layout, opts);
  return [...wanted.keys(), ...builds.keys()];
}

/** Build the service's image (its `build`) into the store. */
export async function build(svc: ServiceSpec, layout: StoreLayout, opts: Pick<EnsureOptions, 'emit' | 'insecure'>): Promise<void> {
  const image = svc.image!.name;
  const started = performance.now();
  opts.emit({ type: 'build', phase: 'start', service: svc.name, image });
  await buildImage(
    {
      image,
      spec: svc.build!,
      ...(svc.image!.platform ? { platform: svc.image!.platform } : {}),
      ...(opts.insecure ? { insecure: opts.insecure } : {}),
      onLine: (line) => opts.emit({ type: 'build', phase: 'output', service: svc.name, image, line }),
    },
    layout,
  );
  opts.emit({ type: 'build', phase: 'done', service: svc.name, image, ms: performance.now() - started });
}

/** A local context or Dockerfile that is not there fails before anything runs, at the key that names it. */
export function checkContext(project: Project, svc: ServiceSpec): void {
  const b = svc.build!;
  const at = (key: string, message: string) => {
    const path = `services.${svc.name}.build${key}`;
    return new SpecError({ path, message, loc: project.sources.get(path) ?? project.sources.get(`services.${svc.name}.build`) });
  };
  if (isRemoteContext(b.context)) return;
  if (!fs.statSync(b.context, { throwIfNoEntry: false })?.isDirectory()) throw at('.context', `the build context ${b.context} is not a directory`);
  const dockerfile = b.dockerfile ?? `${b.context}/Dockerfile`;
  if (b.dockerfileInline === undefined && !fs.existsSync(dockerfile) && !(b.dockerfile === undefined && fs.existsSync(`${b.context}/Containerfile`))) {
    throw at(b.dockerfile ? '.dockerfile' : '', `no Dockerfile at ${dockerfile}`);
  }
}
