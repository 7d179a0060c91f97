/**
 * The DNS server's privilege drop, once its sockets are bound: to nobody
 * (uid and gid 65534, no supplementary groups). Changing every uid from 0
 * to non-zero empties the permitted and effective capability sets (the
 * kernel's rule without SECBIT_KEEP_CAPS), so nothing of root remains; the
 * shim set no_new_privs before exec, so no setuid binary can bring it back.
 */
export const NOBODY = 65534;

/** Drops to nobody when running as root; returns who it now runs as (undefined: not root, nothing to drop). */
// Equivalent to: setpriv --clear-groups --regid 65534 --reuid 65534
export function dropToNobody(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  // Groups and gid first: after setuid there is no right left to change them.
  process.setgroups!([]);
  process.setgid!(NOBODY);
  process.setuid!(NOBODY);
  return `uid ${process.getuid!()} gid ${process.getgid!()}, no capabilities`;
}
