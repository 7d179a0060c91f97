/**
 * Whether a stop signal can do anything to a container's init, from its
 * signal dispositions (SigBlk, SigIgn, SigCgt of /proc/PID/status) and
 * whether it is the init of its pid namespace (NSpid ends in 1). The kernel
 * drops a signal sent to a namespace's init that the init neither handles
 * nor blocks (SIGKILL from an ancestor namespace excepted): a `sleep` as
 * PID 1 ignores SIGTERM, and waiting out the grace period for it waits for
 * nothing. Our `init: true` init (like tini) blocks the signals it
 * forwards and takes them with sigwaitinfo: while it waits there, SigBlk no
 * longer shows them (the kernel keeps the mask aside), so a process asleep
 * in sigtimedwait (its wchan) counts as handling every signal.
 */
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';

export interface SignalState {
  /** Bit n-1 set: signal n is blocked / ignored / caught (has a handler). */
  blocked: bigint;
  ignored: bigint;
  caught: bigint;
  /** PID 1 of its innermost pid namespace. */
  namespaceInit: boolean;
  /** Asleep in sigwaitinfo/sigtimedwait: it takes signals synchronously, which ones /proc does not show. */
  waitsForSignals: boolean;
}

/** The signal fields of the text of /proc/PID/status (and its wchan); undefined if they are missing. */
export function parseSignalState(status: string, wchan = ''): SignalState | undefined {
  const field = (name: string) => /^([0-9a-f]+)$/.exec((new RegExp(`^${name}:\\s*(\\S+)$`, 'm').exec(status)?.[1] ?? '').trim())?.[1];
  const [blk, ign, cgt] = ['SigBlk', 'SigIgn', 'SigCgt'].map(field);
  if (blk === undefined || ign === undefined || cgt === undefined) return undefined;
  const nspid = /^NSpid:\s*(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/);
  return {
    blocked: BigInt('0x' + blk),
    ignored: BigInt('0x' + ign),
    caught: BigInt('0x' + cgt),
    namespaceInit: nspid?.at(-1) === '1',
    waitsForSignals: wchan.startsWith('do_sigtimedwait'),
  };
}

const { SIGKILL, SIGSTOP, SIGCHLD, SIGCONT, SIGURG, SIGWINCH } = osConstants.signals;
/** Signals whose default action is to do nothing. */
const DEFAULT_IGNORED = new Set([SIGCHLD, SIGCONT, SIGURG, SIGWINCH]);

/** Why `sig` can have no effect on the process, or undefined when it can (it may stop it). */
export function signalIsNoOp(state: SignalState, sig: number): string | undefined {
  if (sig === SIGKILL || sig === SIGSTOP) return undefined;
  const bit = 1n << BigInt(sig - 1);
  if (state.blocked & bit || state.caught & bit || state.waitsForSignals) return undefined;
  if (state.ignored & bit) return 'it ignores the signal';
  if (state.namespaceInit) return 'it is PID 1 of its pid namespace and has no handler for the signal: the kernel drops it';
  if (DEFAULT_IGNORED.has(sig)) return 'its default action is to do nothing';
  return undefined;
}

/** The signal state of a live process (undefined if it is gone). */
// Equivalent to: grep -E '^(SigBlk|SigIgn|SigCgt|NSpid):' /proc/PID/status; cat /proc/PID/wchan
export function readSignalState(pid: number): SignalState | undefined {
  try {
    // wchan first: a process that leaves sigtimedwait between the reads shows the signals in SigBlk or SigCgt.
    const wchan = fs.readFileSync(`/proc/${pid}/wchan`, 'utf8');
    return parseSignalState(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), wchan);
  } catch {
    return undefined;
  }
}
