/**
 * The boundary to the container shim (native/shim, `tsc-shim`): everything
 * else starts, inspects and enters containers through this module.
 *
 * - `Launcher` keeps ONE `tsc-shim launch` process and starts containers
 *   through it one by one (each as soon as it is asked for);
 *   `launchContainers` starts a whole list with one. Each container gets
 *   its own daemonized shim that stays its parent.
 * - The shim leaves its state in the container's state dir: `shim.pid` and
 *   `init.pid` ("<pid> <starttime>"), `exit.json` once the container exited,
 *   `container.log` (CRI format); container-files.ts reads them.
 * - `execArgs` builds the argv of `tsc-shim exec` (run with inherited stdio).
 *
 * The wire formats (argv records on stdin, one result line per record) are
 * documented in native/README.md.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import { native, NOT_BUILT } from './native';
import type { LaunchSeccomp } from '../plan/model';

export { STOPPED_FILE, markStopped, readProcessRef, parseProcStat, isAlive, readExit, signalProcess } from './container-files';
export type { ProcessRef, ExitInfo } from './container-files';

export type ContainerNamespace = 'mount' | 'uts' | 'ipc' | 'pid' | 'cgroup';

export interface ContainerLaunch {
  /** For messages (and to name results). */
  name: string;
  /** Absolute, existing, mode 0700, owned by us: the shim writes its files there. */
  stateDir: string;
  /** The project's events.jsonl: the shim appends start/die (and later health, restart) there. */
  eventsPath?: string;
  /** The healthcheck (native/shim/health.c): `exec` arguments without --pid, and its timing. */
  health?: { execArgs: string[]; intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number; startIntervalMs: number };
  /** Restart the process when it exits (native/shim/restart.c); absent: never. */
  restart?: { policy: 'always' | 'on-failure' | 'unless-stopped'; maxRetries?: number; delayMs?: number; onUnhealthy?: true };
  /** /run/netns/… file to join; absent: the caller's netns (network_mode: host). */
  netnsPath?: string;
  /** New namespaces for the container (today the CLI passes mount, uts, ipc). */
  namespaces: ContainerNamespace[];
  hostname?: string;
  domainname?: string;
  /** Read-only bind mounts (needs the mount namespace). Sources must not contain ':'. */
  binds: Array<{ source: string; target: string }>;
  /** The container's exact environment (its PATH is also the one the command is searched in). */
  env: Record<string, string>;
  cwd?: string;
  user?: { uid: number; gid: number };
  /** Supplementary groups (`group_add`); absent: none. */
  groups?: number[];
  /** Namespaces joined from running processes (`pid: service:`, `ipc: service:`) instead of new ones. */
  join?: Array<{ namespace: 'pid' | 'ipc'; pid: number }>;
  /** net.* keys are applied in the container's netns (needs netnsPath), the IPC ones (kernel.*, fs.mqueue.*) in its new ipc namespace. */
  sysctls: Record<string, string>;
  /** Empty: the built-in pause (holds the namespaces until SIGTERM). */
  argv: string[];
  /** Full isolation (needs the mount namespace): the root filesystem and its mounts. */
  rootfs?: ShimRootfs;
  /** The capability set, as a mask ("0x…"; see linux/capabilities.ts); absent: unchanged (all). */
  caps?: string;
  noNewPrivs?: boolean;
  /** The seccomp filter (plan/seccomp.ts), loaded before the capabilities are dropped. */
  seccomp?: LaunchSeccomp;
  /** AppArmor profile and SELinux process label of the command; SELinux label of the filesystems the shim makes (native/shim/lsm.c). */
  apparmor?: string;
  execLabel?: string;
  mountLabel?: string;
  /** The built-in init is PID 1 and runs argv. */
  init?: boolean;
  /** stdin a pipe the shim keeps open (compose stdin_open). */
  stdinOpen?: boolean;
  /** A pseudo-terminal of the shim's for stdin, stdout and stderr (compose tty). */
  tty?: boolean;
  /** compose `logging` (native/shim/log_sink.c): none keeps no container.log; maxSize (bytes) rotates it, keeping maxFiles files. */
  log?: { none?: boolean; maxSize?: number; maxFiles?: number };
  /** cgroup directories (one per hierarchy) the container is in before it runs. */
  cgroups?: string[];
  /** rlimits by name (`nofile`); -1 is unlimited. */
  rlimits?: Record<string, { soft: number; hard: number }>;
  oomScoreAdj?: number;
}

