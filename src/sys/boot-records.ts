/**
 * What `tscompose boot` needs after a reboot, kept where a reboot does not
 * reach (/var/lib, not /run): per project with containers whose restart
 * policy is `always` or `unless-stopped`, the normalized compose file (`config`
 * output: interpolated, paths absolute, so the environment of the `up` that
 * wrote it is not needed again) and its working directory; and which of its
 * containers the user stopped (for `unless-stopped`).
 *
 *   /var/lib/tscompose/projects/<project>/compose.yaml   0600
 *   /var/lib/tscompose/projects/<project>/project.json   {"workingDir": "…"}
 *   /var/lib/tscompose/projects/<project>/stopped/<container>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readIfExists, writeAtomic } from './state';

export const BOOT_ROOT = '/var/lib/tscompose/projects';

export interface BootRecord {
  project: string;
  composeFile: string;
  workingDir: string;
}

export class BootRecords {
  constructor(readonly root: string = BOOT_ROOT) {}

  private dir(project: string): string {
    return path.join(this.root, project);
  }

  write(project: string, composeYaml: string, workingDir: string): void {
    const dir = this.dir(project);
    fs.mkdirSync(path.join(dir, 'stopped'), { recursive: true, mode: 0o700 });
    writeAtomic(path.join(dir, 'compose.yaml'), composeYaml);
    writeAtomic(path.join(dir, 'project.json'), JSON.stringify({ workingDir }) + '\n');
  }

  remove(project: string): void {
    fs.rmSync(this.dir(project), { recursive: true, force: true });
  }

  list(): BootRecord[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root).sort();
    } catch (e: any) {
      if (e?.code === 'ENOENT') return [];
      throw e;
    }
    return names.flatMap((project) => {
      const meta = readIfExists(path.join(this.dir(project), 'project.json'));
      const composeFile = path.join(this.dir(project), 'compose.yaml');
      if (meta === undefined || !fs.existsSync(composeFile)) return [];
      return [{ project, composeFile, workingDir: (JSON.parse(meta) as { workingDir: string }).workingDir }];
    });
  }

  /** The user stopped it: `unless-stopped` keeps it down after a reboot. Only for recorded projects. */
  markStopped(project: string, container: string): void {
    const dir = path.join(this.dir(project), 'stopped');
    if (fs.existsSync(dir)) fs.writeFileSync(path.join(dir, container), '');
  }

  clearStopped(project: string, container: string): void {
    fs.rmSync(path.join(this.dir(project), 'stopped', container), { force: true });
  }

  stopped(project: string): Set<string> {
    try {
      return new Set(fs.readdirSync(path.join(this.dir(project), 'stopped')));
    } catch (e: any) {
      if (e?.code === 'ENOENT') return new Set();
      throw e;
    }
  }
}
