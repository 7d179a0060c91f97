/**
 * IP address, CIDR and MAC syntax, strict like Go's net package (which is
 * what Docker validates with): no leading zeros in IPv4 octets, no zone ids,
 * addresses as bigints so IPv4 and IPv6 share the range arithmetic.
 */

export type Family = 4 | 6;

export interface IPAddr {
  family: Family;
  value: bigint;
}

export interface Cidr {
  family: Family;
  /** The address as written (may have host bits set). */
  addr: bigint;
  prefix: number;
  /** First and last address of the network. */
  first: bigint;
  last: bigint;
}

/** Dotted quad, each part 0-255 without leading zeros (Go's rule). */
export function parseIPv4(s: string): bigint | undefined {
  let value = 0;
  let part = -1;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 255) return undefined;
      value = value * 256 + part;
      part = -1;
      digits = 0;
      if (i < s.length && ++dots > 3) return undefined;
    } else if (c >= 0x30 && c <= 0x39) {
      if (part === 0) return undefined; // leading zero
      part = (part < 0 ? 0 : part * 10) + (c - 0x30);
      digits++;
    } else return undefined;
  }
  return dots === 3 ? BigInt(value) : undefined;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function parseIPv6(s: string): bigint | undefined {
  if (s.length < 2 || s.includes('%')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const out: bigint[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (HEX_GROUP.test(p)) out.push(BigInt(`0x${p}`));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 part may only end the address.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...Array<bigint>(8 - total).fill(0n), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function parseIP(s: string): IPAddr | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6(s);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

export function formatIP(ip: IPAddr): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
  const prefix = Number(p);
  const width = bits(ip.family);
  if (prefix > width) return undefined;
  const hostBits = BigInt(width - prefix);
  const first = (ip.value >> hostBits) << hostBits;
  const last = first | ((1n << hostBits) - 1n);
  return { family: ip.family, addr: ip.value, prefix, first, last };
}

export function hasHostBits(c: Cidr): boolean {
  return c.addr !== c.first;
}

/** `10.1.0.0/24`, `fd00::/64`: the network in canonical form. */
export function formatCidr(c: Cidr): string {
  return `${formatIP({ family: c.family, value: c.first })}/${c.prefix}`;
}

export function cidrContains(c: Cidr, ip: IPAddr): boolean {
  return c.family === ip.family && ip.value >= c.first && ip.value <= c.last;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** `02:42:ac:11:00:02` (also `-` separated); returns lowercase with colons. */
export function parseMac(s: string): { mac: string; multicast: boolean } | undefined {
  if (!/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(s)) return undefined;
  const mac = s.toLowerCase().replace(/-/g, ':');
  return { mac, multicast: (parseInt(mac.slice(0, 2), 16) & 1) === 1 };
}

/**
 * The usable host range of a subnet: IPv4 excludes the network and broadcast
 * addresses except on /31 and /32 (RFC 3021); IPv6 excludes the subnet-router
 * anycast address (the network address) except on /127 and /128.
 */
export function hostRange(c: Cidr): { first: bigint; last: bigint } {
  if (c.prefix >= bits(c.family) - 1) return { first: c.first, last: c.last };
  return { first: c.first + 1n, last: c.family === 4 ? c.last - 1n : c.last };
}

const LINK_LOCAL = [parseCidr('169.254.0.0/16')!, parseCidr('fe80::/10')!];

/** 169.254.0.0/16 or fe80::/10: addresses the kernel (or autoconfiguration) gives a link, never ours to plan. */
export function isLinkLocal(address: string): boolean {
  const ip = parseIP(address);
  return ip !== undefined && LINK_LOCAL.some((c) => cidrContains(c, ip));
}

/** An address in network byte order, as the kernel lays it out (4 or 16 bytes). */
export function ipToBytes(ip: IPAddr): Buffer {
  const b = Buffer.alloc(ip.family === 4 ? 4 : 16);
  for (let i = b.length - 1, v = ip.value; i >= 0; i--, v >>= 8n) b[i] = Number(v & 0xffn);
  return b;
}

/** The address in 4 or 16 network-order bytes; any other length is no address. */
export function ipFromBytes(b: Uint8Array): IPAddr | undefined {
  if (b.length !== 4 && b.length !== 16) return undefined;
  let value = 0n;
  for (const x of b) value = (value << 8n) | BigInt(x);
  return { family: b.length === 4 ? 4 : 6, value };
}
