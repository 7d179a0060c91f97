/**
 * A compose project as Kubernetes objects. Pure: the loaded Project in, the
 * objects and what did not map out (the CLI prints or writes them).
 *
 *   project          → Namespace
 *   service          → Deployment (pod.ts, container.ts, probes.ts, init.ts,
 *                      volumes.ts) and Services (service.ts)
 *   named volume     → PersistentVolumeClaim (pvc.ts)
 *   secrets/configs  → Secret / ConfigMap (files.ts)
 *   networks         → NetworkPolicies (netpol.ts)
 *   the rest         → warnings at the key's file:line (unmapped.ts)
 */
import type { Project } from '../../compose/types';
import type { ConvertWarning, Warn } from '../warnings';
import { claims } from './pvc';
import { fileObjects } from './files';
import { dnsLabel } from './names';
import { namespaceObject } from './namespace';
import { networkPolicies } from './netpol';
import { deployment } from './pod';
import { services } from './service';
import { unmappedKeys } from './unmapped';
import type { Ctx, K8sObject, KubernetesOptions, KubernetesResult } from './types';

export type { K8sObject, KubernetesOptions, KubernetesResult, PublishAs } from './types';

export function toKubernetes(project: Project, options: KubernetesOptions = {}): KubernetesResult {
  const warnings: ConvertWarning[] = [];
  const warn: Warn = (kind, path, message, fallback) =>
    warnings.push({ kind, path, loc: project.sources.get(path) ?? (fallback ? project.sources.get(fallback) : undefined), message });
  const namespace = dnsLabel(project.name);
  const ctx: Ctx = { namespace, serviceName: serviceNames(project, warn), warn, written: (p) => project.sources.has(p), options };
  const objects: K8sObject[] = [namespaceObject(namespace, project.name), ...claims(project, ctx), ...fileObjects(project, ctx)];
  for (const svc of Object.values(project.services)) objects.push(...services(project.name, svc, ctx));
  for (const svc of Object.values(project.services)) objects.push(deployment(project, svc, ctx));
  objects.push(...networkPolicies(project, ctx));
  unmappedKeys(project, warn);
  return { namespace, objects: dedupe(objects, warn), warnings: sortWarnings(warnings) };
}

/** Compose names as DNS labels; two services that end up with one name are an error of the conversion. */
function serviceNames(project: Project, warn: Warn): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of Object.keys(project.services)) {
    let k8s = dnsLabel(name);
    if ([...out.values()].includes(k8s)) {
      warn('unmapped', `services.${name}`, `${name} and another service both become ${k8s} in Kubernetes: renamed ${k8s}-2`);
      k8s = dnsLabel(`${k8s}-2`);
    } else if (k8s !== name) warn('note', `services.${name}`, `named ${k8s} in Kubernetes (a DNS label)`);
    out.set(name, k8s);
  }
  return out;
}

/** Two objects of one kind and name (an alias equal to another service's published name…): the first is kept, said. */
function dedupe(objects: K8sObject[], warn: Warn): K8sObject[] {
  const seen = new Set<string>();
  return objects.filter((o) => {
    const id = `${o.kind}/${o.metadata.name}`;
    if (!seen.has(id)) return seen.add(id), true;
    warn('unmapped', 'services', `two objects would be named ${id}: the second is left out`);
    return false;
  });
}

/** In file order, so the list reads alongside the file. */
function sortWarnings(warnings: ConvertWarning[]): ConvertWarning[] {
  const at = (w: ConvertWarning) => [w.loc?.file ?? '\uffff', w.loc?.line ?? 0, w.loc?.col ?? 0] as const;
  return warnings.sort((x, y) => {
    const [fa, la, ca] = at(x);
    const [fb, lb, cb] = at(y);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb;
  });
}
