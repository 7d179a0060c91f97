/**
 * Container logs as the shim writes them (CRI format, one record a line:
 * `<RFC3339Nano> stdout|stderr F|P <text>`): reading, tailing and following.
 * Partial records (P) are joined with the record that completes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

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

/** The files rotation left (`logging.options.max-file`): FILE.N … FILE.1, oldest first. */
export function rotatedLogs(file: string): string[] {
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return [];
  }
  return names
    .map((n) => (n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)) ? Number(n.slice(base.length + 1)) : 0))
    .filter((n) => n > 0)
    .sort((a, b) => b - a)
    .map((n) => `${file}.${n}`);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e?.code === 'ENOENT') return '';
    throw e;
  }
}

/** The whole log, rotated files first (or its last `tail` lines); an absent log is empty. */
export function readLog(file: string, tail?: number): { lines: LogLine[]; offset: number } {
  const older = rotatedLogs(file).map(readText).join('');
  const text = readText(file);
  // Only whole records: a record being written has no newline yet.
  const end = text.lastIndexOf('\n') + 1;
  const lines = parseRecords(older + text.slice(0, end));
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
  const inodes = new Map<string, number>();
  while (!stop()) {
    for (const f of files) {
      const got = readNew(f, inodes);
      if (got === undefined) continue;
      const text = (carry.get(f.key) ?? '') + got;
      const end = text.lastIndexOf('\n') + 1;
      carry.set(f.key, text.slice(end));
      const lines = parseRecords(text.slice(0, end), pending.get(f.key)!);
      if (lines.length) onLines(f.key, lines);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function readFrom(file: string, offset: number, size: number): string {
  if (size <= offset) return '';
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    const n = fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * What `f.file` gained since `f.offset` (undefined: nothing). When the shim
 * rotated it (a new inode), the rest of the old file, now FILE.1, comes
 * first; a file truncated in place (one file kept) is read from its start.
 */
function readNew(f: { key: string; file: string; offset: number }, inodes: Map<string, number>): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(f.file);
  } catch {
    return undefined;
  }
  let before = '';
  const known = inodes.get(f.key);
  inodes.set(f.key, st.ino);
  if (known !== undefined && known !== st.ino) {
    const old = fs.statSync(`${f.file}.1`, { throwIfNoEntry: false });
    if (old && old.ino === known) before = readFrom(`${f.file}.1`, f.offset, old.size);
    f.offset = 0;
  } else if (st.size < f.offset) f.offset = 0; // truncated
  if (st.size === f.offset && !before) return undefined;
  const text = before + readFrom(f.file, f.offset, st.size);
  f.offset = Math.max(f.offset, st.size);
  return text;
}
