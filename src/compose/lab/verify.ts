/** `x-verify` at the top level: reachability expectations `[{from, to, port, expect: reach|blocked}]`. */
import type { Field, Reader } from '../read';
import type { VerifySpec } from '../types';
import { items, keyTable } from './common';

const VERIFY_KEYS = keyTable('x-verify key', ['from', 'to', 'port', 'expect']);

export function parseVerify(f: Field, r: Reader): VerifySpec[] {
  const out: VerifySpec[] = [];
  for (const [index, itf] of (items(f, r, 'expectations ({from, to, port, expect})') ?? []).entries()) {
    const map = r.map(itf);
    if (!map) continue;
    const keys = r.keys(map, itf.path, VERIFY_KEYS);
    const from = keys.get('from') ? r.string(keys.get('from')!) : undefined;
    const to = keys.get('to') ? r.text(keys.get('to')!) : undefined;
    if (!keys.has('from') || !keys.has('to')) r.error(itf, 'an expectation needs "from" (a service) and "to" (a service or an address)');
    const pf = keys.get('port');
    const port = pf ? r.int(pf, { min: 1, max: 65535 }) : undefined;
    const ef = keys.get('expect');
    let expect: VerifySpec['expect'] = 'reach';
    if (ef) {
      const v = r.string(ef);
      if (v === 'reach' || v === 'blocked') expect = v;
      else if (v !== undefined) r.error(ef, `"${v}" is not an expectation (use reach or blocked)`);
    }
    if (from === undefined || to === undefined) continue;
    out.push({ from, to, ...(port !== undefined ? { port } : {}), expect, index });
  }
  return out;
}
