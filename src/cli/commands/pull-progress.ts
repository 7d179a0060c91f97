/**
 * How `pull` shows progress: one line per layer as Docker does, redrawn in
 * place with a bar when stderr is a terminal; plain lines (one per layer
 * state change) otherwise; one JSON object per event with --json.
 */
import type { PullEvent } from '../../image/events';
import { familiar, parseReference } from '../../image/reference';

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i ? v.toFixed(v < 10 ? 2 : 1) : v}${units[i]}`;
}

const short = (digest: string) => digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
const display = (image: string) => familiar(parseReference(image));

function bar(bytes: number, total: number, width = 30): string {
  const done = total ? Math.min(width, Math.round((bytes / total) * width)) : 0;
  return `[${'='.repeat(Math.max(0, done - 1))}${done ? '>' : ''}${' '.repeat(width - done)}]`;
}

export interface PullRenderer {
  event(e: PullEvent): void;
  /** Final words: the lines for a finished image (or nothing). */
  close(): void;
}

export function jsonRenderer(out: (t: string) => void): PullRenderer {
  let last = 0;
  return {
    event(e) {
      // Byte progress at most every 100 ms per process: a stream of JSON, not a flood.
      if (e.type === 'layer' && e.phase === 'downloading' && e.bytes && Date.now() - last < 100) return;
      last = Date.now();
      out(JSON.stringify(e) + '\n');
    },
    close() {},
  };
}

export function plainRenderer(err: (t: string) => void, quiet: boolean): PullRenderer {
  const said = new Map<string, string>();
  return {
    event(e) {
      if (quiet) return;
      if (e.type === 'resolve') err(`${display(e.image)}: pulling ${e.layers} layer(s) for ${e.platform} (${short(e.manifestDigest)})\n`);
      if (e.type === 'layer' && said.get(e.digest) !== e.phase) {
        said.set(e.digest, e.phase);
        const what =
          e.phase === 'exists'
            ? 'already exists'
            : e.phase === 'done'
              ? `pull complete (${formatBytes(e.total)})`
              : e.phase === 'resuming'
                ? `resuming after ${formatBytes(e.bytes)} of ${formatBytes(e.total)}`
                : `downloading ${formatBytes(e.total)}`;
        err(`${short(e.digest)}: ${what}\n`);
      }
      if (e.type === 'pulled') err(`${display(e.image)}: ${e.upToDate ? 'image is up to date' : `downloaded ${formatBytes(e.downloaded)}`} (digest ${e.manifestDigest})\n`);
    },
    close() {},
  };
}

/** Layer lines redrawn in place (ANSI cursor-up), one block for all images being pulled. */
export function ttyRenderer(err: (t: string) => void): PullRenderer {
  const lines = new Map<string, string>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    timer = undefined;
    const text = [...lines.values()];
    err((drawn ? `\x1b[${drawn}F` : '') + text.map((l) => `\x1b[2K${l}\n`).join(''));
    drawn = text.length;
  };
  const schedule = () => (timer ??= setTimeout(draw, 80));
  return {
    event(e) {
      if (e.type === 'resolve') lines.set(e.image, `${display(e.image)}: pulling from ${e.platform}`);
      if (e.type === 'layer') {
        const state =
          e.phase === 'downloading'
            ? `Downloading ${bar(e.bytes, e.total)} ${formatBytes(e.bytes)}/${formatBytes(e.total)}`
            : e.phase === 'exists'
              ? 'Already exists'
              : e.phase === 'done'
                ? 'Pull complete'
                : e.phase === 'resuming'
                  ? `Resuming at ${formatBytes(e.bytes)}`
                  : 'Waiting';
        lines.set(`${e.image} ${e.digest}`, `${short(e.digest)}: ${state}`);
      }
      if (e.type === 'pulled') lines.set(e.image, `${display(e.image)}: ${e.upToDate ? 'up to date' : `pulled, ${formatBytes(e.downloaded)}`} (${short(e.manifestDigest)})`);
      schedule();
    },
    close() {
      if (timer) clearTimeout(timer);
      if (lines.size) draw();
    },
  };
}
