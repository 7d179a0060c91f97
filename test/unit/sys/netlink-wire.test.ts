/**
 * Byte layouts of what tscompose encodes by hand, checked against the
 * kernel's struct definitions: struct nlattr (linux/netlink.h: u16 len
 * counting the 4-byte header but not the padding, u16 type, payload padded
 * to 4), struct ifinfomsg (linux/rtnetlink.h, 16 bytes), IFLA_LINKINFO
 * nesting (linux/if_link.h, linux/veth.h) and struct nlmsghdr flags.
 */
import test from 'ava';
import { bridgeInfo, hairpinInfo, parseLinkInfo, vethInfo } from '../../../src/sys/netlink/links';
import { windowFor } from '../../../src/sys/netlink/socket';
import {
  attr,
  attrsOf,
  bufferToIp,
  bufferToMac,
  cstr,
  dumpInterrupted,
  ifinfomsg,
  ipToBuffer,
  macToBuffer,
  nested,
  u32,
} from '../../../src/sys/netlink/wire';

const hex = (b: Buffer) => b.toString('hex');

test('nlattr: length counts the header, not the padding; the payload is padded to 4 bytes', (t) => {
  // IFLA_IFNAME (3) "eth0\0": len 9, then 3 bytes of padding.
  t.is(hex(attr(3, cstr('eth0'))), '0900' + '0300' + '6574683000' + '000000');
  // An aligned payload gets no padding: IFLA_MTU (4) u32 1400.
  t.is(hex(attr(4, u32(1400))), '0800' + '0400' + '78050000');
  t.is(hex(attr(7, Buffer.alloc(0))), '0400' + '0700');
});

test('attribute walk: steps over padding, masks NLA_F_NESTED / NLA_F_NET_BYTEORDER, stops at a truncated one', (t) => {
  const nestedFlag = attr(2 | 0x8000, attr(1, u32(7)));
  const buf = Buffer.concat([attr(3, cstr('ab')), nestedFlag, attr(6, u32(9)).subarray(0, 6)]);
  const got = [...attrsOf(buf)].map((a) => [a.type, hex(a.data)]);
  t.deepEqual(got, [
    [3, '616200'],
    [2, hex(attr(1, u32(7)))],
  ]);
  t.deepEqual([...nested(nested(buf).get(2)!)].map(([k, v]) => [k, v.readUInt32LE(0)]), [[1, 7]]);
  // A length below the header size ends the walk instead of looping.
  t.deepEqual([...attrsOf(Buffer.from('00000100', 'hex'))], []);
});

test('ifinfomsg: family u8, pad u8, type u16, index s32, flags u32, change u32', (t) => {
  t.is(hex(ifinfomsg(1, 1, 7)), '00' + '00' + '0000' + '07000000' + '01000000' + '01000000');
  t.is(ifinfomsg(0, 0).length, 16);
});

test('veth IFLA_LINKINFO: kind "veth", then INFO_DATA → VETH_INFO_PEER → ifinfomsg and the peer attributes', (t) => {
  const info = vethInfo({ name: 'tscp0', netnsFd: 9, mac: '02:42:ac:11:00:02', mtu: 1400 });
  const top = [...attrsOf(info)];
  t.deepEqual(
    top.map((a) => a.type),
    [1, 2],
  );
  t.is(top[0]!.data.toString(), 'veth\0');
  // IFLA_INFO_KIND "veth\0" is 9 bytes long, padded to 12: INFO_DATA starts at 12.
  t.is(info.readUInt16LE(12 + 2), 2);
  const peer = nested(top[1]!.data).get(1)!;
  t.is(hex(peer.subarray(0, 16)), '00'.repeat(16), 'the peer starts with an empty struct ifinfomsg');
  const attrs = new Map([...attrsOf(peer, 16)].map((a) => [a.type, a.data]));
  t.is(attrs.get(3)!.toString(), 'tscp0\0'); // IFLA_IFNAME
  t.is(attrs.get(28)!.readUInt32LE(0), 9); // IFLA_NET_NS_FD
  t.is(hex(attrs.get(1)!), '0242ac110002'); // IFLA_ADDRESS
  t.is(attrs.get(4)!.readUInt32LE(0), 1400); // IFLA_MTU
  // Without a MAC or MTU the peer carries neither.
  const bare = nested(nested(vethInfo({ name: 'tscp1', netnsFd: 3 })).get(2)).get(1)!;
  t.deepEqual(
    [...attrsOf(bare, 16)].map((a) => a.type),
    [3, 28],
  );
});

