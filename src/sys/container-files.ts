/**
 * What a container's shim leaves in its state dir, and its processes:
 * `shim.pid` and `init.pid` ("<pid> <starttime>"), `exit.json` once the
 * process exited, and the `stopped` mark the CLI writes before it stops a
 * container (restart policies must not undo it). Signals go through a
 * pidfd, to the process we mean and never to one that reused its pid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from './native';

/** In a container's state dir: a user stopped it (stop, down, kill); its restart policy must not start it again. */
export const STOPPED_FILE = 'stopped';

/** Say the user stopped the container in `stateDir`, before signalling it: its shim will not restart it. */
export function markStopped(stateDir: string): void {
  fs.writeFileSync(path.join(stateDir, STOPPED_FILE), '');
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
 * `run`: the one-off's main process is the pause process, its command an
 * exec; once it is stopped, exit.json records the command's code (what
 * `ps -a` and `wait` report, as Docker reports the command's).
 */
export function recordExitCode(stateDir: string, exitCode: number): void {
  const prior = readExit(stateDir);
  const info: ExitInfo = { exitCode, signal: null, finishedAt: prior?.finishedAt ?? new Date().toISOString() };
  fs.writeFileSync(path.join(stateDir, 'exit.json'), JSON.stringify(info) + '\n');
}

/** Signal a process only if it is still the one we started (through a pidfd: never a reused pid). True if it was signalled. */
// Equivalent to: kill -SIG PID   (if PID still has the recorded start time)
export function signalProcess(ref: ProcessRef, sig: number): boolean {
  let fd: number;
  try {
    fd = native.pidfdOpen(ref.pid);
  } catch (e: any) {
    if (e?.code === 'ESRCH') return false;
    throw e;
  }
  try {
    if (!isAlive(ref)) return false;
    native.pidfdSendSignal(fd, sig);
    return true;
  } catch (e: any) {
    if (e?.code !== 'ESRCH') throw e;
    return false;
  } finally {
    fs.closeSync(fd);
  }
}
