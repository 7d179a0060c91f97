/**
 * `healthcheck` as probes. The check's command is an exec probe; interval,
 * timeout and retries become periodSeconds, timeoutSeconds and
 * failureThreshold (Docker's defaults 30s, 30s, 3 when not set), rounded up
 * to whole seconds.
 *
 *   readinessProbe  always: "healthy" is what `depends_on: service_healthy`
 *                   waits for, and a Service sends traffic only to ready pods
 *   startupProbe    with `start_period`: failures in that time do not count
 *                   (probed every `start_interval`, default 5s)
 *   livenessProbe   only with `x-restart-on-unhealthy: true`: Docker and
 *                   tscompose do not restart an unhealthy container, a
 *                   liveness probe would
 */
import type { ServiceSpec } from '../../compose/types';
import type { Ctx } from './types';

const sec = (ms: number | undefined, fallback: number) => Math.max(1, Math.ceil((ms ?? fallback * 1000) / 1000));

export function probes(svc: ServiceSpec, ctx: Ctx): Record<string, unknown> {
  const hc = svc.healthcheck;
  if (!hc || hc.disabled) return {};
  const path = `services.${svc.name}.healthcheck`;
  if (!hc.test?.length) {
    ctx.warn('unmapped', path, 'no `test`: the check would come from the image, which Kubernetes does not run; write the test here for a probe');
    return {};
  }
  const probe = {
    exec: { command: [...hc.test] },
    periodSeconds: sec(hc.intervalMs, 30),
    timeoutSeconds: sec(hc.timeoutMs, 30),
    failureThreshold: hc.retries || 3,
  };
  const out: Record<string, unknown> = { readinessProbe: probe };
  if (hc.startPeriodMs) {
    const every = sec(hc.startIntervalMs, 5);
    out['startupProbe'] = { ...probe, periodSeconds: every, failureThreshold: Math.ceil(hc.startPeriodMs / 1000 / every) + probe.failureThreshold };
  }
  if (svc.restart?.onUnhealthy) out['livenessProbe'] = probe;
  return out;
}
