/**
 * A container's isolation policy (decided in plan/isolation.ts) turned into
 * the shim's terms: host paths for volumes and the stores to hide, mount
 * options, the capability mask. Makes the directories a mount needs first
 * (a bind source with create_host_path, anonymous volumes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LaunchIsolation, LaunchMount } from '../../plan/model';
import { capabilityMask } from '../../linux/capabilities';
import type { ContainerLaunch, ShimMount } from '../../sys/shim';
import { VolumeStore } from '../../sys/volumes';
import type { ApplyEnv } from '../env';

/** In the container's state dir. */
export const ROOTFS_DIR = 'rootfs';
export const ANONYMOUS_VOLUMES_DIR = 'volumes';

/** The flags of a mount as mount(8) options. */
function flagOptions(m: LaunchMount): string[] {
  return [...(m.nosuid ? ['nosuid'] : []), ...(m.nodev ? ['nodev'] : [])];
}

function bindOptions(m: LaunchMount, extra: string[]): string[] {
  return [m.readOnly ? 'ro' : 'rw', ...extra, ...flagOptions(m)];
}

function shimMount(m: LaunchMount, stateDir: string, env: ApplyEnv): ShimMount {
  switch (m.type) {
    case 'bind':
      // Equivalent to: mkdir -p SOURCE (create_host_path; the short syntax's default)
      if (m.createHostPath && !fs.existsSync(m.source)) fs.mkdirSync(m.source, { recursive: true, mode: 0o755 });
      return { kind: 'bind', source: m.source, target: m.target, options: bindOptions(m, [m.propagation, ...(m.recursive ? [] : ['nonrecursive'])]) };
    case 'volume': {
      const data = (env.volumes ?? new VolumeStore()).dataDir(m.volume);
      // The shim resolves the subpath beneath the volume (a container may have planted symlinks there).
      return { kind: 'bind', source: data, ...(m.subpath ? { subpath: m.subpath } : {}), target: m.target, options: bindOptions(m, ['rprivate']) };
    }
    case 'anonymous': {
      const dir = path.join(stateDir, ANONYMOUS_VOLUMES_DIR, m.id);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      return { kind: 'bind', source: dir, target: m.target, options: bindOptions(m, ['rprivate']) };
    }
    case 'tmpfs':
      return {
        kind: 'tmpfs',
        target: m.target,
        options: [
          m.readOnly ? 'ro' : 'rw',
          ...flagOptions(m),
          ...(m.exec ? [] : ['noexec']),
          ...(m.size !== undefined ? [`size=${m.size}`] : []),
          `mode=${m.mode.toString(8)}`,
        ],
      };
  }
}

export function isolationOf(iso: LaunchIsolation, stateDir: string, env: ApplyEnv): Partial<ContainerLaunch> {
  const store = env.volumes ?? new VolumeStore();
  return {
    rootfs: {
      lower: iso.rootfs,
      ...(iso.lowers ? { lowers: iso.lowers } : {}),
      rw: path.join(stateDir, ROOTFS_DIR),
      readOnly: iso.readOnly,
      mounts: iso.mounts.map((m) => shimMount(m, stateDir, env)),
      masks: [...iso.maskedPaths, ...(iso.maskStores ? [env.state.root, store.root] : [])],
      readOnlyPaths: iso.readOnlyPaths,
      ...(iso.sysRw ? { sysRw: true } : {}),
      ...(iso.allDevices ? { allDevices: true } : {}),
    },
    caps: capabilityMask(iso.caps),
    noNewPrivs: iso.noNewPrivs,
    init: iso.init,
  };
}
