/**
 * `depends_on` conditions beyond `service_started`: what each container's
 * start waits for (apply/handlers/conditions.ts), and the one that can never
 * hold — `service_healthy` of a service with no healthcheck (neither its own
 * nor its image's) — refused at the key, as Docker Compose refuses it; and
 * `restart: true` (a `restart` of the dependency restarts the dependent). Pure.
 */
import type { SpecIssue } from '../../errors';
import type { Project } from '../../compose/types';
import type { DesiredContainer, WaitCondition } from '../model';
import { serviceIssue } from './replicas';

export function applyConditions(project: Project, containers: Record<string, DesiredContainer>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const byService = new Map<string, DesiredContainer[]>();
  for (const c of Object.values(containers)) byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  for (const c of Object.values(containers)) {
    const svc = project.services[c.service]!;
    const waits: WaitCondition[] = [];
    const restartWith = Object.entries(svc.dependsOn).flatMap(([dep, d]) => (d.restart ? (byService.get(dep) ?? []).map((t) => t.name) : []));
    if (restartWith.length) c.restartWith = restartWith.sort();
    for (const [dep, d] of Object.entries(svc.dependsOn)) {
      if (d.condition === 'service_started') continue;
      for (const target of byService.get(dep) ?? []) {
        if (d.condition === 'service_healthy' && !target.launch.healthcheck) {
          if (c.index === 1) issues.push(serviceIssue(project, svc, `depends_on.${dep}.condition`, `${dep} has no healthcheck (nor does its image): service_healthy can never hold`));
          continue;
        }
        waits.push({ container: target.name, service: dep, condition: d.condition });
      }
    }
    if (waits.length) c.waitFor = waits;
  }
  return issues;
}
