/**
 * SELinux relabeling of a bind source (`:z`, `:Z`; the label decided in
 * plan/security-labels.ts): `security.selinux` on the directory and
 * everything below it, symlinks labeled themselves and never followed,
 * as go-selinux's `Chcon(path, label, recursive)` does for Docker.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from './native';

export const SELINUX_XATTR = 'security.selinux';

/** The entries of DIR (the caller labels them); a directory that vanished meanwhile has none. */
function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (e: any) {
    if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return [];
    throw e;
  }
}

// Equivalent to: chcon -R -h LABEL SOURCE   (setfattr -h -n security.selinux -v LABEL on each entry)
export function relabelTree(source: string, label: string): void {
  const value = Buffer.from(label);
  const pending = [source];
  while (pending.length) {
    const p = pending.pop()!;
    try {
      native.lsetxattr(p, SELINUX_XATTR, value);
    } catch (e: any) {
      throw new Error(`SELinux relabel of ${p} to ${label}: ${e?.message ?? e}`);
    }
    if (!fs.lstatSync(p).isDirectory()) continue;
    for (const d of entries(p)) pending.push(path.join(p, d.name));
  }
}
