/** Containers of a project: one per replica, named as Docker Compose names them, and `up SERVICE…` selection. */
import type { SpecIssue } from '../../errors';
import type { Project, ServiceSpec } from '../../compose/types';
import { defaultContainerName } from '../names';

export interface Replica {
  name: string;
  service: ServiceSpec;
  index: number;
}

/** Every replica of every service, services in name order. */
export function expandReplicas(project: Project): Replica[] {
  const out: Replica[] = [];
  for (const name of Object.keys(project.services).sort()) {
    const svc = project.services[name]!;
    for (let i = 1; i <= svc.scale; i++) {
      const cname = svc.containerName && svc.scale === 1 ? svc.containerName : defaultContainerName(project.name, name, i);
      out.push({ name: cname, service: svc, index: i });
    }
  }
  return out;
}

export function replicasByService(replicas: Replica[]): Map<string, Replica[]> {
  const byService = new Map<string, Replica[]>();
  for (const r of replicas) {
    const list = byService.get(r.service.name) ?? [];
    list.push(r);
    byService.set(r.service.name, list);
  }
  return byService;
}

/** The named services' containers plus everything they depend on, transitively. */
export function selectWithDependencies(services: string[], project: Project, byService: Map<string, Replica[]>): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const svc = project.services[name];
    if (!svc) return;
    for (const dep of Object.keys(svc.dependsOn)) visit(dep);
    if (svc.networkMode.kind === 'service') visit(svc.networkMode.service);
  };
  services.forEach(visit);
  return [...seen].flatMap((s) => (byService.get(s) ?? []).map((r) => r.name)).sort();
}

/** An issue at a service's key (or at the service when the key was not written). */
export function serviceIssue(project: Project, svc: ServiceSpec, key: string, message: string): SpecIssue {
  const path = `services.${svc.name}.${key}`;
  return { path, loc: project.sources.get(path) ?? project.sources.get(`services.${svc.name}`), message };
}
