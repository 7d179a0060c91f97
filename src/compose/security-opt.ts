/**
 * `security_opt`: `no-new-privileges[:true|false]` (also `=`, as Docker
 * accepts). tscompose sets no_new_privs on every unprivileged container by
 * default (plan/isolation.ts), so `true` restates it and `false` lets execve
 * gain privileges again (setuid binaries). seccomp, apparmor, label, … are
 * "not supported yet".
 */
import type { Field, Reader } from './read';

/** The `no-new-privileges` setting written (undefined: not written). */
export function securityOptions(f: Field, r: Reader): boolean | undefined {
  let nnp: boolean | undefined;
  for (const { value, field: itf } of r.strings(f) ?? []) {
    const m = /^no-new-privileges(?:[:=](.*))?$/.exec(value);
    if (!m) {
      const kind = value.split(/[:=]/)[0];
      r.error(itf, `security_opt "${kind}" is not supported yet (only no-new-privileges)`);
      continue;
    }
    const v = m[1] ?? 'true';
    if (v !== 'true' && v !== 'false') r.error(itf, `"${value}": no-new-privileges takes true or false`);
    else nnp = v === 'true';
  }
  return nnp;
}
