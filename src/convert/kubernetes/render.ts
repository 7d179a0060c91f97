/**
 * The objects as text: one YAML stream, or files for a directory (one per
 * object, in the stream's order) with, for `--kustomize`, the
 * kustomization.yaml of a Kustomize base listing them.
 */
import { dump } from 'js-yaml';
import type { K8sObject } from './types';

const yamlOf = (o: unknown) => dump(o, { lineWidth: -1, noRefs: true });

export function yamlStream(objects: K8sObject[]): string {
  return objects.map(yamlOf).map((t) => `---\n${t}`).join('');
}

/** File name → content: `NN-kind-name.yaml`, numbered so `kubectl apply -f DIR` applies the namespace first. */
export function yamlFiles(objects: K8sObject[], namespace: string, kustomize: boolean): Map<string, string> {
  const files = new Map<string, string>();
  const width = String(objects.length).length;
  objects.forEach((o, i) => {
    files.set(`${String(i).padStart(width, '0')}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`, yamlOf(o));
  });
  if (kustomize) {
    const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace, resources: [...files.keys()] };
    files.set('kustomization.yaml', yamlOf(kustomization));
  }
  return files;
}
