/**
 * Signal names and numbers (Linux), for `stop_signal` and `kill -s`:
 * `SIGTERM`, `TERM`, `term` and `15` all mean SIGTERM. Pure data.
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

/** Go's time.ParseDuration syntax ("1m30s", "2.5s", "300ms") in seconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const t = text.trim();
  if (t === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < t.length) {
    re.lastIndex = at;
    const m = re.exec(t);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
    at = re.lastIndex;
  }
  return at === 0 ? undefined : total;
}
