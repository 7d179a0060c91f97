/**
 * `healthcheck`: the check the container's shim runs (native/shim/health.c).
 * `test` as Docker takes it: a string is `CMD-SHELL`, a list starts with
 * `CMD` (an argv), `CMD-SHELL` (one shell command) or `NONE` (no check, also
 * the image's off); `disable: true` is `NONE`. Fields left out come from the
 * image's HEALTHCHECK, then Docker's defaults (plan/health.ts).
 */
import { parseDuration } from './duration';
import { HEALTHCHECK_KEYS } from './keys';
import type { Field, Reader } from './read';
import type { HealthcheckSpec } from './types';

export function healthcheck(f: Field, r: Reader): HealthcheckSpec | undefined {
  const map = r.map(f, { nullable: true });
  if (!map) return undefined;
  const keys = r.keys(map, f.path, HEALTHCHECK_KEYS);
  const out: HealthcheckSpec = {};
  const df = keys.get('disable');
  if (df && r.bool(df)) return { disabled: true };
  const tf = keys.get('test');
  if (tf) {
    const test = testOf(tf, r);
    if (test === 'none') return { disabled: true };
    if (test) out.test = test;
  }
  for (const [key, prop] of [
    ['interval', 'intervalMs'],
    ['timeout', 'timeoutMs'],
    ['start_period', 'startPeriodMs'],
    ['start_interval', 'startIntervalMs'],
  ] as const) {
    const kf = keys.get(key);
    if (!kf) continue;
    const v = r.text(kf);
    const sec = v === undefined ? undefined : parseDuration(v);
    if (v !== undefined && sec === undefined) r.error(kf, `"${v}" is not a duration (e.g. 10s, 1m30s, 500ms)`);
    else if (sec !== undefined && key !== 'start_period' && sec <= 0) r.error(kf, 'must be longer than 0');
    else if (sec !== undefined) out[prop] = Math.round(sec * 1000);
  }
  const rf = keys.get('retries');
  if (rf) {
    const n = r.int(rf, { min: 1 });
    if (n !== undefined) out.retries = n;
  }
  return out;
}

/** The argv to run, or 'none'. */
function testOf(f: Field, r: Reader): string[] | 'none' | undefined {
  if (f.node.kind === 'scalar') {
    const cmd = r.string(f);
    return cmd === undefined || cmd === '' ? undefined : ['/bin/sh', '-c', cmd];
  }
  const items = r.strings(f);
  if (!items) return undefined;
  return fromDockerTest(
    items.map((i) => i.value),
    (message) => r.error(f, message),
  );
}

/** Docker's Test form (`CMD`, `CMD-SHELL`, `NONE`), from the file or an image's config. */
export function fromDockerTest(test: string[], error: (message: string) => void): string[] | 'none' | undefined {
  const [kind, ...rest] = test;
  if (kind === 'NONE') return 'none';
  if (kind === 'CMD' && rest.length) return rest;
  if (kind === 'CMD-SHELL' && rest.length === 1) return ['/bin/sh', '-c', rest[0]!];
  error('must start with CMD (then the command and its arguments), CMD-SHELL (then one shell command) or NONE');
  return undefined;
}
