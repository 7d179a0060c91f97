/**
 * Before planning, `up`, `plan` and `pull` make sure the file's images are
 * in the store as their `pull_policy` asks (plan/image.ts decides; this
 * fetches). Each image is pulled once even when several services name it;
 * progress goes out as events for the CLI to render.
 */
import type { Project } from '../compose/types';
import type { Emit } from '../events';
import { pull } from '../image/pull';
import { closeConnections } from '../image/registry/http';
import { findImage } from '../image/store/images';
import { StoreLayout } from '../image/store/layout';
import { needsPull } from '../plan/image';

export interface EnsureOptions {
  emit: Emit;
  /** Registries allowed over plain HTTP (loopback ones always are). */
  insecure?: string[];
  /** Only these services (all when empty). */
  services?: string[];
  /** Pull even what the policy would not (`tscompose pull SERVICE…`), except `never`. */
  force?: boolean;
  layout?: StoreLayout;
  now?: Date;
}

/** The canonical names of the images the (selected) services run. */
export function projectImages(project: Project, services: string[] = []): string[] {
  const svcs = Object.values(project.services).filter((s) => !services.length || services.includes(s.name));
  return [...new Set(svcs.flatMap((s) => (s.image ? [s.image.name] : [])))].sort();
}

/** Pull what the policies ask for; returns the names pulled. */
export async function ensureImages(project: Project, opts: EnsureOptions): Promise<string[]> {
  const layout = opts.layout ?? new StoreLayout();
  const now = opts.now ?? new Date();
  const wanted = new Map<string, { platform?: string }>();
  for (const svc of Object.values(project.services)) {
    if (!svc.image || (opts.services?.length && !opts.services.includes(svc.name))) continue;
    const policy = svc.image.pullPolicy;
    if (policy.kind === 'never' || wanted.has(svc.image.name)) continue;
    const record = await findImage(layout, svc.image.name);
    if (opts.force || needsPull(policy, record?.pulledAt, now)) wanted.set(svc.image.name, svc.image.platform ? { platform: svc.image.platform } : {});
  }
  try {
    for (const [name, o] of wanted) {
      await pull(name, { ...o, layout, ...(opts.insecure ? { insecure: opts.insecure } : {}), emit: (event) => opts.emit({ type: 'pull', event }) });
    }
  } finally {
    if (wanted.size) closeConnections();
  }
  return [...wanted.keys()];
}
