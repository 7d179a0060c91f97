/**
 * tar-stream decodes every PAX record value as UTF-8, which mangles binary
 * extended attributes (`SCHILY.xattr.security.capability` holds raw bytes).
 * Its extractor calls `headers.decodePax` through the module object, so this
 * replaces that one function with one that keeps `SCHILY.xattr.*` values as
 * latin1 strings (one char per byte: `Buffer.from(v, 'latin1')` gives the
 * bytes back) and decodes every other record as UTF-8 like before.
 */
import * as path from 'node:path';

let patched = false;

export function keepBinaryXattrs(): void {
  if (patched) return;
  // The package's exports map hides headers.js; an absolute path reaches the same module instance.
  const headers = require(path.join(path.dirname(require.resolve('tar-stream')), 'headers.js')) as {
    decodePax(buf: Buffer): Record<string, string>;
  };
  headers.decodePax = decodePax;
  patched = true;
}

/** PAX records: "LEN KEY=VALUE\n", LEN counting the whole record in bytes. */
export function decodePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    if (space === -1) break;
    const len = parseInt(buf.toString('ascii', at, space), 10);
    if (!len || at + len > buf.length) break;
    const record = buf.subarray(space + 1, at + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq === -1) break;
    const key = record.toString('utf8', 0, eq);
    out[key] = record.toString(key.startsWith('SCHILY.xattr.') ? 'latin1' : 'utf8', eq + 1);
    at += len;
  }
  return out;
}
