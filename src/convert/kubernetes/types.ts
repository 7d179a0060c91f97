/**
 * The Kubernetes objects the converter writes, as plain data (the YAML
 * written is exactly these objects). Only the fields used here are typed;
 * the tests validate every object against the Kubernetes OpenAPI schemas.
 */
import type { ConvertWarning, Warn } from '../warnings';

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
}

/** One object of the stream: apiVersion, kind, metadata, and the kind's own fields. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type PublishAs = 'LoadBalancer' | 'NodePort';

export interface KubernetesOptions {
  /** The Service type for published ports (default LoadBalancer). */
  publishAs?: PublishAs;
  /** Reads a `secrets`/`configs` source file (absolute path); undefined when it cannot be read. Absent: nothing is read. */
  readFile?: (path: string) => string | undefined;
}

export interface KubernetesResult {
  namespace: string;
  objects: K8sObject[];
  warnings: ConvertWarning[];
}

/** What every module gets: the namespace, the names chosen, and the warning sink. */
export interface Ctx {
  namespace: string;
  /** Compose service name → the Kubernetes name (DNS-1123 label). */
  serviceName: Map<string, string>;
  warn: Warn;
  /** The file sets this key (dotted path). */
  written: (path: string) => boolean;
  options: KubernetesOptions;
}
