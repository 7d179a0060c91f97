/**
 * Root filesystems (`x-rootfs`): their /etc/passwd and /etc/group, read
 * inside them (openat2 RESOLVE_IN_ROOT), so that a symlinked /etc in a root
 * filesystem never makes us read the host's files.
 */
import * as fs from 'node:fs';
import { readFileInRoot } from '../sys/native';

/** By directory; a directory that does not exist (or is not one) is left out. */
export function rootfsUserDbs(dirs: string[]): Record<string, { passwd: string; group: string }> {
  const out: Record<string, { passwd: string; group: string }> = {};
  for (const dir of new Set(dirs)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    out[dir] = { passwd: readFileInRoot(dir, 'etc/passwd') ?? '', group: readFileInRoot(dir, 'etc/group') ?? '' };
  }
  return out;
}
