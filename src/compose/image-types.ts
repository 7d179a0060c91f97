/** `image`, `pull_policy`, `platform` and `build` as the file says them (compose/image.ts, compose/build.ts). */
import type { ExtraHost } from './extra-host';

/** When the CLI pulls an image before planning (`pull_policy`; `daily`, `weekly`, `every_<d>` are `refresh`). */
export type PullPolicy = { kind: 'always' | 'missing' | 'never' | 'build' } | { kind: 'refresh'; everySec: number };

export interface ServiceImage {
  /** As written. */
  reference: string;
  /** Canonical (`docker.io/library/nginx:latest`): the image store's key. */
  name: string;
  pullPolicy: PullPolicy;
  /** `os/arch[/variant]`; absent: this machine's. */
  platform?: string;
  /** Named by tscompose (`<project>-<service>`) for a `build` without `image`. */
  implicit?: boolean;
}

/** `build`, resolved against the project directory; handed to buildah (image/build/). */
export interface BuildSpec {
  /** An absolute directory, or a remote context (a Git or HTTP URL) as written. */
  context: string;
  /** The Dockerfile: absolute (resolved against the context), or absent for the context's Dockerfile. */
  dockerfile?: string;
  /** `dockerfile_inline`: the Dockerfile's text. */
  dockerfileInline?: string;
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
  /** More names for the result (`tags`), canonical. */
  tags: string[];
  /** `host` or `none`; absent: the builder's default (host here, see image/build/buildah.ts). */
  network?: 'host' | 'none';
  /** `--ssh` values: `default`, `ID=SOCKET|KEY`. */
  ssh: string[];
  extraHosts: ExtraHost[];
  noCache?: boolean;
  /** `pull: true`: fetch the base images even when the builder has them. */
  pull?: boolean;
  shmSize?: string;
  cacheFrom: string[];
  /** `additional_contexts`: name → directory (absolute) or `docker-image://…`/URL. */
  contexts: Record<string, string>;
  /** `platforms` (one): what to build for; else the service's `platform`, else this machine's. */
  platform?: string;
}
