/**
 * A service with neither `image:` nor `x-rootfs` runs on the host's root
 * (as a copy-on-write overlay): without this it would read the host's
 * password hashes, SSH host keys and every user's home. Hidden by default:
 *
 *   files   /etc/shadow, /etc/gshadow (and their `-` backups), /etc/ssh/*key*
 *           → /dev/null over each (the shim's masks; `*` expanded inside the root)
 *   dirs    /root, /home → an empty tmpfs each (writable, as the overlay
 *           was; the file's own mounts below them still appear on top)
 *
 * tscompose's state and stores are hidden too (LaunchIsolation.maskStores).
 * `x-host-secrets: true` shows them all again, or a list names those to
 * show (a lab node that needs the host's SSH keys, say). Pure.
 */
import type { ServiceSpec } from '../compose/types';
import type { LaunchMount } from './model';

export const HOST_SECRET_FILES: readonly string[] = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/ssh/*key*'];
export const HOST_SECRET_DIRS: Readonly<Record<string, number>> = { '/root': 0o700, '/home': 0o755 };

export interface HostSecrets {
  /** Files (patterns) masked with /dev/null. */
  masks: string[];
  /** Directories replaced by an empty tmpfs. */
  mounts: LaunchMount[];
  /** Entries of `x-host-secrets` that name nothing we hide (an error at the key). */
  unknown: string[];
}

const NONE: HostSecrets = { masks: [], mounts: [], unknown: [] };

/** What is hidden from a container on the host's root (`onHostRoot`), given what the file mounts itself. */
export function hostSecrets(svc: ServiceSpec, onHostRoot: boolean): HostSecrets {
  const shown = svc.hostSecrets === true ? [...HOST_SECRET_FILES, ...Object.keys(HOST_SECRET_DIRS)] : (svc.hostSecrets ?? []);
  const known = new Set([...HOST_SECRET_FILES, ...Object.keys(HOST_SECRET_DIRS)]);
  const unknown = shown.filter((p) => !known.has(p));
  if (!onHostRoot) return { ...NONE, unknown };
  // A mount of the file at the very path wins (it replaces what is there anyway).
  const taken = new Set((svc.mounts ?? []).map((m) => m.target));
  const hide = (p: string) => !shown.includes(p) && !taken.has(p);
  return {
    masks: HOST_SECRET_FILES.filter(hide),
    mounts: Object.entries(HOST_SECRET_DIRS)
      .filter(([p]) => hide(p))
      .map(([target, mode]) => ({ type: 'tmpfs', target, readOnly: false, mode, exec: true, nodev: true, nosuid: true })),
    unknown,
  };
}
