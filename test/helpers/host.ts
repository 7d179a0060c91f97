/**
 * A throwaway "host" for privileged tests: new net, mount and pid namespaces
 * held by a bash that reaps orphans (PID 1 there), with tmpfs over
 * /run/tscompose, /var/lib/tscompose (named volumes) and /run/netns so
 * nothing a test makes is visible on the real machine. Everything started inside dies when the holder is killed.
 *
 * Equivalent to:
 *   unshare --net --mount --pid --fork --mount-proc --propagation private \
 *     bash -c 'mount -t tmpfs ... /run/tscompose; ...; while :; do sleep 3600; done'
 * and every command run through `nsenter -t PID -n -m -p`.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const cliPath = path.join(repoRoot, 'bin', 'tscompose');

export interface RunResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Run a program to completion, collecting its output (never throws on non-zero exit). */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    };
    const child = spawn(argv[0]!, argv.slice(1), spawnOpts);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, stdout, stderr });
    });
    // The program may exit before reading its stdin: EPIPE is not a test failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

export class Host {
  /** Unique per host: use it in names so parallel tests never collide. */
  readonly tag: string;
  private constructor(
    readonly pid: number,
    readonly dir: string,
    private readonly holder: ReturnType<typeof spawn>,
  ) {
    this.tag = `tsc${pid.toString(36)}`;
  }

  static async start(): Promise<Host> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-test-'));
    const script = [
      'set -e',
      'mount -t tmpfs -o mode=0755 tmpfs /run/netns 2>/dev/null || { mkdir -p /run/netns && mount -t tmpfs -o mode=0755 tmpfs /run/netns; }',
      'mkdir -p /run/tscompose && mount -t tmpfs -o mode=0700 tmpfs /run/tscompose',
      'mkdir -p /var/lib/tscompose && mount -t tmpfs -o mode=0700 tmpfs /var/lib/tscompose',
      'ip link set lo up',
      'echo ready',
      'while :; do sleep 3600; done',
    ].join('\n');
    const holder = spawn(
      'unshare',
      ['--net', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'bash', '-c', script],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const ready = await new Promise<void>((resolve, reject) => {
      let err = '';
      holder.stderr!.on('data', (d) => (err += d));
      holder.stdout!.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`host holder exited ${code}: ${err}`)));
    });
    void ready;
    // The holder's PID 1 is bash, a child of unshare: find it.
    const pid = findChild(holder.pid!);
    return new Host(pid, dir, holder);
  }

  /** argv prefix that runs a program inside this host (in `cwd`, since entering the mount namespace resets it). */
  enter(cwd?: string): string[] {
    return ['nsenter', '-t', String(this.pid), '-n', '-m', '-p', ...(cwd ? [`--wd=${cwd}`] : []), '--'];
  }

  run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    return run([...this.enter(opts.cwd), ...argv], opts);
  }

  sh(script: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.run(['bash', '-c', script], opts);
  }

  /** Run the tscompose CLI inside this host. */
  tscompose(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.run([process.execPath, cliPath, ...args], opts);
  }

  /** `ip -j ARGS` inside the host, parsed. */
  async ipJson(args: string[]): Promise<any> {
    const r = await this.run(['ip', '-j', ...args]);
    if (r.code !== 0) throw new Error(`ip -j ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
  }

  /** Kill the holder (and with it every process of the host's pid namespace). */
  async stop(): Promise<void> {
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    this.holder.kill('SIGKILL');
    await new Promise((r) => (this.holder.exitCode !== null ? r(null) : this.holder.once('exit', r)));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function findChild(parent: number): number {
  for (let i = 0; i < 200; i++) {
    const r = spawnSync('cat', [`/proc/${parent}/task/${parent}/children`], { encoding: 'utf8' });
    const kids = r.stdout.trim().split(/\s+/).filter(Boolean);
    if (kids.length) return Number(kids[0]);
  }
  throw new Error(`no child of ${parent}`);
}

/**
 * Run `fn` in a fresh throwaway host (privileged tests need root: without it
 * they fail, they never pass silently). The host is always stopped.
 */
export async function withHost(t: ExecutionContext, fn: (host: Host) => Promise<void>): Promise<void> {
  if (!isRoot()) {
    t.fail('privileged test: run as root');
    return;
  }
  const host = await Host.start();
  try {
    await fn(host);
  } finally {
    await host.stop();
  }
}
