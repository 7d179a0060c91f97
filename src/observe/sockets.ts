/**
 * The host's own sockets that published ports would hide: a published port
 * is a DNAT rule, which takes the traffic before any socket on the host
 * sees it, so a port some host process listens on must not be published
 * (Docker's proxy finds out by failing to bind: "port is already
 * allocated"). Read from /proc/net/{tcp,tcp6,udp,udp6} of the namespace we
 * run in: TCP sockets that listen, and every UDP socket (bound is enough).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostSocket } from '../plan/model';

const TCP_LISTEN = '0A';

/** `0100007F:1F90` (IPv4) or 32 hex digits (IPv6), each 32-bit word in host (little-endian) order. */
function parseAddress(hex: string, family: 4 | 6): { family: 4 | 6; ip: string } | undefined {
  const words = hex.match(/[0-9A-Fa-f]{8}/g);
  if (!words || words.length * 8 !== hex.length || words.length !== (family === 4 ? 1 : 4)) return undefined;
  const bytes = words.flatMap((w) => [6, 4, 2, 0].map((i) => parseInt(w.slice(i, i + 2), 16)));
  if (family === 4) return { family: 4, ip: bytes.join('.') };
  // An IPv4-mapped address (::ffff:a.b.c.d): the socket takes IPv4 traffic only.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return { family: 4, ip: bytes.slice(12).join('.') };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return { family: 6, ip: compressIPv6(groups) };
}

/** The longest run of zero groups (two or more) becomes `::`. */
function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The sockets of one /proc/net table (`tcp`, `tcp6`, `udp`, `udp6`) that hold a local port. */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp', family: 4 | 6): HostSocket[] {
  const out: HostSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [addrHex, portHex] = f[1]!.split(':');
    if (!addrHex || !portHex) continue;
    if (protocol === 'tcp' && f[3] !== TCP_LISTEN) continue;
    const addr = parseAddress(addrHex, family);
    const port = parseInt(portHex, 16);
    if (!addr || !port) continue;
    const wildcard = addr.ip === '0.0.0.0' || addr.ip === '::';
    out.push({ protocol, family: addr.family, ...(wildcard ? {} : { ip: addr.ip }), port, inode: Number(f[9]) });
  }
  return out;
}

/** Inodes of the sockets a process holds (/proc/PID/fd/* -> `socket:[N]`); empty if it is gone. */
export function socketInodes(pid: number): Set<number> {
  const out = new Set<number>();
  const dir = `/proc/${pid}/fd`;
  let fds: string[];
  try {
    fds = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(path.join(dir, fd)));
      if (m) out.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/**
 * The sockets of the namespace we run in that hold a port, except those
 * in `ours` (the project's own DNS server answers on its gateways' port 53).
 */
export function observeHostSockets(ours: Set<number> = new Set()): HostSocket[] {
  const tables: Array<['tcp' | 'udp', 4 | 6, string]> = [
    ['tcp', 4, 'tcp'],
    ['tcp', 6, 'tcp6'],
    ['udp', 4, 'udp'],
    ['udp', 6, 'udp6'],
  ];
  const out: HostSocket[] = [];
  for (const [protocol, family, file] of tables) {
    let text: string;
    try {
      text = fs.readFileSync(`/proc/self/net/${file}`, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const s of parseProcNet(text, protocol, family)) if (!ours.has(s.inode)) out.push(s);
  }
  return out;
}
