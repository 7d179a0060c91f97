/**
 * The kernel settings plan/kernel.ts manages, as they are now: forwarding,
 * and route_localnet/accept_ra of every bridge on the host (ours among them).
 */
import * as fs from 'node:fs';
import type { ObservedLink } from '../plan/model';

/** `net.ipv4.conf.BR.route_localnet` → /proc/sys/net/ipv4/conf/BR/route_localnet (interface names may hold dots). */
export function sysctlPath(key: string): string {
  const m = /^net\.(ipv[46])\.conf\.(.+)\.([a-z_]+)$/.exec(key);
  if (m) return `/proc/sys/net/${m[1]}/conf/${m[2]}/${m[3]}`;
  return `/proc/sys/${key.replace(/\./g, '/')}`;
}

function read(key: string): string | undefined {
  try {
    return fs.readFileSync(sysctlPath(key), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function observeSysctls(hostLinks: ObservedLink[]): Record<string, string> {
  const keys = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'];
  for (const l of hostLinks) {
    if (l.kind !== 'bridge') continue;
    keys.push(`net.ipv6.conf.${l.name}.accept_ra`, `net.ipv4.conf.${l.name}.route_localnet`);
  }
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = read(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
