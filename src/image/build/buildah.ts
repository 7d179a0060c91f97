/**
 * `build:` through buildah (Debian's `buildah`: daemonless, as we are; we
 * do not interpret Dockerfiles). The build runs in buildah's own storage
 * under /var/lib/tscompose/builder (its layer cache: a rebuild reuses
 * unchanged steps), never the machine's podman storage, and inside a
 * private mount namespace (`unshare -m`) so none of its overlay mounts
 * outlive it. The result is pushed as an OCI layout into a temporary
 * directory and imported into our store (oci-layout.ts), verified like a
 * pull; then the directory is removed.
 *
 * Steps run with buildah's chroot isolation (BUILDAH_ISOLATION overrides
 * it): no runtime and no cgroups, so a build works on any host (runc under
 * buildah fails inside nested cgroup namespaces and leaves cgroups behind)
 * and costs ~0.1 s a step instead of ~1 s. Steps are the user's own
 * Dockerfile, run like `make` would be; the containers that come out of
 * them get the full isolation.
 *
 * RUN steps use the host network: buildah's own default ("private") would
 * set up a CNI bridge, NAT rules and IP forwarding on the machine, which
 * tscompose never does behind the user's back; Docker's default build
 * network reaches the outside too. `network: none` runs the whole builder
 * in an empty network namespace (so base images must already be in its
 * cache: buildah then says which one it could not fetch).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { BuildSpec } from '../../compose/types';
import { ImageError } from '../errors';
import type { PullEmit } from '../events';
import { importLayout } from '../oci-layout';
import { dockerConfigPath } from '../registry/credentials';
import type { ImageRecord } from '../store/images';
import type { StoreLayout } from '../store/layout';

export const DEFAULT_BUILDER_ROOT = '/var/lib/tscompose/builder';

export interface BuildRequest {
  /** Canonical name of the result; `spec.tags` are recorded too. */
  image: string;
  spec: BuildSpec;
  platform?: string;
  /** Registries reachable over plain HTTP (base images pulled by buildah). */
  insecure?: string[];
  /** Each line buildah prints. */
  onLine?(line: string): void;
  emit?: PullEmit;
  env?: NodeJS.ProcessEnv;
}

/** Where buildah keeps its images and cache, and its run state. */
export function builderDirs(env: NodeJS.ProcessEnv = process.env): { root: string; runroot: string } {
  const root = env.TSCOMPOSE_BUILDER_ROOT || DEFAULT_BUILDER_ROOT;
  // A dot name: /run/tscompose entries without one are projects.
  return { root, runroot: path.join(env.TSCOMPOSE_RUN_ROOT || '/run/tscompose', '.builder') };
}

/** The `buildah build` options for a spec, context last (pure; exported for tests). */
export function buildArgs(spec: BuildSpec, dockerfile: string | undefined, iidfile: string, platform: string | undefined): string[] {
  // With network: none the builder itself runs without a network (see run()).
  const a = ['--layers', '--network=host', `--iidfile=${iidfile}`];
  // Compose builds from what the builder has unless `pull: true`; buildah's default would ask the registry every time.
  a.push(`--pull=${spec.pull ? 'always' : 'false'}`);
  if (dockerfile) a.push(`--file=${dockerfile}`);
  for (const [k, v] of Object.entries(spec.args)) a.push(`--build-arg=${k}=${v}`);
  for (const [k, v] of Object.entries(spec.labels)) a.push(`--label=${k}=${v}`);
  if (spec.target) a.push(`--target=${spec.target}`);
  for (const s of spec.ssh) a.push(`--ssh=${s}`);
  for (const h of spec.extraHosts) a.push(`--add-host=${h.host}:${h.ip}`);
  if (spec.noCache) a.push('--no-cache');
  if (spec.shmSize) a.push(`--shm-size=${spec.shmSize}b`);
  for (const c of spec.cacheFrom) a.push(`--cache-from=${c}`);
  for (const [k, v] of Object.entries(spec.contexts)) a.push(`--build-context=${k}=${v}`);
  const p = spec.platform ?? platform;
  if (p) a.push(`--platform=${p}`);
  a.push(spec.context);
  return a;
}

