/**
 * `logging` of a service: where the container's output goes.
 *
 * - `json-file` (Docker's default) and `local`: our log (the CRI-format
 *   `container.log` the shim writes, what `logs` reads). `options.max-size`
 *   (`10m`, `1g`, bytes) and `options.max-file` rotate it: past max-size the
 *   shim renames it `container.log.1` (older ones shift up, the oldest beyond
 *   max-file is deleted) and starts a new one. `local` has Docker's defaults
 *   (20m, 5 files); `json-file` keeps everything unless told.
 * - `none`: nothing is kept; `logs` says so.
 *
 * Other drivers (syslog, journald, fluentd, gelf, awslogs...) and other
 * options are refused at their key.
 */
import { parseBytes } from './resources';
import { LOGGING_KEYS } from './keys';
import { field, type Field, type Reader } from './read';
import { scalarText } from './tree';
import type { ServiceLogging } from './types';

const OURS = ['json-file', 'local', 'none'];
const OPTIONS = ['max-size', 'max-file'];

/** Docker's `local` driver defaults. */
export const LOCAL_DEFAULTS = { maxSize: 20 * 1024 * 1024, maxFiles: 5 } as const;

export function normalizeLogging(f: Field, r: Reader): ServiceLogging | undefined {
  const map = r.map(f);
  if (!map) return undefined;
  const keys = r.keys(map, f.path, LOGGING_KEYS);
  let driver = 'json-file';
  const df = keys.get('driver');
  if (df) {
    const v = r.string(df);
    if (v === undefined) return undefined;
    if (!OURS.includes(v)) {
      r.error(df, `logging driver "${v}" is not supported (tscompose keeps the log itself: json-file, local or none)`);
      return undefined;
    }
    driver = v;
  }
  const out: ServiceLogging = driver === 'local' ? { driver: 'local', ...LOCAL_DEFAULTS } : { driver: driver as ServiceLogging['driver'] };
  const of = keys.get('options');
  const options = of ? r.map(of, { nullable: true }) : undefined;
  for (const [key, e] of options?.entries ?? []) {
    const kf = field(of!.path, e);
    if (!OPTIONS.includes(key)) {
      r.error(kf, `logging option "${key}" is not supported yet (tscompose honours ${OPTIONS.join(' and ')})`);
      continue;
    }
    if (driver === 'none') {
      r.error(kf, `logging option "${key}" has no meaning with driver none (no log is kept)`);
      continue;
    }
    const n = e.value;
    const text = n.kind === 'scalar' && (typeof n.value === 'string' || typeof n.value === 'number') ? scalarText(n) : undefined;
    if (text === undefined) {
      r.wrongType(kf, 'a string or number');
      continue;
    }
    if (key === 'max-size') {
      const v = text === '-1' ? -1 : parseBytes(text);
      if (v === undefined || v === 0) r.error(kf, `"${text}" is not a size (e.g. 10m, 1g, or -1 for unlimited)`);
      else if (v === -1) delete out.maxSize;
      else out.maxSize = v;
    } else {
      const v = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
      if (!Number.isSafeInteger(v) || v < 1) r.error(kf, `"${text}" is not a number of files (1 or more)`);
      else out.maxFiles = v;
    }
  }
  if (out.maxSize !== undefined && out.maxFiles === undefined) out.maxFiles = 1; // Docker's json-file default
  if (out.maxFiles !== undefined && out.maxSize === undefined && driver === 'json-file' && options?.entries.has('max-file')) {
    const e = options.entries.get('max-file')!;
    r.error(field(of!.path, e), 'max-file needs max-size (without it the log never rotates)');
  }
  return out;
}
