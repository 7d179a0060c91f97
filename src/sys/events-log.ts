/**
 * The project's event log (/run/tscompose/PROJECT/events.jsonl, one JSON
 * object per line, appended by the shims — start, die, restart,
 * health_status: native/shim/events.h — and by the CLI's apply steps —
 * create, stop, kill, destroy), read from an offset and then as it grows. `down` removes it with the project: a
 * follower waits for it to appear again, from its start.
 */
import * as fs from 'node:fs';

export interface ContainerEvent {
  time: string;
  type: string;
  container: string;
  [attr: string]: unknown;
}

/** Complete lines from `offset` on; the new offset (after the last newline). */
export function readEvents(file: string, offset: number): { events: ContainerEvent[]; offset: number } {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e: any) {
    if (e?.code === 'ENOENT') return { events: [], offset: 0 };
    throw e;
  }
  if (data.length < offset) offset = 0; // removed by down and written anew
  const end = data.lastIndexOf(0x0a) + 1;
  if (end <= offset) return { events: [], offset };
  const events = data
    .subarray(offset, end)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ContainerEvent);
  return { events, offset: end };
}

/** Calls `onEvent` for each event written from `offset` on, every `intervalMs`, until `stop()`. */
export async function followEvents(
  file: string,
  offset: number,
  onEvent: (e: ContainerEvent) => void,
  stop: () => boolean,
  intervalMs = 100,
): Promise<void> {
  while (!stop()) {
    const r = readEvents(file, offset);
    offset = r.offset;
    for (const e of r.events) onEvent(e);
    await new Promise((res) => setTimeout(res, intervalMs));
  }
}

/**
 * Append one event, as the shims do: a single O_APPEND write of a whole
 * line, so concurrent writers never interleave. Best effort: a log that
 * cannot be written never fails the operation it describes.
 */
export function appendEvent(file: string, container: string, type: string, attrs: Record<string, unknown> = {}): void {
  try {
    fs.appendFileSync(file, JSON.stringify({ time: new Date().toISOString(), type, container, ...attrs }) + '\n', { mode: 0o600 });
  } catch {
    // the project's directory may be gone (down): nothing to record into
  }
}
