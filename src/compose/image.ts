/**
 * The image keys of a service: `image` (a reference, checked with
 * image/reference.ts and kept in canonical form), `pull_policy` (when the
 * CLI pulls it before planning) and `platform` (which one of a
 * multi-platform image). Pure.
 */
import { canonical, parseReference, ReferenceError } from '../image/reference';
import { parsePlatform } from '../image/registry/manifest';
import { parseDuration } from './duration';
import type { Field, Reader } from './read';
import type { PullPolicy, ServiceSpec } from './types';

const DAY = 86400;

/** `pull_policy` as Compose reads it (`if_not_present` is `missing`), or why it is malformed. */
export function parsePullPolicy(text: string): PullPolicy | { error: string } {
  switch (text) {
    case 'always':
    case 'never':
    case 'build':
      return { kind: text };
    case 'missing':
    case 'if_not_present':
      return { kind: 'missing' };
    case 'daily':
      return { kind: 'refresh', everySec: DAY };
    case 'weekly':
      return { kind: 'refresh', everySec: 7 * DAY };
  }
  if (text.startsWith('every_')) {
    const every = text.slice('every_'.length);
    const sec = parseDuration(every.replace(/^(\d+)d$/, (_, n: string) => `${Number(n) * 24}h`).replace(/^(\d+)w$/, (_, n: string) => `${Number(n) * 168}h`));
    if (sec === undefined || sec <= 0) return { error: `"${every}" in pull_policy "${text}" is not a positive duration (e.g. every_12h, every_30m, every_2d)` };
    return { kind: 'refresh', everySec: sec };
  }
  return { error: `"${text}" is not a pull policy (always, missing, never, build, daily, weekly or every_<duration>)` };
}

export function normalizeImage(svc: ServiceSpec, keys: Map<string, Field>, r: Reader): void {
  const imageField = keys.get('image');
  const policyField = keys.get('pull_policy');
  const platformField = keys.get('platform');
  let policy: PullPolicy = { kind: 'missing' };
  if (policyField) {
    const v = r.string(policyField);
    const p = v === undefined ? undefined : parsePullPolicy(v);
    if (p && 'error' in p) r.error(policyField, p.error);
    else if (p) policy = p;
  }
  let platform: string | undefined;
  if (platformField) {
    const v = r.string(platformField);
    if (v !== undefined) {
      try {
        parsePlatform(v);
        platform = v;
      } catch (e) {
        r.error(platformField, (e as Error).message);
      }
    }
  }
  const buildField = keys.get('build');
  if (policy.kind === 'build' && !buildField) return r.error(policyField!, 'pull_policy "build" needs build');
  if (buildField && svc.rootfs !== undefined) return r.error(buildField, 'build and x-rootfs both give the root filesystem; keep one');
  if (!imageField) {
    if (policyField && !buildField) r.error(policyField, 'pull_policy needs an image');
    // load.ts names the built image <project>-<service> once the project has a name.
    if (buildField) svc.image = { reference: '', name: '', pullPolicy: policy, ...(platform ? { platform } : {}), implicit: true };
    return;
  }
  const text = r.string(imageField);
  if (text === undefined) return;
  if (svc.rootfs !== undefined) return r.error(imageField, 'image and x-rootfs both give the root filesystem; keep one');
  try {
    const ref = parseReference(text);
    svc.image = { reference: text, name: canonical(ref), pullPolicy: policy, ...(platform ? { platform } : {}) };
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    r.error(imageField, e.message);
  }
}

/** A service with `build` and no `image` runs `<project>-<service>` (lower case), as Compose names it; `error` when that is no image name. */
export function nameBuiltImage(svc: ServiceSpec, project: string, error: (message: string) => void): void {
  if (!svc.image?.implicit) return;
  svc.image.reference = `${project}-${svc.name.toLowerCase()}`;
  try {
    svc.image.name = canonical(parseReference(svc.image.reference));
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    error(`the built image would be named "${svc.image.reference}", which is not an image name (${e.message}); name it with image:`);
  }
}

/** The keys back, for `config`: the reference as written, the policy by its name. */
export function renderImage(s: ServiceSpec): Record<string, unknown> {
  if (!s.image) return {};
  const p = s.image.pullPolicy;
  const every = (sec: number) => (sec === DAY ? 'daily' : sec === 7 * DAY ? 'weekly' : `every_${sec}s`);
  return {
    // Compose's `config` shows no image for a build without one.
    ...(s.image.implicit ? {} : { image: s.image.reference }),
    ...(p.kind !== 'missing' ? { pull_policy: p.kind === 'refresh' ? every(p.everySec) : p.kind } : {}),
    ...(s.image.platform ? { platform: s.image.platform } : {}),
  };
}
