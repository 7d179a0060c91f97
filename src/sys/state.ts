/**
 * The on-disk state: /run/tscompose/<project>/ (0700) holds the journal
 * (state.json, written atomically: tmp + rename), the project lock, and one
 * directory per container (generated files, shim pid files, exit status, log).
 * A global lock guards address allocation across projects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BusyError } from '../errors';
import type { ProjectState } from '../plan/model';
import { native } from './native';
import { LAYER_DIR, releaseLayerQuota, releaseLayerQuotas } from './layer-quota';

export const STATE_ROOT = '/run/tscompose';

const STATE_FILE = 'state.json';
const LOCK_FILE = '.lock';

export class StateDir {
  constructor(readonly root: string = STATE_ROOT) {}

  projectDir(project: string): string {
    return path.join(this.root, project);
  }
  containerDir(project: string, container: string): string {
    return path.join(this.root, project, 'containers', container);
  }
  /** Append-only, one JSON event per line (native/shim/events.h): `tscompose events` follows it. */
  eventsPath(project: string): string {
    return path.join(this.root, project, 'events.jsonl');
  }
  statePath(project: string): string {
    return path.join(this.root, project, STATE_FILE);
  }

  ensureProjectDir(project: string): string {
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const dir = this.projectDir(project);
    fs.mkdirSync(path.join(dir, 'containers'), { recursive: true, mode: 0o700 });
    return dir;
  }

  ensureContainerDir(project: string, container: string): string {
    const dir = this.containerDir(project, container);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  readState(project: string): ProjectState | undefined {
    const text = readIfExists(this.statePath(project));
    if (text === undefined) return undefined;
    const parsed = JSON.parse(text) as ProjectState;
    return parsed.version === 1 ? parsed : undefined;
  }

  writeState(state: ProjectState): void {
    this.ensureProjectDir(state.project);
    writeAtomic(this.statePath(state.project), JSON.stringify(state, null, 1) + '\n');
  }

  /** Every project that has a state directory. */
  projects(): string[] {
    try {
      return fs
        .readdirSync(this.root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
        .sort();
    } catch (e: any) {
      if (e?.code === 'ENOENT') return [];
      throw e;
    }
  }

  containers(project: string): string[] {
    try {
      return fs.readdirSync(path.join(this.projectDir(project), 'containers')).sort();
    } catch (e: any) {
      if (e?.code === 'ENOENT') return [];
      throw e;
    }
  }

  removeContainerDir(project: string, container: string): void {
    // storage_opt.size: the layer's project quota goes first (nothing of it may stay on the filesystem).
    releaseLayerQuota(path.join(this.containerDir(project, container), LAYER_DIR));
    fs.rmSync(this.containerDir(project, container), { recursive: true, force: true });
  }

  /** Remove the project's directory once nothing of it is left. */
  removeProject(project: string): void {
    releaseLayerQuotas(path.join(this.projectDir(project), 'containers'));
    fs.rmSync(this.projectDir(project), { recursive: true, force: true });
  }

  /**
   * `down` of a project whose networks others still use: its journal becomes
   * the network-only record first (atomically), then everything else of the
   * project's directory goes; the directory and its lock stay. A crash
   * anywhere in between still leaves the record (the joiners' way to the
   * network and to its removal), and the next `down` clears the rest.
   */
  // Equivalent to: mv state.json.new state.json; find DIR -mindepth 1 -maxdepth 1 ! -name state.json ! -name .lock -exec rm -r {} +
  reduceToRecord(record: ProjectState): void {
    this.writeState(record);
    const dir = this.projectDir(record.project);
    releaseLayerQuotas(path.join(dir, 'containers'));
    for (const name of fs.readdirSync(dir)) {
      if (name !== STATE_FILE && name !== LOCK_FILE) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }

  /**
   * Another project's network-only record (its `down` kept networks we
   * used): under its lock, unless it is back (a full journal again), run
   * `remove` (the bridge's deletion) and drop `network` from the record,
   * the record itself with its last network. Returns whether it ran.
   */
  // Equivalent to: flock /run/tscompose/OWNER/.lock sh -c 'ip link del BRIDGE; jq "del(.networks.KEY)" …' (rm -r the dir when none is left)
  async forgetKeptNetwork(project: string, network: string, remove: () => Promise<void>): Promise<boolean> {
    if (!fs.existsSync(this.projectDir(project))) {
      await remove();
      return true;
    }
    const lock = await this.lockProjectSoon(project);
    try {
      const record = this.readState(project);
      if (record && !record.keptForJoiners) return false;
      await remove();
      if (!record) {
        // Nothing of it but the lock we just took: no project dir is left behind by us.
        if (!this.containers(project).length) this.removeProject(project);
        return true;
      }
      const { [network]: _gone, ...rest } = record.networks;
      if (Object.keys(rest).length) this.writeState({ ...record, networks: rest, updatedAt: new Date().toISOString() });
      else this.removeProject(project);
      return true;
    } finally {
      lock.release();
    }
  }

  /**
   * Another project's lock, while we hold ours: tried for a while, never
   * waited on (two projects taking each other's locks would deadlock);
   * still busy, a BusyError, and running `down` again finishes the work.
   */
  private async lockProjectSoon(project: string, timeoutMs = 10_000): Promise<Lock> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return this.lockProject(project, false);
      } catch (e) {
        if (!(e instanceof BusyError) || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** The project lock: one `up`/`down` per project at a time. Throws BusyError if held and `wait` is false. */
  lockProject(project: string, wait = false): Lock {
    this.ensureProjectDir(project);
    return Lock.acquire(path.join(this.projectDir(project), LOCK_FILE), wait, `project ${project} is busy: another tscompose run holds its lock`);
  }

  /** The global IPAM lock, held from reading other projects' subnets until our journal names ours. */
  lockGlobal(): Lock {
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    return Lock.acquire(path.join(this.root, '.ipam.lock'), true, 'address allocation is busy');
  }
}

export class Lock {
  private constructor(private fd: number | undefined) {}

  // Equivalent to: flock [-n] FILE
  static acquire(file: string, wait: boolean, busyMessage: string): Lock {
    for (;;) {
      const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
      try {
        native.flock(fd, native.constants.LOCK_EX | (wait ? 0 : native.constants.LOCK_NB));
      } catch (e: any) {
        fs.closeSync(fd);
        if (e?.code === 'EWOULDBLOCK' || e?.code === 'EAGAIN') throw new BusyError(busyMessage);
        throw e;
      }
      // `down` removes the project directory, lock file included, while it
      // holds the lock: a lock taken on the removed file guards nothing, so
      // take the one now at the path instead.
      if (sameFile(fd, file)) return new Lock(fd);
      fs.closeSync(fd);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    }
  }

  release(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd); // closing the last fd drops the flock
    this.fd = undefined;
  }
}

function sameFile(fd: number, file: string): boolean {
  try {
    const a = fs.fstatSync(fd);
    const b = fs.statSync(file);
    return a.ino === b.ino && a.dev === b.dev;
  } catch (e: any) {
    if (e?.code === 'ENOENT') return false;
    throw e;
  }
}

export function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e?.code === 'ENOENT' || e?.code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Write via a temporary file and rename, so readers never see half a file. */
export function writeAtomic(file: string, content: string, mode = 0o600): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

/**
 * Rewrite a file in place (same inode), creating it if missing: bind mounts
 * of it (a container's /etc/hosts) see the new content.
 */
export function writeInPlace(file: string, content: string, mode = 0o644): void {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
  } catch (e: any) {
    if (e?.code !== 'ENOENT') throw e;
    // New file: nothing has it mounted yet, and a crash leaves a file the next run rewrites.
    fs.writeFileSync(file, content, { mode, flag: 'wx' });
    return;
  }
  try {
    const buf = Buffer.from(content);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, buf, 0, buf.length, 0);
  } finally {
    fs.closeSync(fd);
  }
}
