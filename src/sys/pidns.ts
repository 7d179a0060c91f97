/**
 * The processes of a container: those in its pid namespace, found by the
 * namespace's inode (never by name).
 */
import * as fs from 'node:fs';

// Equivalent to: for p in /proc/[0-9]*; do [ $(readlink $p/ns/pid) = $(readlink /proc/PID/ns/pid) ] && echo ${p#/proc/}; done
export function pidsInPidNamespaceOf(pid: number): number[] {
  let ns: string;
  try {
    ns = fs.readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/pid`) === ns) out.push(Number(entry));
    } catch {
      /* exited meanwhile, or a kernel thread */
    }
  }
  return out.sort((a, b) => a - b);
}