/** `--cgroup`, `--rlimit`, `--oom-score-adj`: the same for `run` and `exec`. */
function limitArgs(c: Pick<ContainerLaunch, 'cgroups' | 'rlimits' | 'oomScoreAdj'>): string[] {
  const args: string[] = [];
  for (const dir of c.cgroups ?? []) args.push('--cgroup', dir);
  const show = (n: number) => (n === -1 ? 'unlimited' : String(n));
  for (const [name, l] of Object.entries(c.rlimits ?? {})) args.push('--rlimit', `${name}=${show(l.soft)}:${show(l.hard)}`);
  if (c.oomScoreAdj !== undefined) args.push('--oom-score-adj', String(c.oomScoreAdj));
  return args;
}

/** `--rootfs` and what goes with it (native/README.md). */
export interface ShimRootfs {
  /** The overlay's read-only lower layer (the top one). */
  lower: string;
  /** Further lower layers below it, top first (an image's). */
  lowers?: string[];
  /** Where upper/, work/ and merged/ live (the container's state). */
  rw: string;
  readOnly: boolean;
  /** In order; bind sources and targets absolute. */
  mounts: ShimMount[];
  /** Hidden paths (/dev/null over files, an empty read-only tmpfs over directories). */
  masks: string[];
  readOnlyPaths: string[];
  /** Privileged: /sys writable, the host's device nodes in /dev. */
  sysRw?: boolean;
  allDevices?: boolean;
  /** The root overlay without nodev (device_cgroup_rules: the device cgroup is the lock). */
  rootDevNodes?: boolean;
  /** /dev/shm's size in bytes (`shm_size`); absent: 64 MiB. */
  shmSize?: number;
}

export type ShimMount =
  /** subpath: mounted from SOURCE/SUBPATH, resolved beneath SOURCE without symlinks (volume.subpath); populate: an empty SOURCE first gets the image's content at target. */
  | { kind: 'bind'; source: string; target: string; options: string[]; subpath?: string; populate?: boolean }
  | { kind: 'tmpfs'; target: string; options: string[] };

/**
 * One result per container, in input order. On failure, `syscall`, `code`
 * ('ENOENT') and `errno` (positive, as the kernel's: 2) say which step
 * failed; `message` gives the context (e.g. "/usr/bin/nope: No such file or
 * directory").
 */
export type LaunchResult =
  | { name: string; ok: true; shimPid: number; pid: number }
  | { name: string; ok: false; syscall: string; code: string; errno: number; message: string };

