/**
 * Linux capabilities by name (as `cap_add`/`cap_drop` write them, with or
 * without the CAP_ prefix) and number (linux/capability.h). Pure data;
 * which of them a container gets is policy (plan/isolation.ts).
 */

/** Index = capability number. */
export const CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

/** `cap_add: [net_admin]`, `CAP_NET_ADMIN` → `NET_ADMIN`; `ALL` stays `ALL`; unknown → undefined. */
export function canonicalCapability(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const bare = upper.startsWith('CAP_') ? upper.slice(4) : upper;
  return CAPABILITIES.includes(bare) ? bare : undefined;
}

/** "0x…" mask for `tsc-shim --caps` (bit n = capability n). */
export function capabilityMask(names: readonly string[]): string {
  let mask = 0n;
  for (const n of names) {
    const i = CAPABILITIES.indexOf(n);
    if (i < 0) throw new TypeError(`unknown capability ${n}`);
    mask |= 1n << BigInt(i);
  }
  return `0x${mask.toString(16)}`;
}