/** registries.conf for our builds: short names mean Docker Hub (as Docker), the listed registries over HTTP. */
export function registriesConf(insecure: string[]): string {
  const lines = ['unqualified-search-registries = ["docker.io"]', 'short-name-mode = "permissive"', ''];
  for (const r of new Set(['localhost', '127.0.0.1', ...insecure])) lines.push('[[registry]]', `location = ${JSON.stringify(r)}`, 'insecure = true', '');
  return lines.join('\n');
}

export async function buildImage(req: BuildRequest, layout: StoreLayout): Promise<ImageRecord> {
  const env = req.env ?? process.env;
  const { spec } = req;
  if (!fs.existsSync('/usr/bin/buildah') && !onPath('buildah', env)) {
    throw new ImageError('building images needs buildah, which is not installed (Debian: apt-get install buildah)');
  }
  const dirs = builderDirs(env);
  await fs.promises.mkdir(layout.tmp, { recursive: true, mode: 0o700 });
  const work = await fs.promises.mkdtemp(path.join(layout.tmp, 'build-'));
  try {
    let dockerfile = spec.dockerfile;
    if (spec.dockerfileInline !== undefined) {
      dockerfile = path.join(work, 'Dockerfile');
      await fs.promises.writeFile(dockerfile, spec.dockerfileInline);
    }
    const conf = path.join(work, 'registries.conf');
    await fs.promises.writeFile(conf, registriesConf(req.insecure ?? []));
    const global = [`--root=${dirs.root}`, `--runroot=${dirs.runroot}`, `--registries-conf=${conf}`];
    const auth = dockerConfigPath(env);
    const authArgs = fs.existsSync(auth) ? [`--authfile=${auth}`] : [];
    const iid = path.join(work, 'iid');
    const buildEnv = { ...env, BUILDAH_ISOLATION: env.BUILDAH_ISOLATION || 'chroot' };
    const offline = spec.network === 'none';
    await run([...global, 'build', ...authArgs, ...buildArgs(spec, dockerfile, iid, req.platform)], req.onLine, buildEnv, `build of ${req.image}`, offline);
    const id = (await fs.promises.readFile(iid, 'utf8')).trim();
    const out = path.join(work, 'oci');
    await run([...global, 'push', '--quiet', '--format=oci', id, `oci:${out}:latest`], req.onLine, env, `export of ${req.image}`);
    return await importLayout(out, layout, {
      names: [req.image, ...spec.tags.filter((t) => t !== req.image)],
      ...(spec.platform ?? req.platform ? { platform: (spec.platform ?? req.platform)! } : {}),
      ...(req.emit ? { emit: req.emit } : {}),
    });
  } finally {
    await fs.promises.rm(work, { recursive: true, force: true });
  }
}

function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(':').some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/**
 * `buildah ARGS` in a mount namespace of its own (so its storage mounts die
 * with it) and, `offline`, an empty network namespace; every output line
 * handed on; a failure names the last lines.
 */
function run(args: string[], onLine: ((l: string) => void) | undefined, env: NodeJS.ProcessEnv, what: string, offline = false): Promise<void> {
  return new Promise((resolve, reject) => {
    // Equivalent to: unshare --mount --propagation private [--net] buildah ARGS
    const child = spawn('unshare', ['--mount', '--propagation', 'private', ...(offline ? ['--net'] : []), 'buildah', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    const tail: string[] = [];
    const take = (line: string) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      onLine?.(line);
    };
    readline.createInterface({ input: child.stdout }).on('line', take);
    readline.createInterface({ input: child.stderr }).on('line', take);
    child.on('error', (e) => reject(new ImageError(`${what}: cannot run buildah: ${e.message}`, e)));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(new ImageError(`${what} failed (buildah exited ${signal ?? code}):\n${tail.map((l) => `  ${l}`).join('\n')}`));
    });
  });
}