/** The `tsc-shim run` argv (the words after `run`) for one container. Pure. */
export function shimArgs(c: ContainerLaunch): string[] {
  const args = ['--name', c.name, '--state-dir', c.stateDir];
  if (c.eventsPath !== undefined) args.push('--events', c.eventsPath);
  if (c.netnsPath !== undefined) args.push('--netns', c.netnsPath);
  if (c.namespaces.length > 0) args.push('--ns', c.namespaces.join(','));
  if (c.hostname !== undefined) args.push('--hostname', c.hostname);
  if (c.domainname !== undefined) args.push('--domainname', c.domainname);
  for (const b of c.binds) {
    if (b.source.includes(':')) throw new TypeError(`bind source must not contain ':': ${b.source}`);
    args.push('--bind-ro', `${b.source}:${b.target}`);
  }
  for (const [key, value] of Object.entries(c.env)) {
    if (key === '' || key.includes('=')) throw new TypeError(`invalid environment variable name: ${JSON.stringify(key)}`);
    args.push('--env', `${key}=${value}`);
  }
  if (c.cwd !== undefined) args.push('--cwd', c.cwd);
  if (c.user) args.push('--user', `${c.user.uid}:${c.user.gid}`);
  if (c.groups?.length) args.push('--groups', c.groups.join(','));
  for (const j of c.join ?? []) args.push('--join-ns', `${j.namespace}=${j.pid}`);
  for (const [key, value] of Object.entries(c.sysctls)) args.push(key.startsWith('net.') ? '--sysctl' : '--ipc-sysctl', `${key}=${value}`);
  args.push(...limitArgs(c));
  if (c.rootfs) args.push(...rootfsArgs(c.rootfs));
  if (c.caps !== undefined) args.push('--caps', c.caps);
  if (c.noNewPrivs) args.push('--no-new-privs');
  if (c.seccomp) args.push(...seccompArgs(c.seccomp));
  args.push(...lsmArgs(c));
  if (c.mountLabel !== undefined) args.push('--mount-label', c.mountLabel);
  if (c.init) args.push('--init');
  if (c.stdinOpen) args.push('--stdin-open');
  if (c.tty) args.push('--tty');
  if (c.log?.none) args.push('--log-none');
  if (c.log?.maxSize !== undefined) args.push('--log-max-size', String(c.log.maxSize));
  if (c.log?.maxFiles !== undefined) args.push('--log-max-files', String(c.log.maxFiles));
  if (c.health) {
    const h = c.health;
    for (const a of h.execArgs) args.push('--health-arg', a);
    args.push('--health-timing', [h.intervalMs, h.timeoutMs, h.retries, h.startPeriodMs, h.startIntervalMs].join(','));
    if (c.restart?.onUnhealthy) args.push('--health-on-unhealthy', 'kill');
  }
  if (c.restart) {
    args.push('--restart', c.restart.maxRetries ? `${c.restart.policy}:${c.restart.maxRetries}` : c.restart.policy);
    if (c.restart.delayMs !== undefined) args.push('--restart-delay', String(c.restart.delayMs));
  }
  args.push('--', ...c.argv);
  return args;
}

/** `--apparmor PROFILE`, `--exec-label LABEL` (native/shim/lsm.c): the same for `run` and `exec`. */
function lsmArgs(c: { apparmor?: string; execLabel?: string }): string[] {
  return [...(c.apparmor !== undefined ? ['--apparmor', c.apparmor] : []), ...(c.execLabel !== undefined ? ['--exec-label', c.execLabel] : [])];
}

/** `--seccomp-default ACTION` and `--seccomp-rule ACTION NAMES ARGS` (native/shim/seccomp.c). */
function seccompArgs(s: LaunchSeccomp): string[] {
  const args = ['--seccomp-default', s.defaultAction];
  for (const r of s.rules) {
    if (!r.names.length) continue;
    const tests = (r.args ?? []).map((a) => [a.index, a.op, a.value, ...(a.valueTwo !== undefined ? [a.valueTwo] : [])].join(':'));
    args.push('--seccomp-rule', r.action, r.names.join(','), tests.length ? tests.join(',') : '-');
  }
  return args;
}

function rootfsArgs(r: ShimRootfs): string[] {
  const args = ['--rootfs', r.lower, '--rootfs-rw', r.rw];
  for (const l of r.lowers ?? []) args.push('--lower', l);
  if (r.readOnly) args.push('--read-only');
  for (const m of r.mounts) {
    const opts = m.options.length ? m.options.join(',') : 'rw';
    if (m.kind === 'bind') {
      args.push('--bind', m.source, m.target, opts);
      if (m.subpath !== undefined) args.push('--subpath', m.subpath);
      if (m.populate) args.push('--populate');
    } else args.push('--tmpfs', m.target, opts);
  }
  for (const p of r.masks) args.push('--mask', p);
  for (const p of r.readOnlyPaths) args.push('--ro-path', p);
  if (r.sysRw) args.push('--sys-rw');
  if (r.allDevices) args.push('--all-devices');
  if (r.rootDevNodes) args.push('--root-dev');
  if (r.shmSize !== undefined) args.push('--shm-size', String(r.shmSize));
  return args;
}

