/**
 * The healthcheck a container runs: the file's `healthcheck`, field by field
 * over the image's HEALTHCHECK (as Docker merges them), over Docker's
 * defaults. Pure.
 */
import { fromDockerTest } from '../compose/healthcheck';
import type { HealthcheckSpec } from '../compose/types';
import type { ImageRunConfig, LaunchHealthcheck } from './model';

/** Docker's defaults: 30 s interval and timeout, 3 retries, no start period, 5 s between checks in it. */
export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, startIntervalMs: 5_000 };

const fromNs = (ns: number | undefined) => (ns ? Math.round(ns / 1e6) : undefined);

export function resolveHealthcheck(file: HealthcheckSpec | undefined, image: ImageRunConfig['healthcheck']): LaunchHealthcheck | undefined {
  if (file?.disabled) return undefined;
  const imageTest = image?.test?.length ? fromDockerTest(image.test, () => {}) : undefined;
  if (imageTest === 'none' && !file?.test) return undefined;
  const argv = file?.test ?? (imageTest === 'none' ? undefined : imageTest);
  if (!argv) return undefined;
  const pick = (own: number | undefined, img: number | undefined, def: number) => own ?? img ?? def;
  return {
    argv,
    intervalMs: pick(file?.intervalMs, fromNs(image?.interval), HEALTH_DEFAULTS.intervalMs),
    timeoutMs: pick(file?.timeoutMs, fromNs(image?.timeout), HEALTH_DEFAULTS.timeoutMs),
    retries: pick(file?.retries, image?.retries || undefined, HEALTH_DEFAULTS.retries),
    startPeriodMs: pick(file?.startPeriodMs, fromNs(image?.startPeriod), HEALTH_DEFAULTS.startPeriodMs),
    startIntervalMs: pick(file?.startIntervalMs, fromNs(image?.startInterval), HEALTH_DEFAULTS.startIntervalMs),
  };
}
