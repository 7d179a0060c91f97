/**
 * A container's isolation settings (plan/isolation.ts) turned into the
 * shim's terms: host paths for volumes, mount options, masks, the
 * capability mask. Makes the directories a mount needs first (a bind
 * source with create_host_path, anonymous volumes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST_ROOT, MASKED_PATHS, READ_ONLY_PATHS } from '../../plan/isolation';
import type { LaunchIsolation, LaunchMount } from '../../plan/model';
import { capabilityMask } from '../../compose/capabilities';
import type { ContainerLaunch, ShimMount } from '../../sys/shim';
import { VolumeStore } from '../../sys/volumes';
import type { ApplyEnv } from '../env';

/** In the container's state dir. */
export const ROOTFS_DIR = 'rootfs';
export const ANONYMOUS_VOLUMES_DIR = 'volumes';

function bindOptions(readOnly: boolean, privileged: boolean, extra: string[] = []): string[] {
  // nodev: a device node the container makes (CAP_MKNOD) can be opened only in /dev's allowlist.
  return [readOnly ? 'ro' : 'rw', ...extra, ...(privileged ? [] : ['nodev'])];
}

function shimMount(m: LaunchMount, stateDir: string, env: ApplyEnv, privileged: boolean): ShimMount {
  switch (m.type) {
    case 'bind':
      // Equivalent to: mkdir -p SOURCE (create_host_path; the short syntax's default)
      if (m.createHostPath && !fs.existsSync(m.source)) fs.mkdirSync(m.source, { recursive: true, mode: 0o755 });
      return { kind: 'bind', source: m.source, target: m.target, options: bindOptions(m.readOnly, privileged, [m.propagation, ...(m.recursive ? [] : ['nonrecursive'])]) };
    case 'volume': {
      const data = (env.volumes ?? new VolumeStore()).dataDir(m.volume);
      // The shim resolves the subpath beneath the volume (a container may have planted symlinks there).
      return { kind: 'bind', source: data, ...(m.subpath ? { subpath: m.subpath } : {}), target: m.target, options: bindOptions(m.readOnly, privileged, ['rprivate']) };
    }
    case 'anonymous': {
      const dir = path.join(stateDir, ANONYMOUS_VOLUMES_DIR, m.id);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      return { kind: 'bind', source: dir, target: m.target, options: bindOptions(m.readOnly, privileged, ['rprivate']) };
    }
    case 'tmpfs':
      return {
        kind: 'tmpfs',
        target: m.target,
        options: [
          m.readOnly ? 'ro' : 'rw',
          'nosuid',
          'nodev',
          ...(m.exec ? [] : ['noexec']),
          ...(m.size !== undefined ? [`size=${m.size}`] : []),
          `mode=${(m.mode ?? 0o1777).toString(8)}`,
        ],
      };
  }
}

export function isolationOf(iso: LaunchIsolation, stateDir: string, env: ApplyEnv): Partial<ContainerLaunch> {
  const store = env.volumes ?? new VolumeStore();
  // With the host's root as the lower layer, the state and volume stores
  // would show through: other containers' files, logs and volumes.
  const hidden = iso.rootfs === HOST_ROOT ? [env.state.root, store.root] : [];
  return {
    rootfs: {
      lower: iso.rootfs,
      rw: path.join(stateDir, ROOTFS_DIR),
      readOnly: iso.readOnly,
      mounts: iso.mounts.map((m) => shimMount(m, stateDir, env, iso.privileged)),
      masks: [...(iso.privileged ? [] : MASKED_PATHS), ...hidden],
      readOnlyPaths: iso.privileged ? [] : [...READ_ONLY_PATHS],
      ...(iso.privileged ? { sysRw: true, allDevices: true } : {}),
    },
    caps: capabilityMask(iso.caps),
    noNewPrivs: !iso.privileged,
    init: iso.init,
  };
}
