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
import { StoreLayout } from '../../image/store/layout';
import { relabelTree } from '../../sys/selinux-relabel';
import type { ApplyEnv } from '../env';
import { LAYER_DIR } from '../../sys/layer-quota';

/** In the container's state dir (the writable layer is LAYER_DIR, sys/layer-quota.ts). */
export const ANONYMOUS_VOLUMES_DIR = 'volumes';
/** Secrets and configs, root-only on the host whatever their mode in the container. */
export const FILES_DIR = 'files';

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
      return { kind: 'bind', source: data, ...(m.subpath ? { subpath: m.subpath } : {}), ...(m.populate ? { populate: true } : {}), target: m.target, options: bindOptions(m, ['rprivate']) };
    }
    case 'anonymous': {
      // volumes_from: another container's anonymous volume, in its state dir.
      const owner = m.owner !== undefined ? env.state.containerDir(env.project, m.owner) : stateDir;
      const dir = path.join(owner, ANONYMOUS_VOLUMES_DIR, m.id);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      return { kind: 'bind', source: dir, ...(m.populate ? { populate: true } : {}), target: m.target, options: bindOptions(m, ['rprivate']) };
    }
    case 'file':
      return { kind: 'bind', source: writeMountedFile(m, stateDir), target: m.target, options: bindOptions(m, ['rprivate']) };
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

/**
 * A secret's or config's file, written afresh (a host file is read now, so
 * a start sees its current content): temp + rename in a 0700 directory,
 * then the owner and mode the container asked for.
 */
function writeMountedFile(m: Extract<LaunchMount, { type: 'file' }>, stateDir: string): string {
  const dir = path.join(stateDir, FILES_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  let data: Buffer;
  if (m.file !== undefined) {
    const st = fs.statSync(m.file, { throwIfNoEntry: false });
    if (!st?.isFile()) throw new Error(`${m.name.replace('-', ' ')}: ${m.file} is ${st ? 'not a regular file' : 'missing'}`);
    data = fs.readFileSync(m.file);
  } else data = Buffer.from(m.secretContent ?? m.content ?? '');
  const file = path.join(dir, m.name);
  const tmp = `${file}.tmp`;
  // Equivalent to: install -m MODE -o UID -g GID SOURCE FILE
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.chownSync(tmp, m.uid, m.gid);
  fs.chmodSync(tmp, m.mode);
  fs.renameSync(tmp, file);
  return file;
}

export function isolationOf(iso: LaunchIsolation, stateDir: string, env: ApplyEnv): Partial<ContainerLaunch> {
  const store = env.volumes ?? new VolumeStore();
  const mounts = iso.mounts.map((m) => shimMount(m, stateDir, env));
  // `:z`/`:Z` (SELinux hosts only): once the sources exist, before the container can open them.
  for (const r of iso.lsm?.relabel ?? []) relabelTree(r.source, r.label);
  const lsm = iso.lsm;
  return {
    rootfs: {
      lower: iso.rootfs,
      ...(iso.lowers ? { lowers: iso.lowers } : {}),
      rw: path.join(stateDir, LAYER_DIR),
      readOnly: iso.readOnly,
      mounts,
      masks: [...iso.maskedPaths, ...(iso.maskStores ? [env.state.root, store.root, new StoreLayout().root] : [])],
      readOnlyPaths: iso.readOnlyPaths,
      ...(iso.sysRw ? { sysRw: true } : {}),
      ...(iso.allDevices ? { allDevices: true } : {}),
      ...(iso.rootDevNodes ? { rootDevNodes: true } : {}),
      ...(iso.shmSize !== undefined ? { shmSize: iso.shmSize } : {}),
    },
    caps: capabilityMask(iso.caps),
    noNewPrivs: iso.noNewPrivs,
    ...(iso.seccomp ? { seccomp: iso.seccomp } : {}),
    ...(lsm?.apparmor ? { apparmor: lsm.apparmor } : {}),
    ...(lsm?.processLabel ? { execLabel: lsm.processLabel } : {}),
    ...(lsm?.mountLabel ? { mountLabel: lsm.mountLabel } : {}),
    init: iso.init,
    ...(iso.stdinOpen ? { stdinOpen: true } : {}),
    ...(iso.tty ? { tty: true } : {}),
  };
}
