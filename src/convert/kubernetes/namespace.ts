/** The project's Namespace: every other object lives in it. */
import { projectLabels } from './names';
import type { K8sObject } from './types';

export function namespaceObject(namespace: string, project: string): K8sObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: projectLabels(project) } };
}
