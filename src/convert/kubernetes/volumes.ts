/**
 * A service's mounts as pod volumes: named volumes → the claim, anonymous
 * volumes → an emptyDir (it lives as long as the pod, as an anonymous volume
 * lives as long as its container), tmpfs → an emptyDir in memory, secrets
 * and configs → their object with subPath. Host path binds do not map.
 */
import type { Project, ServiceSpec } from '../../compose/types';
import { bytesQuantity } from './container';
import { claimName } from './pvc';
import { fileKey, fileObjectName, fileVolumeName } from './files';
import { dnsLabel } from './names';
import type { Ctx } from './types';

export interface PodVolumes {
  volumes: Array<Record<string, unknown>>;
  mounts: Array<Record<string, unknown>>;
}

export function podVolumes(project: Project, svc: ServiceSpec, ctx: Ctx): PodVolumes {
  const base = `services.${svc.name}`;
  const volumes: PodVolumes['volumes'] = [];
  const mounts: PodVolumes['mounts'] = [];
  const add = (name: string, source: Record<string, unknown>, mount: Record<string, unknown>) => {
    if (!volumes.some((v) => v['name'] === name)) volumes.push({ name, ...source });
    mounts.push({ name, ...mount });
  };
  let anon = 0;
  let tmp = 0;
  for (const m of svc.mounts ?? []) {
    if (m.type === 'bind') {
      ctx.warn('unmapped', `${base}.volumes`, `host path ${m.source} bound at ${m.target} not converted: a pod runs on any node; put the content in an image, a ConfigMap or a volume`, base);
    } else if (m.type === 'tmpfs') {
      add(`tmpfs-${tmp++}`, { emptyDir: { medium: 'Memory', ...(m.size !== undefined ? { sizeLimit: bytesQuantity(m.size) } : {}) } }, { mountPath: m.target, ...(m.readOnly ? { readOnly: true } : {}) });
      if (m.mode !== undefined) ctx.warn('unmapped', `${base}.tmpfs`, `the mode ${m.mode.toString(8)} of the tmpfs at ${m.target} has no emptyDir equivalent`, `${base}.volumes`);
    } else if (m.source === undefined) {
      add(`anon-${anon++}`, { emptyDir: {} }, { mountPath: m.target, ...(m.readOnly ? { readOnly: true } : {}) });
    } else {
      add(dnsLabel(`vol-${m.source}`), { persistentVolumeClaim: { claimName: claimName(project, m.source) } }, {
        mountPath: m.target,
        ...(m.subpath !== undefined ? { subPath: m.subpath } : {}),
        ...(m.readOnly ? { readOnly: true } : {}),
      });
    }
  }
  for (const f of svc.files ?? []) {
    const key = fileKey(f);
    const item = { key, path: key, mode: f.mode };
    const source = f.kind === 'secret' ? { secret: { secretName: fileObjectName(f), items: [item] } } : { configMap: { name: fileObjectName(f), items: [item] } };
    add(fileVolumeName(f), source, { mountPath: f.target, subPath: key, readOnly: true });
  }
  return { volumes, mounts };
}
