/**
 * `secrets` and `configs` as Secrets and ConfigMaps (one per top-level name
 * a service uses, key = the name), mounted by the pods at the file's
 * target with subPath. The content is read from the source file (or taken
 * from `content`/`environment`) when the converter is given a reader; a
 * secret's content thus ends up in the output, which a note says.
 */
import type { Project, ServiceFile } from '../../compose/types';
import { dnsLabel, dnsSubdomain, projectLabels } from './names';
import type { Ctx, K8sObject } from './types';

/** The object name of a secret or config: kinds have separate name spaces in Kubernetes. */
export const fileObjectName = (f: Pick<ServiceFile, 'name'>): string => dnsSubdomain(f.name);
/** The key inside the object: Secret and ConfigMap keys take [-._a-zA-Z0-9]. */
export const fileKey = (f: Pick<ServiceFile, 'name'>): string => f.name.replace(/[^-._a-zA-Z0-9]+/g, '-');
/** The pod volume holding one file. */
export const fileVolumeName = (f: ServiceFile): string => dnsLabel(`${f.kind}-${f.name}`);

export function fileObjects(project: Project, ctx: Ctx): K8sObject[] {
  const seen = new Map<string, ServiceFile>();
  for (const svc of Object.values(project.services)) for (const f of svc.files ?? []) seen.set(`${f.kind} ${f.name}`, f);
  const out: K8sObject[] = [];
  for (const f of [...seen.values()].sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1))) {
    const path = `${f.kind}s.${f.name}`;
    const text = content(f, ctx, path);
    const meta = { name: fileObjectName(f), namespace: ctx.namespace, labels: projectLabels(project.name) };
    if (f.kind === 'secret') {
      const data = text === undefined ? {} : { data: { [fileKey(f)]: Buffer.from(text, 'utf8').toString('base64') } };
      out.push({ apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', ...data });
      if (text !== undefined) ctx.warn('note', path, 'the secret\'s content is in the output (base64, not encrypted): keep the output out of version control, or create the Secret yourself');
    } else {
      out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, ...(text === undefined ? {} : { data: { [fileKey(f)]: text } }) });
    }
  }
  return out;
}

function content(f: ServiceFile, ctx: Ctx, path: string): string | undefined {
  if ('content' in f.source) return f.source.content;
  const text = ctx.options.readFile?.(f.source.file);
  if (text === undefined) {
    const create = f.kind === 'secret' ? `kubectl create secret generic ${fileObjectName(f)}` : `kubectl create configmap ${fileObjectName(f)}`;
    ctx.warn('unmapped', `${path}.file`, `${f.source.file} was not read: the ${f.kind === 'secret' ? 'Secret' : 'ConfigMap'} is written empty; fill it (${create} -n ${ctx.namespace} --from-file=${fileKey(f)}=${f.source.file})`, path);
  }
  return text;
}