/**
 * The stdin of `tsc-shim launch`: every record's words NUL-terminated, each
 * record ended by an empty word. Words can therefore hold neither NUL nor be
 * empty (an empty word would end the record): both throw.
 */
export function encodeRecords(records: string[][]): Buffer {
  const parts: string[] = [];
  records.forEach((words, i) => {
    for (const w of words) {
      if (w === '') throw new TypeError(`record ${i}: empty words cannot be passed to tsc-shim launch`);
      if (w.includes('\0')) throw new TypeError(`record ${i}: NUL byte in ${JSON.stringify(w)}`);
      parts.push(w, '\0');
    }
    parts.push('\0');
  });
  return Buffer.from(parts.join(''), 'utf8');
}

/** One report line without its index: "ok SHIM PID" or "err SYSCALL CODE ERRNO MESSAGE". */
export function parseResultLine(name: string, line: string): LaunchResult {
  const ok = /^ok (\d+) (\d+)$/.exec(line);
  if (ok) return { name, ok: true, shimPid: Number(ok[1]), pid: Number(ok[2]) };
  const err = /^err (\S+) (\S+) (\d+) ?(.*)$/.exec(line);
  if (err) return { name, ok: false, syscall: err[1]!, code: err[2]!, errno: Number(err[3]), message: err[4]! };
  return { name, ok: false, syscall: 'launch', code: 'EPROTO', errno: 71, message: `unexpected report: ${line}` };
}

/** The stdout of `tsc-shim launch` ("<i> ok …" lines, any order) as results in input order. */
export function parseLaunchOutput(stdout: string, names: string[]): LaunchResult[] {
  const results: Array<LaunchResult | undefined> = names.map(() => undefined);
  for (const line of stdout.split('\n')) {
    const m = /^(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const i = Number(m[1]);
    if (i < names.length && results[i] === undefined) results[i] = parseResultLine(names[i]!, m[2]!);
  }
  return results.map(
    (r, i) =>
      r ?? { name: names[i]!, ok: false, syscall: 'launch', code: 'EIO', errno: 5, message: 'no report from tsc-shim launch' },
  );
}

function shimExecutable(): string {
  const shim = native.shimPath;
  if (!fs.existsSync(shim)) throw new Error(`${NOT_BUILT} (missing ${shim})`);
  return shim;
}

/**
 * One `tsc-shim launch` process for many containers, started one by one:
 * `start` writes the container's record to the launcher's stdin at once
 * (the launcher starts each record as soon as it has read it) and resolves
 * with that container's result. `close` ends stdin and waits for the
 * launcher to exit. Spawned on the first `start`.
 */
export class Launcher {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<number, { name: string; resolve: (r: LaunchResult) => void; reject: (e: Error) => void }>();
  private next = 0;
  private buffered = '';
  private stderr = '';
  private failure: Error | undefined;
  private exited: Promise<void> | undefined;
  private closed = false;

  /** `command`: what to spawn instead of `tsc-shim launch` (tests run it inside a throwaway host). */
  constructor(private readonly opts: { command?: string[] } = {}) {}

  start(c: ContainerLaunch): Promise<LaunchResult> {
    let record: Buffer;
    try {
      record = encodeRecords([shimArgs(c)]);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('Launcher.start after close'));
    let child: ChildProcessWithoutNullStreams;
    try {
      child = this.spawned();
    } catch (err) {
      return Promise.reject(err);
    }
    const index = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(index, { name: c.name, resolve, reject });
      child.stdin.write(record);
    });
  }

  /** Spawn the launcher now, so its start-up overlaps whatever comes before the first container. */
  warm(): void {
    if (!this.closed && !this.failure) this.spawned();
  }

  /** No more containers: wait for the launcher to relay the last reports and exit. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.child) return;
    this.child.stdin.end();
    await this.exited;
  }

  private spawned(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const [cmd, ...args] = this.opts.command ?? [shimExecutable(), 'launch'];
    const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.setEncoding('utf8').on('data', (d: string) => this.onOutput(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    child.stdin.on('error', () => {
      /* the launcher died early: reported on exit */
    });
    this.exited = new Promise((resolve) => {
      child.on('error', (err) => {
        this.fail(err);
        resolve();
      });
      child.on('close', (code, signal) => {
        if (code !== 0 && code !== 1) {
          const why = this.stderr.trim();
          this.fail(new Error(`tsc-shim launch ${signal ?? `exited ${code}`}${why ? `: ${why}` : ''}`));
        }
        // Anything still pending got no report at all.
        for (const [i, p] of this.pending) {
          this.pending.delete(i);
          p.resolve({ name: p.name, ok: false, syscall: 'launch', code: 'EIO', errno: 5, message: 'no report from tsc-shim launch' });
        }
        resolve();
      });
    });
    return child;
  }

  private fail(err: Error): void {
    this.failure = err;
    for (const [i, p] of this.pending) {
      this.pending.delete(i);
      p.reject(err);
    }
  }

  private onOutput(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const m = /^(\d+) (.*)$/.exec(line);
      const p = m ? this.pending.get(Number(m[1])) : undefined;
      if (!m || !p) continue;
      this.pending.delete(Number(m[1]));
      p.resolve(parseResultLine(p.name, m[2]!));
    }
  }
}

