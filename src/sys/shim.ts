/**
 * The boundary to the container shim (native/shim, `tsc-shim`): everything
 * else starts, inspects and enters containers through this module.
 *
 * - `launchContainers` starts a whole wave with ONE `tsc-shim launch` spawn:
 *   each container gets its own daemonized shim that stays its parent.
 * - The shim leaves its state in the container's state dir: `shim.pid` and
 *   `init.pid` ("<pid> <starttime>"), `exit.json` once the container exited,
 *   `container.log` (CRI format). `readProcessRef`, `isAlive` and `readExit`
 *   read them.
 * - `execArgs` builds the argv of `tsc-shim exec` (run with inherited stdio).
 *
 * The wire formats (argv records on stdin, one result line per record) are
 * documented in native/README.md.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, NOT_BUILT } from './native';

export type ContainerNamespace = 'mount' | 'uts' | 'ipc' | 'pid' | 'cgroup';

export interface ContainerLaunch {
  /** For messages (and to name results). */
  name: string;
  /** Absolute, existing, mode 0700, owned by us: the shim writes its files there. */
  stateDir: string;
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
  /** net.* keys only, applied in the container's netns (needs netnsPath). */
  sysctls: Record<string, string>;
  /** Empty: the built-in pause (holds the namespaces until SIGTERM). */
  argv: string[];
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
  for (const [key, value] of Object.entries(c.sysctls)) args.push('--sysctl', `${key}=${value}`);
  args.push(...limitArgs(c));
  args.push('--', ...c.argv);
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
 * Start every container of `list` concurrently with one `tsc-shim launch`.
 * Resolves once every container's command was exec'd (or failed); rejects
 * only if the launcher itself could not run.
 */
export function launchContainers(list: ContainerLaunch[]): Promise<LaunchResult[]> {
  if (list.length === 0) return Promise.resolve([]);
  let input: Buffer;
  let shim: string;
  try {
    input = encodeRecords(list.map(shimArgs));
    shim = shimExecutable();
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(shim, ['launch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code !== 0 && code !== 1) {
        const why = Buffer.concat(err).toString('utf8').trim();
        reject(new Error(`tsc-shim launch ${signal ?? `exited ${code}`}${why ? `: ${why}` : ''}`));
        return;
      }
      resolve(parseLaunchOutput(stdout, list.map((c) => c.name)));
    });
    child.stdin.on('error', () => {
      /* the launcher died early: reported by 'close' */
    });
    child.stdin.end(input);
  });
}

/** A process identified beyond its pid: starttime is field 22 of /proc/PID/stat. */
export interface ProcessRef {
  pid: number;
  starttime: number;
}

/** Parses shim.pid / init.pid ("<pid> <starttime>\n"); undefined if missing or malformed. */
export function readProcessRef(file: string): ProcessRef | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const m = /^(\d+) (\d+)\n?$/.exec(text);
  return m ? { pid: Number(m[1]), starttime: Number(m[2]) } : undefined;
}

/** State (field 3) and starttime (field 22) from the text of /proc/PID/stat. */
export function parseProcStat(text: string): { state: string; starttime: number } | undefined {
  // The command name (field 2) may contain spaces and ')': fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const starttime = Number(fields[19]);
  if (!state || !Number.isInteger(starttime)) return undefined;
  return { state, starttime };
}

/** The process still exists, is the same one (same starttime) and is not a zombie. */
export function isAlive(ref: ProcessRef): boolean {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${ref.pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const stat = parseProcStat(text);
  return !!stat && stat.starttime === ref.starttime && stat.state !== 'Z' && stat.state !== 'X';
}

export interface ExitInfo {
  /** The exit code, or 128 + signal number (as Docker reports it). */
  exitCode: number;
  /** "SIGTERM" when killed by a signal, else null. */
  signal: string | null;
  /** RFC 3339 UTC with milliseconds. */
  finishedAt: string;
}

/** exit.json of a container whose process has exited; undefined while it runs. */
export function readExit(stateDir: string): ExitInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(stateDir, 'exit.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const v = JSON.parse(text) as Partial<ExitInfo>;
  if (
    typeof v.exitCode !== 'number' ||
    !(v.signal === null || typeof v.signal === 'string') ||
    typeof v.finishedAt !== 'string'
  ) {
    throw new Error(`malformed ${path.join(stateDir, 'exit.json')}: ${text.trim()}`);
  }
  return { exitCode: v.exitCode, signal: v.signal, finishedAt: v.finishedAt };
}

/**
 * Arguments for `spawn(native.shimPath, execArgs(…), {stdio: 'inherit'})`:
 * `tsc-shim exec` joins the namespaces of `pid` listed in `namespaces`
 * ('net', 'mount', 'uts', 'ipc', 'pid', 'cgroup'), runs argv with exactly
 * `env`, and exits with its status (127 not found, 126 not executable, 125
 * when joining failed).
 */
export function execArgs(opts: {
  pid: number;
  namespaces: string[];
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  user?: { uid: number; gid: number };
  tty?: boolean;
  /** The container's cgroups (the command joins them), rlimits and oom_score_adj. */
  cgroups?: string[];
  rlimits?: Record<string, { soft: number; hard: number }>;
  oomScoreAdj?: number;
}): string[] {
  const args = ['exec', '--pid', String(opts.pid)];
  if (opts.namespaces.length > 0) args.push('--ns', opts.namespaces.join(','));
  if (opts.cwd !== undefined) args.push('--cwd', opts.cwd);
  if (opts.user) args.push('--user', `${opts.user.uid}:${opts.user.gid}`);
  for (const [key, value] of Object.entries(opts.env)) {
    if (key === '' || key.includes('=')) throw new TypeError(`invalid environment variable name: ${JSON.stringify(key)}`);
    args.push('--env', `${key}=${value}`);
  }
  if (opts.tty) args.push('--tty');
  args.push(...limitArgs(opts));
  args.push('--', ...opts.argv);
  return args;
}
