/**
 * The netlink wire format that tscompose builds by hand (the `netlink`
 * package encodes the fixed headers and flat attributes): attributes and
 * their nesting, struct ifinfomsg for a veth peer, and the address and MAC
 * codecs. Buffers only, no socket: rtnl.ts and tc.ts send what this builds.
 *
 * Layouts are those of linux/netlink.h (struct nlmsghdr, struct nlattr) and
 * linux/rtnetlink.h (struct ifinfomsg), all little-endian on the hosts we run on.
 */
import { ipFromBytes, ipToBytes, formatIP, parseIP } from '../../net/ip';

// Netlink message flags (linux/netlink.h).
export const NLM_F_MULTI = 0x2;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;

/** struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32. */
const NLMSG_HDRLEN = 16;
/** struct nlattr: len u16, type u16. */
const NLA_HDRLEN = 4;
/** The type bits of nla_type (without NLA_F_NESTED / NLA_F_NET_BYTEORDER). */
const NLA_TYPE_MASK = 0x3fff;

const align4 = (n: number) => (n + 3) & ~3;

/** One netlink attribute, padded to 4 bytes (the kernel ignores what follows a misaligned one). */
export function attr(type: number, payload: Buffer): Buffer {
  const len = NLA_HDRLEN + payload.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, NLA_HDRLEN);
  return out;
}

/** The attributes in `b` from `from` on, as `attr` lays them out (type without NLA_F_NESTED / NLA_F_NET_BYTEORDER). */
export function* attrsOf(b: Buffer, from = 0): Generator<{ type: number; data: Buffer }> {
  for (let off = from; off + NLA_HDRLEN <= b.length; ) {
    const len = b.readUInt16LE(off);
    if (len < NLA_HDRLEN || off + len > b.length) return;
    yield { type: b.readUInt16LE(off + 2) & NLA_TYPE_MASK, data: b.subarray(off + NLA_HDRLEN, off + len) };
    off += align4(len);
  }
}

/** The attributes of one level of a nested attribute: type → payload (the first of each type). */
export function nested(buf: Buffer | undefined): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  if (buf) for (const a of attrsOf(buf)) if (!out.has(a.type)) out.set(a.type, a.data);
  return out;
}

export const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
};
export const u64 = (v: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v), 0);
  return b;
};
/** A NUL-terminated string attribute payload (NLA_NUL_STRING / NLA_STRING). */
export const cstr = (s: string): Buffer => Buffer.from(s + '\0');
export const cstring = (b: Buffer | undefined): string | undefined => b?.toString().replace(/\0+$/, '');

/** struct ifinfomsg (16 bytes): family u8, pad u8, type u16, index s32, flags u32, change u32. */
export function ifinfomsg(flags: number, change: number, index = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(0, 0); // AF_UNSPEC
  b.writeUInt16LE(0, 2); // type
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags >>> 0, 8);
  b.writeUInt32LE(change >>> 0, 12);
  return b;
}

/** `02:42:ac:11:00:02` → 6 bytes (IFLA_ADDRESS, NDA_LLADDR). */
export function macToBuffer(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6 || !parts.every((h) => /^[0-9a-fA-F]{2}$/.test(h))) throw new Error(`not a MAC address: ${mac}`);
  return Buffer.from(parts.map((h) => parseInt(h, 16)));
}
export function bufferToMac(b: Buffer | undefined): string | undefined {
  if (!b || b.length !== 6) return undefined;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** An IPv4 or IPv6 address as the kernel wants it (IFA_LOCAL, RTA_DST, NDA_DST…): 4 or 16 bytes, network order. */
export function ipToBuffer(ip: string): Buffer {
  const parsed = parseIP(ip);
  if (!parsed) throw new Error(`not an IP address: ${ip}`);
  return ipToBytes(parsed);
}
export function bufferToIp(b: Buffer | undefined): string | undefined {
  const ip = b && ipFromBytes(b);
  return ip ? formatIP(ip) : undefined;
}

/**
 * Whether any message in one datagram carries NLM_F_DUMP_INTR: the kernel
 * saw the table change while it was dumping it, so the dump may have missed
 * or repeated entries (iproute2 warns "Dump was interrupted and may be
 * inconsistent"; vishvananda/netlink returns ErrDumpInterrupted).
 */
export function dumpInterrupted(datagram: Buffer): boolean {
  for (let off = 0; off + NLMSG_HDRLEN <= datagram.length; ) {
    const len = datagram.readUInt32LE(off);
    if (len < NLMSG_HDRLEN) return false;
    if (datagram.readUInt16LE(off + 6) & NLM_F_DUMP_INTR) return true;
    off += align4(len);
  }
  return false;
}