/**
 * Start every container of `list` concurrently with one `tsc-shim launch`.
 * Resolves once every container's command was exec'd (or failed); rejects
 * only if the launcher itself could not run.
 */
export async function launchContainers(list: ContainerLaunch[]): Promise<LaunchResult[]> {
  if (list.length === 0) return [];
  encodeRecords(list.map(shimArgs)); // refuse bad input before starting anything
  const launcher = new Launcher();
  const results = Promise.all(list.map((c) => launcher.start(c)));
  results.catch(() => undefined);
  await launcher.close();
  return results;
}

/**
 * Arguments for `spawn(native.shimPath, execArgs(…), {stdio: 'inherit'})`:
 * `tsc-shim exec` joins the namespaces of `pid` listed in `namespaces`
 * ('net', 'mount', 'uts', 'ipc', 'pid', 'cgroup'), runs argv with exactly
 * `env`, and exits with its status (127 not found, 126 not executable, 125
 * when joining failed).
 */
export function execArgs(opts: {
  /** Absent: the shim's healthcheck adds `--pid` of the container's current process. */
  pid?: number;
  namespaces: string[];
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  user?: { uid: number; gid: number };
  groups?: number[];
  tty?: boolean;
  /** The container's cgroups (the command joins them), rlimits and oom_score_adj. */
  cgroups?: string[];
  rlimits?: Record<string, { soft: number; hard: number }>;
  oomScoreAdj?: number;
  /** The container's capability set ("0x…"); absent: unchanged. */
  caps?: string;
  noNewPrivs?: boolean;
  seccomp?: LaunchSeccomp;
  /** The container's AppArmor profile and SELinux process label. */
  apparmor?: string;
  execLabel?: string;
}): string[] {
  const args = opts.pid === undefined ? ['exec'] : ['exec', '--pid', String(opts.pid)];
  if (opts.namespaces.length > 0) args.push('--ns', opts.namespaces.join(','));
  if (opts.cwd !== undefined) args.push('--cwd', opts.cwd);
  if (opts.user) args.push('--user', `${opts.user.uid}:${opts.user.gid}`);
  if (opts.groups?.length) args.push('--groups', opts.groups.join(','));
  for (const [key, value] of Object.entries(opts.env)) {
    if (key === '' || key.includes('=')) throw new TypeError(`invalid environment variable name: ${JSON.stringify(key)}`);
    args.push('--env', `${key}=${value}`);
  }
  if (opts.tty) args.push('--tty');
  args.push(...limitArgs(opts));
  if (opts.caps !== undefined) args.push('--caps', opts.caps);
  if (opts.noNewPrivs) args.push('--no-new-privs');
  if (opts.seccomp) args.push(...seccompArgs(opts.seccomp));
  args.push(...lsmArgs(opts));
  args.push('--', ...opts.argv);
  return args;
}
