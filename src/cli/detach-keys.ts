/**
 * Detach keys, as Docker spells them (`--detach-keys`, default
 * `ctrl-p,ctrl-q`): a comma list of single characters and `ctrl-X` (X a
 * letter or one of `@[\]^_`). `DetachScanner` watches the input bytes: a
 * prefix of the sequence is held back until it is either completed (detach)
 * or broken (the held bytes go through).
 */
import { UsageError } from '../errors';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

export function parseDetachKeys(text: string): number[] {
  const out: number[] = [];
  for (const key of text.split(',')) {
    const k = key.trim().toLowerCase();
    const ctrl = /^ctrl-([a-z@[\\\]^_])$/.exec(k);
    if (ctrl) out.push(ctrl[1]!.toUpperCase().charCodeAt(0) & 0x1f);
    else if (key.length === 1) out.push(key.charCodeAt(0));
    else throw new UsageError(`--detach-keys: "${key}" is not a key (a character, or ctrl-X with X a letter or one of @[\\]^_), e.g. ctrl-p,ctrl-q`);
  }
  if (!out.length) throw new UsageError('--detach-keys: no keys');
  return out;
}

export class DetachScanner {
  private held = 0;
  constructor(private readonly keys: number[]) {}

  /** The bytes to pass on, and whether the sequence was completed (what follows it is dropped). */
  feed(chunk: Buffer): { pass: Buffer; detach: boolean } {
    const pass: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) return { pass: Buffer.from(pass), detach: true };
        continue;
      }
      // Broken: the held prefix goes through, and this byte may start the sequence again.
      pass.push(...this.keys.slice(0, this.held));
      this.held = 0;
      if (b === this.keys[0]) this.held = 1;
      else pass.push(b);
    }
    return { pass: Buffer.from(pass), detach: false };
  }
}
