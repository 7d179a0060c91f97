/**
 * Advisory file locks (flock) without blocking the event loop: try with
 * LOCK_NB and wait a little between tries, so that two pulls of images
 * sharing a layer unpack it once (the second waits, then finds it done).
 *
 * Equivalent to: flock -x FILE -c '…'
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { native } from '../../sys/native';

/** Run `fn` holding an exclusive (or, with `shared`, a shared) lock on `file`. */
export async function withLock<T>(file: string, fn: () => Promise<T>, shared = false): Promise<T> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Node opens with O_CLOEXEC: the lock never leaks into children.
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    const { LOCK_EX, LOCK_SH, LOCK_NB } = native.constants;
    for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
      try {
        native.flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB);
        break;
      } catch (e: any) {
        if (e?.code !== 'EAGAIN') throw e;
        await sleep(wait);
      }
    }
    return await fn();
  } finally {
    fs.closeSync(fd); // closing releases the lock
  }
}
