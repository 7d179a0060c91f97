/**
 * Processes by network namespace: the safety net of teardown. Whatever a
 * container left running inside a namespace we own (a daemonized child, an
 * orphan of a killed shim) is found by the namespace inode, never by name.
 */
import * as fs from 'node:fs';

/**
 * Every process's network namespace inode, read once: /proc is walked a
 * single time however many namespaces are being removed.
 */
// Equivalent to: for each NAME: ip netns pids NAME
export function pidsByNetns(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let link: string;
    try {
      link = fs.readlinkSync(`/proc/${entry}/ns/net`);
    } catch {
      continue; // exited meanwhile, or a kernel thread
    }
    const m = /^net:\[(\d+)\]$/.exec(link);
    if (!m) continue;
    const inode = Number(m[1]);
    const list = out.get(inode);
    if (list) list.push(Number(entry));
    else out.set(inode, [Number(entry)]);
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
