/**
 * A seccomp profile in Docker's JSON format (`security_opt:
 * seccomp=PROFILE.json`, the format of moby's profiles/seccomp/default.json):
 * `defaultAction` (and `defaultErrnoRet`), `syscalls[]` with `names` (or
 * `name`), `action` (and `errnoRet`), `args` (index, value, valueTwo, op),
 * and `includes`/`excludes` by capability (arches and minimum kernels: the
 * entries for other architectures are dropped, kernel versions are taken
 * as met). Pure: checks the document, names what is wrong.
 */
import type { SeccompProfile, SeccompProfileRule } from './types';

const ACTIONS: Record<string, string> = {
  SCMP_ACT_ALLOW: 'allow',
  SCMP_ACT_ERRNO: 'errno',
  SCMP_ACT_KILL: 'kill',
  SCMP_ACT_KILL_THREAD: 'kill',
  SCMP_ACT_KILL_PROCESS: 'kill_process',
  SCMP_ACT_TRAP: 'trap',
  SCMP_ACT_LOG: 'log',
};
const OPS: Record<string, SeccompProfileRule['args'][number]['op']> = {
  SCMP_CMP_NE: 'ne',
  SCMP_CMP_LT: 'lt',
  SCMP_CMP_LE: 'le',
  SCMP_CMP_EQ: 'eq',
  SCMP_CMP_GE: 'ge',
  SCMP_CMP_GT: 'gt',
  SCMP_CMP_MASKED_EQ: 'masked_eq',
};
/** This machine's architecture, as profiles name it. */
const OUR_ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];

/** The profile, or a message saying what is wrong (EPERM is errno 1). */
export function parseSeccompProfile(text: string): SeccompProfile | string {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (!doc || typeof doc !== 'object') return 'must be a JSON object';
  const def = action(doc.defaultAction, doc.defaultErrnoRet);
  if (typeof def !== 'object') return `defaultAction: ${def}`;
  const rules: SeccompProfileRule[] = [];
  for (const [i, s] of (Array.isArray(doc.syscalls) ? doc.syscalls : []).entries()) {
    const where = `syscalls[${i}]`;
    const names: unknown = s?.names ?? (s?.name !== undefined ? [s.name] : undefined);
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && /^[a-z0-9_]+$/.test(n))) return `${where}: names must be a list of syscall names`;
    const a = action(s.action, s.errnoRet);
    if (typeof a !== 'object') return `${where}.action: ${a}`;
    const args: SeccompProfileRule['args'] = [];
    for (const [j, arg] of (Array.isArray(s.args) ? s.args : []).entries()) {
      const op = OPS[arg?.op];
      if (!op || !Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5 || !Number.isSafeInteger(arg.value)) {
        return `${where}.args[${j}]: needs index 0..5, an integer value and an op (${Object.keys(OPS).join(', ')})`;
      }
      args.push({ index: arg.index, op, value: arg.value, ...(arg.valueTwo ? { valueTwo: arg.valueTwo } : {}) });
    }
    const arches: unknown = s.includes?.arches;
    if (Array.isArray(arches) && arches.length && !arches.some((x) => OUR_ARCHES.includes(String(x)) || x === 'amd64' || x === 'x86_64')) continue;
    const caps = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
    const inc = caps(s.includes?.caps);
    const exc = caps(s.excludes?.caps);
    rules.push({ names: names as string[], action: a.action, args, ...(inc?.length ? { includesCaps: inc } : {}), ...(exc?.length ? { excludesCaps: exc } : {}) });
  }
  return { defaultAction: def.action, syscalls: rules };
}

function action(name: unknown, errno: unknown): { action: string } | string {
  const a = ACTIONS[String(name)];
  if (!a) return `${JSON.stringify(name)} is not an action (${Object.keys(ACTIONS).join(', ')})`;
  if (a !== 'errno') return { action: a };
  const n = errno === undefined ? 1 : errno;
  if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 4095) return `errnoRet ${JSON.stringify(errno)} is not an errno`;
  return { action: `errno:${n}` };
}
