/**
 * The directory where every project publishes its DNS configuration
 * (`/run/tscompose/.dns/`, 0755 under the 0700 state root): the server
 * opens it while still root and, once nobody, reads it through
 * `/proc/self/fd/N` (the magic link reaches the directory without
 * searching its closed parents; a process may always use its own fds).
 * An inotify watch on it reloads the records when a file there is
 * replaced or removed (another project's `up`, `down`, `rm`).
 */
import * as fs from 'node:fs';

/** A path to `dir` that stays usable after the privilege drop; undefined when it cannot be opened. */
// Equivalent to: exec {fd}</run/tscompose/.dns; ls /proc/self/fd/$fd
export function openPeers(dir: string, log: (line: string) => void): string | undefined {
  try {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    return `/proc/self/fd/${fd}`;
  } catch (e: any) {
    log(`peers ${dir}: ${e.message} (names of other projects not served)`);
    return undefined;
  }
}

/** Call `changed` once per burst of changes in `dir` (an atomic replace is several events). */
// Equivalent to: inotifywait -m -e moved_to,delete,close_write /run/tscompose/.dns
export function watchPeers(dir: string, log: (line: string) => void, changed: () => void): void {
  let timer: NodeJS.Timeout | undefined;
  try {
    const w = fs.watch(dir, { persistent: false }, () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        changed();
      }, 20);
    });
    w.on('error', (e) => log(`peers watch: ${e.message}`));
  } catch (e: any) {
    log(`peers watch ${dir}: ${e.message}`);
  }
}
