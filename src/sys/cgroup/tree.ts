/**
 * What both drivers do with directories: create a container's cgroup
 * (`parent/tscompose/<project>/<service>-<n>`) in one hierarchy, and remove
 * it again. The rule that keeps a systemd-managed host intact: we only ever
 * write into directories we created (a `cgroup_parent` that already exists
 * is used as it is) and into our own `tscompose` subtree, and we remove only
 * that subtree, never the parent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupRef } from '../../plan/model';

export type { CgroupRef };

export function cgroupDir(root: string, cg: CgroupRef): string {
  return path.join(root, cg.parent, cg.path);
}

export function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** `key value` lines (memory.stat, cpu.stat, memory.events) → numbers. */
export function readKeyed(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (readText(file) ?? '').split('\n')) {
    const [k, v] = line.split(' ');
    if (k && v !== undefined && /^\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

/** A number from a one-value file; undefined if missing or not a number ("max"). */
export function readNumber(file: string): number | undefined {
  const t = readText(file)?.trim();
  return t !== undefined && /^-?\d+$/.test(t) ? Number(t) : undefined;
}

/** Errors name the file and the value (write(2) errors carry no path). */
// Equivalent to: echo VALUE > FILE
export function writeValue(file: string, value: string): void {
  try {
    fs.writeFileSync(file, value);
  } catch (e: any) {
    if (e && typeof e === 'object') {
      e.path ??= file;
      e.message = `${e.message} (writing "${value}" to ${file})`;
    }
    throw e;
  }
}

/** Parent directories made ready by this process (a hundred containers share two). */
const ready = new Set<string>();

/**
 * `mkdir -p` of the cgroup in one hierarchy. `init(dir, parentDir, created)` runs for
 * every directory we may configure: those created now, and those of our own
 * subtree even if they existed (an earlier run may have died between mkdir
 * and init). Another project may remove the shared `tscompose` directory
 * while we create below it: ENOENT starts over, checking every directory.
 */
export function ensureTree(root: string, cg: CgroupRef, init: (dir: string, parentDir: string, created: boolean) => void): string {
  const parentParts = cg.parent ? cg.parent.split('/') : [];
  const ownParts = cg.path.split('/');
  const parts = [...parentParts, ...ownParts];
  for (let attempt = 0; ; attempt++) {
    try {
      let dir = root;
      parts.forEach((part, i) => {
        const parentDir = dir;
        dir = path.join(dir, part);
        if (ready.has(dir)) return;
        let created = false;
        try {
          fs.mkdirSync(dir);
          created = true;
        } catch (e: any) {
          if (e?.code !== 'EEXIST') throw e;
        }
        if (created || i >= parentParts.length) init(dir, parentDir, created);
        if (i < parts.length - 1) ready.add(dir);
      });
      return dir;
    } catch (e: any) {
      if (e?.code !== 'ENOENT' || attempt >= 5) throw e;
      ready.clear();
    }
  }
}

/**
 * rmdir of the container's cgroup, then of `tscompose/<project>` and
 * `tscompose` once empty (another container or project may still use them:
 * ENOTEMPTY and EBUSY are fine there). Missing is success.
 */
// Equivalent to: rmdir ROOT/PARENT/tscompose/PROJECT/SERVICE-N ROOT/PARENT/tscompose/PROJECT ROOT/PARENT/tscompose
export function removeTree(root: string, cg: CgroupRef): void {
  const ownParts = cg.path.split('/');
  for (let n = ownParts.length; n > 0; n--) {
    const dir = path.join(root, cg.parent, ...ownParts.slice(0, n));
    try {
      fs.rmdirSync(dir);
      ready.delete(dir);
    } catch (e: any) {
      if (e?.code === 'ENOENT') continue;
      if (n < ownParts.length && (e?.code === 'ENOTEMPTY' || e?.code === 'EBUSY' || e?.code === 'EEXIST')) return;
      throw e;
    }
  }
}

/** The container cgroups under `parent/tscompose/<project>/` in one hierarchy. */
export function listLeaves(root: string, parent: string, projectDir: string): string[] {
  try {
    return fs
      .readdirSync(path.join(root, parent, projectDir), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${projectDir}/${d.name}`);
  } catch (e: any) {
    if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return [];
    throw e;
  }
}

/** Pids listed in a cgroup.procs (0: a process outside our pid namespace). */
export function readProcs(dir: string): number[] {
  return (readText(path.join(dir, 'cgroup.procs')) ?? '')
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number)
    .filter((p) => p > 0);
}
