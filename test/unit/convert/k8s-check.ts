/**
 * Offline checks of Kubernetes objects: the OpenAPI schemas (the validators
 * kubernetes-models generates from them, loaded with import(): the package
 * is ESM only), plus what the API server checks beyond the schema that a
 * converter can get wrong (names, label syntax, references inside a pod).
 */
import type { K8sObject } from '../../../src/convert/kubernetes';
import { unknownFields } from './k8s-fields';

type Model = new (data: unknown) => { validate(): void };

const MODULES: Record<string, string> = {
  Namespace: 'kubernetes-models/v1/Namespace',
  Service: 'kubernetes-models/v1/Service',
  Secret: 'kubernetes-models/v1/Secret',
  ConfigMap: 'kubernetes-models/v1/ConfigMap',
  PersistentVolumeClaim: 'kubernetes-models/v1/PersistentVolumeClaim',
  Deployment: 'kubernetes-models/apps/v1/Deployment',
  NetworkPolicy: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
};

const models = new Map<string, Model>();

async function model(kind: string): Promise<Model> {
  let m = models.get(kind);
  if (!m) {
    const path = MODULES[kind];
    if (!path) throw new Error(`no validator for kind ${kind}`);
    m = ((await import(path)) as Record<string, Model>)[kind]!;
    models.set(kind, m);
  }
  return m;
}

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function labelProblems(labels: Record<string, string> | undefined, where: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
    if (!LABEL_NAME.test(name)) out.push(`${where}: label key ${k}`);
    if (!LABEL_VALUE.test(v)) out.push(`${where}: label value ${JSON.stringify(v)}`);
  }
  return out;
}

type Pod = { containers: Array<Record<string, any>>; initContainers?: Array<Record<string, any>>; volumes?: Array<{ name: string }> };

function podProblems(pod: Pod, where: string): string[] {
  const out: string[] = [];
  const vols = (pod.volumes ?? []).map((v) => v.name);
  if (new Set(vols).size !== vols.length) out.push(`${where}: duplicate volume names`);
  for (const v of vols) if (!DNS_LABEL.test(v)) out.push(`${where}: volume name ${v}`);
  const containers = [...(pod.initContainers ?? []), ...pod.containers];
  const names = containers.map((c) => c['name'] as string);
  if (new Set(names).size !== names.length) out.push(`${where}: duplicate container names`);
  for (const c of containers) {
    if (!DNS_LABEL.test(c['name'])) out.push(`${where}: container name ${c['name']}`);
    for (const m of (c['volumeMounts'] ?? []) as Array<{ name: string }>) if (!vols.includes(m.name)) out.push(`${where}: mount of missing volume ${m.name}`);
    const r = c['resources'] as { limits?: Record<string, string>; requests?: Record<string, string> } | undefined;
    for (const k of ['cpu', 'memory']) {
      if (r?.limits?.[k] && r.requests?.[k] && quantity(r.requests[k]!) > quantity(r.limits[k]!)) out.push(`${where}: ${k} request above its limit`);
    }
  }
  return out;
}

function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(q)!;
  return Number(m[1]) * ({ m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 } as Record<string, number>)[m[2] ?? ''] || Number(m[1]);
}

/** Every problem found in the objects; empty when the API server would take them all. */
export async function objectProblems(objects: K8sObject[]): Promise<string[]> {
  const out: string[] = [];
  const ids = new Set<string>();
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata.name}`;
    try {
      new (await model(o.kind))(o).validate();
    } catch (e) {
      out.push(`${where}: ${(e as Error).message}`);
    }
    if (MODULES[o.kind]) out.push(...unknownFields(o, MODULES[o.kind]!).map((p) => `${where}${p}`));
    if (ids.has(where)) out.push(`${where}: twice`);
    ids.add(where);
    const nameRule = ['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'NetworkPolicy'].includes(o.kind) ? DNS_SUBDOMAIN : DNS_LABEL;
    if (!nameRule.test(o.metadata.name)) out.push(`${where}: name`);
    if (o.kind !== 'Namespace' && !o.metadata.namespace) out.push(`${where}: no namespace`);
    out.push(...labelProblems(o.metadata.labels, where));
    const spec = o['spec'] as Record<string, any> | undefined;
    if (o.kind === 'Deployment') {
      const tpl = spec!['template'];
      out.push(...labelProblems(tpl.metadata.labels, `${where} template`));
      for (const [k, v] of Object.entries(spec!['selector'].matchLabels as Record<string, string>)) if (tpl.metadata.labels[k] !== v) out.push(`${where}: selector does not match the template`);
      out.push(...podProblems(tpl.spec, where));
    }
    if (o.kind === 'Service') {
      const ports = (spec!['ports'] ?? []) as Array<{ name?: string }>;
      if (ports.length > 1 && new Set(ports.map((p) => p.name)).size !== ports.length) out.push(`${where}: port names not unique`);
      if (!ports.length && spec!['clusterIP'] !== 'None') out.push(`${where}: no ports and not headless`);
    }
  }
  return out;
}
