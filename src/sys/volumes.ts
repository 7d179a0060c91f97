/**
 * The volume store: named volumes are directories under
 * /var/lib/tscompose/volumes/<name>/ (0700), on disk so that they survive a
 * reboot and `down` (only `down -v` removes them). Each holds `_data` (what
 * is mounted) and `owner` (the project that created it: an ownership mark).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const VOLUME_ROOT = '/var/lib/tscompose/volumes';

export class VolumeStore {
  constructor(readonly root: string = VOLUME_ROOT) {}

  dir(name: string): string {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) throw new TypeError(`invalid volume name ${JSON.stringify(name)}`);
    return path.join(this.root, name);
  }

  /** What containers mount. */
  dataDir(name: string): string {
    return path.join(this.dir(name), '_data');
  }

  list(): string[] {
    try {
      return fs.readdirSync(this.root, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
    } catch (e: any) {
      if (e?.code === 'ENOENT') return [];
      throw e;
    }
  }

  // Equivalent to: mkdir -p -m 0700 /var/lib/tscompose/volumes/NAME/_data; echo PROJECT > …/owner
  ensure(name: string, project: string): void {
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const dir = this.dir(name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Like Docker's _data: root's, 0755 (what the container sees at the mount point).
    fs.mkdirSync(path.join(dir, '_data'), { recursive: true, mode: 0o755 });
    const owner = path.join(dir, 'owner');
    if (!fs.existsSync(owner)) fs.writeFileSync(owner, `${project}\n`, { mode: 0o600 });
  }

  // Equivalent to: rm -rf /var/lib/tscompose/volumes/NAME
  remove(name: string): void {
    fs.rmSync(this.dir(name), { recursive: true, force: true });
  }
}
