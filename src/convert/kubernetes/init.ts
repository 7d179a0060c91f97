/**
 * `depends_on` as init containers that wait (busybox), in the file's order
 * of dependencies:
 *
 *   service_started   the dependency's name resolves (its Service exists)
 *                     and, when it has a TCP port, that port accepts
 *   service_healthy   the dependency is ready (its readiness probe is its
 *                     healthcheck): a TCP connect through its Service
 *                     reaches ready pods only; with no port the Service is
 *                     headless and its name resolves only once a pod is ready
 *   service_completed_successfully  does not map (a Deployment never completes)
 *
 * Kubernetes restarts nothing when a dependency restarts (`restart: true`).
 */
import type { Project, ServiceSpec } from '../../compose/types';
import { containerPorts } from './service';
import { dnsLabel } from './names';
import type { Ctx } from './types';

export const WAIT_IMAGE = 'docker.io/library/busybox:1.36';

const quiet = (ctx: Ctx): Ctx => ({ ...ctx, warn: () => {} });

export function initContainers(project: Project, svc: ServiceSpec, ctx: Ctx): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const [dep, d] of Object.entries(svc.dependsOn)) {
    const path = `services.${svc.name}.depends_on.${dep}`;
    const target = project.services[dep];
    const name = ctx.serviceName.get(dep);
    if (!target || !name) continue;
    if (d.condition === 'service_completed_successfully') {
      ctx.warn('unmapped', path, `${dep} must complete: a Deployment's pod never does; make ${dep} a Job and wait for it (kubectl wait --for=condition=complete)`, `services.${svc.name}.depends_on`);
      continue;
    }
    if (d.condition === 'service_healthy' && (!target.healthcheck?.test?.length || target.healthcheck.disabled)) {
      ctx.warn('unmapped', path, `${dep} has no healthcheck with a test here, so no readiness probe: the init container waits until it is started only`, `services.${svc.name}.depends_on`);
    }
    const tcp = containerPorts(target, quiet(ctx)).find((p) => p.protocol === 'TCP');
    const script = tcp
      ? `until nc -z -w 2 ${name} ${tcp.port}; do echo waiting for ${name}:${tcp.port}; sleep 2; done`
      : // busybox's nslookup may not apply the search list: the name in the default cluster domain as well.
        `until nslookup ${name} >/dev/null 2>&1 || nslookup ${name}.${ctx.namespace}.svc.cluster.local >/dev/null 2>&1; do echo waiting for ${name}; sleep 2; done`;
    out.push({ name: dnsLabel(`wait-for-${name}`), image: WAIT_IMAGE, command: ['sh', '-c', script] });
    if (!tcp && d.condition === 'service_started' && containerPorts(target, quiet(ctx)).length) {
      ctx.warn('note', path, `${dep} has only UDP ports: the init container waits until its name resolves, not until it answers`, `services.${svc.name}.depends_on`);
    }
  }
  return out;
}
