/**
 * Container logs as the shim writes them (CRI format, one record a line:
 * `<RFC3339Nano> stdout|stderr F|P <text>`): reading, tailing and following.
 * Partial records (P) are joined with the record that completes them.
 */
import * as fs from 'node:fs';

export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Parse records into lines, joining P records; `pending` carries an unfinished line between calls. */
export function parseRecords(text: string, pending: Map<string, string> = new Map()): LogLine[] {
  const out: LogLine[] = [];
  for (const record of text.split('\n')) {
    if (!record) continue;
    const a = record.indexOf(' ');
    const b = record.indexOf(' ', a + 1);
    const c = record.indexOf(' ', b + 1);
    if (a < 0 || b < 0 || c < 0) continue;
    const time = record.slice(0, a);
    const stream = record.slice(a + 1, b);
    const tag = record.slice(b + 1, c);
    if (stream !== 'stdout' && stream !== 'stderr') continue;
    const body = (pending.get(stream) ?? '') + record.slice(c + 1);
    if (tag === 'P') {
      pending.set(stream, body);
      continue;
    }
    pending.delete(stream);
    out.push({ time, stream, text: body });
  }
  return out;
}

/** The whole log (or its last `tail` lines); an absent log is empty. */
export function readLog(file: string, tail?: number): { lines: LogLine[]; offset: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e?.code === 'ENOENT') return { lines: [], offset: 0 };
    throw e;
  }
  // Only whole records: a record being written has no newline yet.
  const end = text.lastIndexOf('\n') + 1;
  const lines = parseRecords(text.slice(0, end));
  return { lines: tail === undefined ? lines : lines.slice(Math.max(0, lines.length - tail)), offset: Buffer.byteLength(text.slice(0, end)) };
}

/**
 * Follow several logs from the given offsets, calling `onLines` with what
 * each one gains, until `stop()` returns true. Polls: logs live on tmpfs and
 * inotify would not see a container's log being created again after `up`.
 */
export async function followLogs(
  files: Array<{ key: string; file: string; offset: number }>,
  onLines: (key: string, lines: LogLine[]) => void,
  stop: () => boolean,
  intervalMs = 100,
): Promise<void> {
  const pending = new Map(files.map((f) => [f.key, new Map<string, string>()]));
  const carry = new Map<string, string>();
  while (!stop()) {
    for (const f of files) {
      let size: number;
      try {
        size = fs.statSync(f.file).size;
      } catch {
        continue;
      }
      if (size < f.offset) f.offset = 0; // truncated or replaced
      if (size === f.offset) continue;
      const fd = fs.openSync(f.file, 'r');
      try {
        const buf = Buffer.alloc(size - f.offset);
        const n = fs.readSync(fd, buf, 0, buf.length, f.offset);
        f.offset += n;
        const text = (carry.get(f.key) ?? '') + buf.subarray(0, n).toString('utf8');
        const end = text.lastIndexOf('\n') + 1;
        carry.set(f.key, text.slice(end));
        const lines = parseRecords(text.slice(0, end), pending.get(f.key)!);
        if (lines.length) onLines(f.key, lines);
      } finally {
        fs.closeSync(fd);
      }
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
