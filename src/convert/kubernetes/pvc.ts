/**
 * Named volumes as PersistentVolumeClaims. Compose volumes have no size and
 * no access mode: the claim asks for 1Gi, ReadWriteOnce (what every storage
 * class offers), and a note says so. External volumes are not created: the
 * pods name a claim that must exist.
 */
import type { Project } from '../../compose/types';
import { dnsSubdomain, projectLabels } from './names';
import type { Ctx, K8sObject } from './types';

export const DEFAULT_CLAIM_SIZE = '1Gi';

/** The claim a named volume's mounts use. */
export function claimName(project: Project, volume: string): string {
  const spec = project.volumes?.[volume];
  return dnsSubdomain(spec?.external ? (spec.externalName ?? volume) : volume);
}

export function claims(project: Project, ctx: Ctx): K8sObject[] {
  const out: K8sObject[] = [];
  for (const vol of Object.values(project.volumes ?? {})) {
    const path = `volumes.${vol.name}`;
    if (vol.external) {
      ctx.warn('note', path, `external volume: no claim is written; a PersistentVolumeClaim named ${claimName(project, vol.name)} must exist in namespace ${ctx.namespace}`);
      continue;
    }
    // Compose's own metadata stays visible on the claim (annotations take any value).
    const annotations = Object.keys(vol.labels).length ? { annotations: { ...vol.labels } } : {};
    out.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName(project, vol.name), namespace: ctx.namespace, labels: projectLabels(project.name), ...annotations },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: DEFAULT_CLAIM_SIZE } } },
    });
    ctx.warn('note', path, `a PersistentVolumeClaim of ${DEFAULT_CLAIM_SIZE}, ReadWriteOnce, default storage class: compose volumes have no size; edit it to fit`);
    const pods = Object.values(project.services)
      .filter((s) => (s.mounts ?? []).some((m) => m.type === 'volume' && m.source === vol.name))
      .reduce((n, s) => n + s.scale, 0);
    if (pods > 1) ctx.warn('note', path, `${pods} pods mount it: ReadWriteOnce holds only on one node, so they must share a node or the claim needs ReadWriteMany (a storage class that offers it)`);
  }
  return out;
}
