/**
 * The seccomp filter a container (and everything `exec` runs in it) gets,
 * decided here and carried out by the shim (native/shim/seccomp.c):
 *
 *  - privileged, or `security_opt: seccomp=unconfined`: none (as Docker);
 *  - `seccomp=PROFILE.json`: that profile, in Docker's format, its rules
 *    kept when their `includes`/`excludes` capability conditions match the
 *    container's capabilities;
 *  - otherwise our default: everything allowed but what Docker's default
 *    profile refuses a container without the matching capability (kernel
 *    modules, kexec, reboot, the clock, mount and namespace creation,
 *    keyrings, bpf, perf, io_uring, …): EPERM, and clone3 ENOSYS so libc
 *    falls back to clone, whose namespace flags are then refused. A
 *    denylist keyed on capabilities rather than Docker's ~350-entry
 *    allowlist: the same refusals, and no surprise for a new syscall an
 *    image's libc needs (what Docker's allowlist keeps breaking).
 * Pure.
 */
import type { SeccompProfile } from '../compose/types';
import type { LaunchSeccomp, SeccompRule } from './model';

/** Refused unless the container has one of the capabilities (empty: always refused). */
const DENY: ReadonlyArray<[string[], string[]]> = [
  [['add_key', 'keyctl', 'request_key'], []],
  [['io_uring_setup', 'io_uring_enter', 'io_uring_register'], []],
  [['uselib', 'ustat', 'sysfs', '_sysctl', 'nfsservctl', 'vm86', 'vm86old', 'create_module', 'get_kernel_syms', 'query_module'], []],
  [['init_module', 'finit_module', 'delete_module'], ['CAP_SYS_MODULE']],
  [['kexec_load', 'kexec_file_load', 'reboot'], ['CAP_SYS_BOOT']],
  [['settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'clock_adjtime', 'clock_adjtime64', 'adjtimex'], ['CAP_SYS_TIME']],
  [['acct'], ['CAP_SYS_PACCT']],
  [['iopl', 'ioperm'], ['CAP_SYS_RAWIO']],
  [['syslog'], ['CAP_SYSLOG']],
  [['kcmp', 'process_vm_readv', 'process_vm_writev', 'userfaultfd'], ['CAP_SYS_PTRACE']],
  [['get_mempolicy', 'set_mempolicy', 'mbind', 'move_pages'], ['CAP_SYS_NICE']],
  [['bpf'], ['CAP_SYS_ADMIN', 'CAP_BPF']],
  [['perf_event_open'], ['CAP_SYS_ADMIN', 'CAP_PERFMON']],
  [['open_by_handle_at'], ['CAP_DAC_READ_SEARCH']],
  [
    [
      'mount', 'umount', 'umount2', 'pivot_root', 'setns', 'unshare', 'swapon', 'swapoff', 'quotactl', 'lookup_dcookie',
      'name_to_handle_at', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree', 'mount_setattr',
      'fanotify_init', 'setdomainname', 'sethostname', 'vhangup',
    ],
    ['CAP_SYS_ADMIN'],
  ],
];

/** clone's namespace flags: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET (Docker's 0x7E020000). */
const CLONE_NS_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

const EPERM = 'errno:1';

/** Capabilities compared without their CAP_ prefix (the plan writes SYS_ADMIN, profiles CAP_SYS_ADMIN). */
const capSet = (caps: readonly string[]) => new Set(caps.map((c) => c.replace(/^CAP_/, '')));
const hasCap = (set: Set<string>, cap: string) => set.has(cap.replace(/^CAP_/, ''));

export function defaultSeccomp(caps: readonly string[]): LaunchSeccomp {
  const has = capSet(caps);
  const names = DENY.flatMap(([list, unless]) => (unless.some((c) => hasCap(has, c)) ? [] : list));
  const rules: SeccompRule[] = [{ action: EPERM, names }];
  if (!hasCap(has, 'CAP_SYS_ADMIN')) {
    rules.push({ action: 'errno:38', names: ['clone3'] }); // ENOSYS: libc falls back to clone
    // One rule per flag: refused when (flags & FLAG) == FLAG.
    for (const flag of CLONE_NS_FLAGS) rules.push({ action: EPERM, names: ['clone'], args: [{ index: 0, op: 'masked_eq', value: flag, valueTwo: flag }] });
  }
  return { defaultAction: 'allow', rules };
}

/** A Docker-format profile's rules for a container with `caps`. */
export function profileSeccomp(p: SeccompProfile, caps: readonly string[]): LaunchSeccomp {
  const has = capSet(caps);
  const rules = p.syscalls.filter((s) => (s.includesCaps ?? []).every((c) => hasCap(has, c)) && !(s.excludesCaps ?? []).some((c) => hasCap(has, c)));
  return { defaultAction: p.defaultAction, rules: rules.map((s) => ({ action: s.action, names: s.names, ...(s.args.length ? { args: s.args } : {}) })) };
}

export function seccompFor(opt: 'unconfined' | SeccompProfile | undefined, caps: readonly string[], privileged: boolean): LaunchSeccomp | undefined {
  if (privileged || opt === 'unconfined') return undefined;
  return opt ? profileSeccomp(opt, caps) : defaultSeccomp(caps);
}
