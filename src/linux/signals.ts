/**
 * Signal names and numbers (Linux), for `stop_signal` and `kill -s`:
 * `SIGTERM`, `TERM`, `term` and `15` all mean SIGTERM. Pure data
 * (asm-generic/signal.h, as on x86 and arm64).
 */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17,
  SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

/** The canonical name (`SIGTERM`) of a signal written as a name or a number; undefined if unknown. */
export function canonicalSignal(text: string): string | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Object.keys(SIGNALS).find((k) => SIGNALS[k] === Number(t));
  const upper = t.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(SIGNALS, name) ? name : undefined;
}
