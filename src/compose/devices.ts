/**
 * `devices` and `device_cgroup_rules`.
 *
 * - `devices`: host device nodes given to the container, short
 *   `HOST[:CONTAINER][:PERMISSIONS]` (Docker's `--device`) or long
 *   `{source, target, permissions}` (compose-spec). PERMISSIONS is the
 *   device cgroup access, any of `rwm` (default `rwm`).
 * - `device_cgroup_rules`: extra lines of the device cgroup allowlist,
 *   Docker's `--device-cgroup-rule` syntax: `TYPE MAJOR:MINOR ACCESS`,
 *   TYPE one of `a` (all), `b` (block), `c` (character), MAJOR and MINOR a
 *   number or `*`, ACCESS any of `rwm`.
 *
 * What they grant is decided in plan/devices.ts.
 */
import { posix } from 'node:path';
import type { Field, Reader } from './read';
import { childPath } from './tree';
import type { ServiceDevice } from './types';

const PERMISSIONS = /^(?!.*(.).*\1)[rwm]{1,3}$/;
const RULE = /^([abc]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/;

/** A rule in canonical form (`c 1:3 rwm`), or an error message. */
export function parseDeviceRule(text: string): string | { error: string } {
  const m = RULE.exec(text.trim().replace(/\s+/g, ' '));
  if (!m || !PERMISSIONS.test(m[4]!)) {
    return { error: `"${text}" is not a device cgroup rule: TYPE MAJOR:MINOR ACCESS, TYPE one of a, b, c; MAJOR and MINOR a number or *; ACCESS any of r, w, m (e.g. "c 1:3 rwm", "b 8:* r")` };
  }
  const [, type, major, minor, access] = m;
  for (const n of [major!, minor!]) if (n !== '*' && Number(n) > 0xfffff) return { error: `"${text}": device number ${n} is out of range` };
  const order = ['r', 'w', 'm'].filter((c) => access!.includes(c)).join('');
  return `${type} ${major === '*' ? '*' : Number(major)}:${minor === '*' ? '*' : Number(minor)} ${order}`;
}

export function deviceCgroupRules(f: Field, r: Reader): string[] {
  const out: string[] = [];
  for (const { value, field: itf } of r.strings(f) ?? []) {
    const rule = parseDeviceRule(value);
    if (typeof rule !== 'string') r.error(itf, rule.error);
    else if (!out.includes(rule)) out.push(rule);
  }
  return out;
}

function checkDevice(d: ServiceDevice, f: Field, r: Reader): ServiceDevice | undefined {
  if (!posix.isAbsolute(d.source)) return void r.error(f, `device "${d.source}" must be an absolute path on the host (e.g. /dev/net/tun)`);
  if (!posix.isAbsolute(d.target)) return void r.error(f, `device target "${d.target}" must be an absolute path in the container`);
  if (!PERMISSIONS.test(d.permissions)) return void r.error(f, `"${d.permissions}" is not a device access: any of r, w, m (e.g. rwm, r)`);
  return { source: posix.normalize(d.source), target: posix.normalize(d.target), permissions: d.permissions };
}

/** `HOST[:CONTAINER][:PERMISSIONS]`: with two parts the second is PERMISSIONS when it looks like one (Docker's rule). */
function shortDevice(text: string): ServiceDevice {
  const parts = text.split(':');
  if (parts.length === 2 && /^[rwm]{1,3}$/.test(parts[1]!)) return { source: parts[0]!, target: parts[0]!, permissions: parts[1]! };
  if (parts.length > 3) return { source: text, target: '', permissions: '' };
  return { source: parts[0]!, target: parts[1] || parts[0]!, permissions: parts[2] ?? 'rwm' };
}

export function devices(f: Field, r: Reader): ServiceDevice[] {
  const n = f.node;
  if (n.kind !== 'seq') return r.wrongType(f, 'a list of devices') ?? [];
  const out: ServiceDevice[] = [];
  n.items.forEach((it, i) => {
    const itf: Field = { path: childPath(f.path, i), loc: it.loc, node: it };
    let d: ServiceDevice | undefined;
    if (it.kind === 'scalar' && typeof it.value === 'string') {
      if (it.value.split(':').length > 3) return r.error(itf, `"${it.value}" is not a device: HOST[:CONTAINER][:PERMISSIONS] (e.g. /dev/net/tun, /dev/sdb:/dev/xvdb:r)`);
      d = checkDevice(shortDevice(it.value), itf, r);
    } else if (it.kind === 'map') {
      const get = (k: string) => {
        const e = it.entries.get(k);
        return e ? r.string({ path: childPath(itf.path, k), loc: e.keyLoc, node: e.value }) : undefined;
      };
      for (const k of it.entries.keys()) {
        if (!['source', 'target', 'permissions'].includes(k) && !k.startsWith('x-')) r.error(itf, `unknown device key "${k}" (source, target, permissions)`);
      }
      const source = get('source');
      if (source === undefined) return r.error(itf, 'a device needs a source (the host path)');
      d = checkDevice({ source, target: get('target') ?? source, permissions: get('permissions') ?? 'rwm' }, itf, r);
    } else return void r.wrongType(itf, 'a string or a mapping');
    if (!d) return;
    if (out.some((o) => o.target === d.target)) return r.error(itf, `duplicate device target ${d.target}`);
    out.push(d);
  });
  return out;
}
