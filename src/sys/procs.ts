/**
 * Processes by network namespace: the safety net of teardown. Whatever a
 * container left running inside a namespace we own (a daemonized child, an
 * orphan of a killed shim) is found by the namespace inode, never by name.
 */
import * as fs from 'node:fs';

// Equivalent to: ip netns pids NAME
export function pidsInNetns(inode: number): number[] {
  const want = `net:[${inode}]`;
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/net`) === want) out.push(Number(entry));
    } catch {
      /* exited meanwhile, or a kernel thread */
    }
  }
  return out;
}

/** SIGKILL each pid; a process already gone is fine. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (e: any) {
      if (e?.code !== 'ESRCH') throw e;
    }
  }
}
