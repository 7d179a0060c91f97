/**
 * `volumes_from`: the mounts a container takes from other services (the
 * first replica of each): their bind mounts, named volumes and anonymous
 * volumes (the file's and the image's VOLUMEs), at the same targets. An
 * anonymous volume stays the other container's (`owner`: its directory
 * lives in that container's state and goes with it); `:ro` makes every
 * taken mount read-only. A target the service mounts itself keeps its own
 * mount (as Docker). tmpfs mounts, secrets and configs are not volumes and
 * are not taken.
 */
import type { Project, ServiceSpec } from '../compose/types';
import { imageRun } from './image';
import { launchMount } from './isolation';
import type { DesiredVolume, LaunchMount, Observed } from './model';
import { defaultContainerName } from './names';

export function volumesFromMounts(project: Project, svc: ServiceSpec, volumes: Record<string, DesiredVolume>, observed: Observed, devNodes: boolean): LaunchMount[] {
  const own = new Set((svc.mounts ?? []).map((m) => m.target));
  const out: LaunchMount[] = [];
  for (const from of svc.volumesFrom ?? []) {
    const other = project.services[from.service];
    if (!other) continue;
    const owner = other.containerName && other.scale === 1 ? other.containerName : defaultContainerName(project.name, other.name, 1);
    const image = other.image ? observed.images?.[other.image.name] : undefined;
    const imageVolumes = image ? imageRun(other, image.config).volumes : [];
    const mounts = [...(other.mounts ?? []), ...imageVolumes.map((target) => ({ type: 'volume' as const, target, readOnly: false }))];
    for (const m of mounts) {
      if (m.type === 'tmpfs' || own.has(m.target) || out.some((x) => x.target === m.target)) continue;
      const lm = launchMount(m, volumes, devNodes);
      const taken = lm.type === 'anonymous' ? { ...lm, owner } : lm;
      out.push(from.readOnly ? { ...taken, readOnly: true } : taken);
    }
  }
  return out;
}
