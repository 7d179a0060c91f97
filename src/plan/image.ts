/**
 * How an image's config and a service's keys combine into what the
 * container runs, with Docker's and Compose's rules. Pure.
 *
 *  - argv: a service `entrypoint` replaces the image's Entrypoint and drops
 *    its Cmd; a service `command` replaces Cmd; argv = entrypoint ++ cmd.
 *  - env: the image's Env, then the service's `environment` (service wins);
 *    PATH from the image when it sets one.
 *  - working_dir, user, stop_signal: the service's when set, else the image's.
 *  - Volumes: an anonymous volume per path the service mounts nothing on.
 */
import { canonicalSignal } from '../linux/signals';
import type { PullPolicy, ServiceSpec } from '../compose/types';
import type { ImageRunConfig, LaunchImage, ObservedImage } from './model';

export interface ImageRun {
  argv: string[];
  /** The image's Env as a record (later entries win), to go under the service's. */
  env: Record<string, string>;
  cwd?: string;
  /** `user` as written (name or uid[:gid]), to be looked up in the image's user database. */
  user?: string;
  stopSignal?: string;
  /** Paths to give an anonymous volume. */
  volumes: string[];
}

/** The run settings a service gets from IMAGE's config. */
export function imageRun(svc: ServiceSpec, config: ImageRunConfig): ImageRun {
  const entrypoint = svc.entrypoint ?? config.entrypoint ?? [];
  // Compose: setting entrypoint resets the image's command.
  const cmd = svc.command ?? (svc.entrypoint !== undefined ? [] : (config.cmd ?? []));
  const env: Record<string, string> = {};
  for (const kv of config.env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const cwd = svc.workingDir ?? config.workingDir;
  const user = svc.user ?? config.user;
  const stopSignal = svc.stopSignal ?? (config.stopSignal ? canonicalSignal(config.stopSignal) : undefined);
  const mounted = new Set((svc.mounts ?? []).map((m) => m.target));
  return {
    argv: [...entrypoint, ...cmd],
    env,
    ...(cwd ? { cwd } : {}),
    ...(user ? { user } : {}),
    ...(stopSignal ? { stopSignal } : {}),
    volumes: (config.volumes ?? []).filter((p) => p.startsWith('/') && !mounted.has(p.replace(/\/+$/, '') || '/')),
  };
}

/** What the launch settings record of the image: its identity (a new image recreates the container) and what later verbs show. */
export function launchImage(image: ObservedImage): LaunchImage {
  const c = image.config;
  return {
    name: image.name,
    configDigest: image.configDigest,
    ...(c.exposedPorts ? { exposedPorts: c.exposedPorts } : {}),
    ...(c.labels ? { labels: c.labels } : {}),
    ...(c.healthcheck ? { healthcheck: c.healthcheck } : {}),
  };
}

/**
 * Whether `up`, `plan` or `pull` fetch the image first (`pull_policy`):
 * `always`; `missing` (the default) and `build` when it is not in the store;
 * `never` not at all (the planner then says it is missing); `daily`,
 * `weekly`, `every_<d>` when missing or pulled longer ago than that.
 */
export function needsPull(policy: PullPolicy, pulledAt: string | undefined, now: Date): boolean {
  switch (policy.kind) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'missing':
    case 'build':
      return pulledAt === undefined;
    case 'refresh':
      return pulledAt === undefined || now.getTime() - Date.parse(pulledAt) >= policy.everySec * 1000;
  }
}

/** `up --build` / `--no-build`: build every `build` service first, or none. */
export type BuildFlag = 'always' | 'never' | undefined;

/**
 * Where a service's image comes from before planning, or nothing to do:
 * a service with `build` is built with `pull_policy: build` or `--build`,
 * and otherwise when its image is not in the store (Compose builds rather
 * than pulls a missing image it can build); `pull_policy: always` with an
 * explicit `image` pulls it; `never` and `--no-build` build nothing (the
 * planner then names what is missing). Services without `build` follow
 * needsPull.
 */
export function imageSource(svc: ServiceSpec, pulledAt: string | undefined, now: Date, build: BuildFlag): 'build' | 'pull' | undefined {
  const image = svc.image;
  if (!image) return undefined;
  if (!svc.build) return needsPull(image.pullPolicy, pulledAt, now) ? 'pull' : undefined;
  const policy = image.pullPolicy.kind;
  if (build === 'never' || policy === 'never') return undefined;
  if (build === 'always' || policy === 'build') return 'build';
  if (policy === 'always' && !image.implicit) return 'pull';
  return needsPull(image.pullPolicy, pulledAt, now) ? 'build' : undefined;
}
