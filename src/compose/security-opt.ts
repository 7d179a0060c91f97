/**
 * `security_opt`: `no-new-privileges[:true|false]` (also `=`, as Docker
 * accepts). tscompose sets no_new_privs on every unprivileged container by
 * default (plan/isolation.ts), so `true` restates it and `false` lets execve
 * gain privileges again (setuid binaries). `seccomp=unconfined` or
 * `seccomp=PROFILE.json` (Docker's format, read now, relative to the
 * project). `apparmor=PROFILE` and `label=…` (SELinux: `disable`, `user:`,
 * `role:`, `type:`, `level:`, `filetype:`, `nested`) are read here and
 * weighed against the host in plan/security-labels.ts.
 */
import { posix } from 'node:path';
import type { Field, Reader } from './read';
import { parseSeccompProfile } from './seccomp-profile';
import type { SeccompProfile } from './types';

export interface SecurityOptions {
  noNewPrivileges?: boolean;
  seccomp?: 'unconfined' | SeccompProfile;
  apparmor?: string;
  securityLabel?: string[];
}

const LABEL = /^(disable|nested|(user|role|type|level|filetype):.+)$/;

/** Reads a profile file: its text, or undefined when it cannot be read (the reader reports nothing). */
export type ProfileReader = (absPath: string) => string | undefined;

/** What `security_opt` sets (absent fields: not written). */
export function securityOptions(f: Field, r: Reader, projectDir: string, read: ProfileReader): SecurityOptions {
  const out: SecurityOptions = {};
  let nnp: boolean | undefined;
  for (const { value, field: itf } of r.strings(f) ?? []) {
    const sc = /^seccomp[:=](.+)$/.exec(value);
    if (sc) {
      const file = sc[1]!;
      if (file === 'unconfined') out.seccomp = 'unconfined';
      else {
        const abs = posix.resolve(projectDir, file);
        const text = read(abs);
        const profile = text === undefined ? `cannot read ${abs}` : parseSeccompProfile(text);
        if (typeof profile === 'string') r.error(itf, `seccomp profile ${file}: ${profile}`);
        else out.seccomp = { file: abs, ...profile };
      }
      continue;
    }
    const lsm = /^(apparmor|label)[:=](.*)$/.exec(value);
    if (lsm) {
      const v = lsm[2]!;
      if (!v) r.error(itf, `"${value}" names no ${lsm[1] === 'apparmor' ? 'profile' : 'label option'}`);
      else if (lsm[1] === 'apparmor') out.apparmor = v;
      else if (!LABEL.test(v)) r.error(itf, `"${value}": label takes disable, nested, user:U, role:R, type:T, level:L or filetype:T`);
      else out.securityLabel = [...(out.securityLabel ?? []), v];
      continue;
    }
    const m = /^no-new-privileges(?:[:=](.*))?$/.exec(value);
    if (!m) {
      const kind = value.split(/[:=]/)[0];
      r.error(itf, `security_opt "${kind}" is not supported yet (only no-new-privileges, seccomp, apparmor and label)`);
      continue;
    }
    const v = m[1] ?? 'true';
    if (v !== 'true' && v !== 'false') r.error(itf, `"${value}": no-new-privileges takes true or false`);
    else nnp = v === 'true';
  }
  if (nnp !== undefined) out.noNewPrivileges = nnp;
  return out;
}
