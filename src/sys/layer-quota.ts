/**
 * `storage_opt.size`: the writable layer (a container's `rootfs/` state
 * directory, holding the overlay's upper/ and work/) limited with an XFS
 * project quota, as Docker's overlay2 and containers/storage do: the
 * directory gets a project ID that what is made inside it inherits, and the
 * ID a hard block limit. Only a filesystem mounted with `prjquota`
 * (`pquota`) enforces it; which one the layers are on is read from
 * /proc/self/mountinfo (`parseLayerFs` is pure).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from './native';
import type { LayerFs } from '../plan/model';

export type { LayerFs };

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function under(dir: string, mount: string): boolean {
  return mount === '/' || dir === mount || dir.startsWith(`${mount}/`);
}

/**
 * The mount `dir` (absolute, symlinks resolved) is on: the longest mount
 * point above it, the later of two on the same point (it hides the other).
 */
export function parseLayerFs(mountinfo: string, dir: string): LayerFs | undefined {
  let best: LayerFs | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const mount = unescape(line.slice(0, sep).split(' ')[4] ?? '');
    if (!mount || !under(dir, mount) || (best && mount.length < best.mount.length)) continue;
    const [fstype = '', , superOptions = ''] = line.slice(sep + 3).split(' ');
    const options = [...superOptions.split(','), ...(line.slice(0, sep).split(' ')[5] ?? '').split(',')];
    best = { mount, fstype, prjquota: fstype === 'xfs' && options.some((o) => o === 'prjquota' || o === 'pquota') };
  }
  return best;
}

/** The nearest existing directory at or above `dir`, symlinks resolved. */
function existingAncestor(dir: string): string {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      return fs.realpathSync(d);
    } catch {
      if (d === path.dirname(d)) return d;
    }
  }
}

/** Where the writable layers under `dir` (made or not yet) will live. */
export function layerFilesystem(dir: string): LayerFs | undefined {
  return parseLayerFs(fs.readFileSync('/proc/self/mountinfo', 'utf8'), existingAncestor(dir));
}

/**
 * Limit the writable layer `dir` (made here if missing, 0700 as the shim
 * makes it) to `bytes`, under project `projectId`. The ID first: a killed
 * `up` leaves at most an ID on a directory `down` removes (releaseLayerQuota).
 */
export function limitLayer(dir: string, projectId: number, bytes: number): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // Equivalent to: xfs_quota -x -c 'project -s -p DIR ID' MOUNT
    native.setProjectId(dir, projectId, true);
    // Equivalent to: xfs_quota -x -c 'limit -p bhard=BYTES ID' MOUNT
    native.setProjectLimit(dir, projectId, bytes);
  } catch (e: any) {
    // The plan checked the filesystem; this is a layer root that changed since, or a verb that did not look.
    if (!NO_QUOTA.has(e?.code)) throw e;
    const on = layerFilesystem(dir);
    throw Object.assign(new Error(`storage_opt.size: ${dir} is on ${on ? `${on.fstype} mounted at ${on.mount}` : 'a filesystem'} that cannot enforce a size: it needs xfs mounted with prjquota (${e.code})`), { code: e.code });
  }
}

/** A container's writable layer, in its state directory (upper/, work/, merged/ inside). */
export const LAYER_DIR = 'rootfs';

const GONE = new Set(['ENOENT', 'ENOTDIR']);
/** What a filesystem without project IDs or quotas answers: nothing of ours can be there. */
const NO_QUOTA = new Set(['ENOTTY', 'EOPNOTSUPP', 'ENOTSUP', 'ENOSYS', 'ESRCH', 'EINVAL']);

/**
 * Before a writable layer is removed: the limit of its project ID set to 0
 * and the ID taken off the directory, so nothing stays on the filesystem
 * (what is inside goes with the directory). A directory without an ID (or
 * missing, or on a filesystem without them) needs nothing.
 */
export function releaseLayerQuota(dir: string): void {
  let projectId: number;
  try {
    // Equivalent to: xfs_io -c lsproj DIR
    projectId = native.getProjectId(dir).projectId;
  } catch (e: any) {
    if (GONE.has(e?.code) || NO_QUOTA.has(e?.code)) return;
    throw e;
  }
  if (projectId === 0) return;
  try {
    // Equivalent to: xfs_quota -x -c 'limit -p bhard=0 ID' MOUNT
    native.setProjectLimit(dir, projectId, 0);
  } catch (e: any) {
    if (!NO_QUOTA.has(e?.code)) throw e;
  }
  // Equivalent to: xfs_quota -x -c 'project -C -p DIR ID' MOUNT
  native.setProjectId(dir, 0, false);
}

/** releaseLayerQuota of the writable layer of each container directory under `containersDir` (a project's containers/). */
export function releaseLayerQuotas(containersDir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(containersDir);
  } catch (e: any) {
    if (GONE.has(e?.code)) return;
    throw e;
  }
  for (const n of names) releaseLayerQuota(path.join(containersDir, n, LAYER_DIR));
}