test('bridge and bridge-port IFLA_LINKINFO, and reading them back', (t) => {
  // kind "bridge\0" (len 11 → 12), INFO_DATA (len 12) holding IFLA_BR_STP_STATE (5) u32 0.
  t.is(hex(bridgeInfo()), '0b000100' + hex(Buffer.from('bridge\0')) + '00' + '0c000200' + '08000500' + '00000000');
  t.deepEqual(parseLinkInfo(bridgeInfo()), { kind: 'bridge' });
  // INFO_SLAVE_KIND (4) "bridge", INFO_SLAVE_DATA (5) holding IFLA_BRPORT_MODE (4) u8, padded.
  t.is(hex(hairpinInfo(true)), '0b000400' + hex(Buffer.from('bridge\0')) + '00' + '0c000500' + '05000400' + '01000000');
  t.deepEqual(parseLinkInfo(hairpinInfo(true)), { kind: undefined, hairpin: true });
  t.deepEqual(parseLinkInfo(Buffer.concat([attr(1, cstr('veth')), hairpinInfo(false)])), { kind: 'veth', hairpin: false });
  t.deepEqual(parseLinkInfo(undefined), { kind: undefined });
});

test('MAC codec: six bytes both ways; anything else is refused', (t) => {
  t.is(hex(macToBuffer('02:42:AC:11:00:02')), '0242ac110002');
  t.is(bufferToMac(Buffer.from('0242ac110002', 'hex')), '02:42:ac:11:00:02');
  t.is(bufferToMac(Buffer.alloc(5)), undefined);
  for (const bad of ['02:42:ac:11:00', '02:42:ac:11:00:02:03', '02-42-ac-11-00-02', 'zz:42:ac:11:00:02']) {
    t.throws(() => macToBuffer(bad), { message: /not a MAC/ }, bad);
  }
});

test('IP codec: network byte order, IPv4-mapped IPv6 included', (t) => {
  t.is(hex(ipToBuffer('10.1.2.3')), '0a010203');
  t.is(hex(ipToBuffer('fd01::3')), 'fd01' + '00'.repeat(13) + '03');
  // The hand-written codec this replaces read the IPv4 tail as two hex groups.
  t.is(hex(ipToBuffer('::ffff:1.2.3.4')), '00'.repeat(10) + 'ffff' + '01020304');
  t.is(bufferToIp(Buffer.from('0a010203', 'hex')), '10.1.2.3');
  t.is(bufferToIp(ipToBuffer('2001:db8::1:0:0:1')), '2001:db8::1:0:0:1');
  t.is(bufferToIp(Buffer.alloc(5)), undefined);
  t.throws(() => ipToBuffer('10.1.2'), { message: /not an IP/ });
});

/** struct nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32 (then the payload). */
function nlmsg(flags: number, payload = 4): Buffer {
  const b = Buffer.alloc(16 + payload);
  b.writeUInt32LE(b.length, 0);
  b.writeUInt16LE(16, 4); // RTM_NEWLINK
  b.writeUInt16LE(flags, 6);
  return b;
}

test('NLM_F_DUMP_INTR is found on any message of a datagram', (t) => {
  const MULTI = 0x2;
  t.false(dumpInterrupted(Buffer.concat([nlmsg(MULTI), nlmsg(MULTI)])));
  t.true(dumpInterrupted(Buffer.concat([nlmsg(MULTI), nlmsg(MULTI | 0x10)])));
  t.true(dumpInterrupted(Buffer.concat([nlmsg(MULTI, 5).subarray(0, 21), Buffer.alloc(3), nlmsg(0x10)])), 'the next header is 4-aligned');
  t.false(dumpInterrupted(Buffer.alloc(8)));
});

test('requests in flight: as many replies as the receive buffer holds, at least one, at most 32', (t) => {
  t.is(windowFor(2 * 212992), 32);
  t.is(windowFor(32768), 4);
  t.is(windowFor(2304), 1);
});
