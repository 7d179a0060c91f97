/**
 * The host device nodes the file's `devices:` name: their type and numbers
 * (the device cgroup rule each one gets, plan/devices.ts). Only reads.
 */
import * as fs from 'node:fs';
import type { HostDevice } from '../plan/model';

// Equivalent to: stat -L -c '%F %t:%T' PATH
export function observeHostDevices(paths: readonly string[]): Record<string, HostDevice> {
  const out: Record<string, HostDevice> = {};
  for (const p of paths) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p);
    } catch (e: any) {
      out[p] = { error: e?.code === 'ENOENT' ? 'no such device on this host' : `cannot stat it (${e?.code ?? e})` };
      continue;
    }
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      // st_rdev: the kernel's new_encode_dev layout (major bits 8-19, minor bits 0-7 and 20-31).
      const rdev = st.rdev;
      out[p] = { type: st.isBlockDevice() ? 'b' : 'c', major: (rdev >> 8) & 0xfff, minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00) };
    } else out[p] = { error: st.isDirectory() ? 'is a directory: list each device node of it (directories are not supported yet)' : 'is not a device node' };
  }
  return out;
}
