import * as fs from 'node:fs';
import { sysctlPath } from '../../observe/kernel';
import type { Action } from '../../plan/actions';
import type { ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/** Writes the value unless it is already there (a no-op write would still be a write). */
// Equivalent to: sysctl -w KEY=VALUE
export async function ensureSysctl(a: Of<'sysctl.set'>, _env: ApplyEnv): Promise<void> {
  const file = sysctlPath(a.key);
  let current: string | undefined;
  try {
    current = fs.readFileSync(file, 'utf8').trim();
  } catch (e: any) {
    throw Object.assign(new Error(`${a.key}: ${e?.code ?? e}`), { code: e?.code, syscall: 'open', path: file });
  }
  if (current === a.value) return;
  fs.writeFileSync(file, a.value);
}
