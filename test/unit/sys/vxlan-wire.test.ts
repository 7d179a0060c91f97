/**
 * The VXLAN IFLA_LINKINFO tscompose builds by hand, byte by byte against
 * linux/if_link.h (IFLA_VXLAN_ID 1, GROUP 2, LOCAL 4, LEARNING 7, PORT 15
 * in network byte order, GROUP6 16, LOCAL6 17).
 */
import test from 'ava';
import { parseLinkInfo, vxlanInfo } from '../../../src/sys/netlink/links';
import { attrsOf, nested } from '../../../src/sys/netlink/wire';

const hex = (b: Buffer) => b.toString('hex');

test('vxlan IFLA_LINKINFO: kind "vxlan", then id, remote, local, learning, dstport (big-endian)', (t) => {
  const info = vxlanInfo({ vni: 0x123456, remote: '10.99.0.2', local: '10.99.0.1', port: 4789 });
  // kind "vxlan\0" (len 10 → 12 with padding).
  t.is(hex(info.subarray(0, 12)), '0a000100' + hex(Buffer.from('vxlan\0')) + '0000');
  t.deepEqual(parseLinkInfo(info), { kind: 'vxlan' });
  const data = [...attrsOf(nested(info).get(2)!)].map((a) => `${a.type}:${hex(a.data)}`);
  t.deepEqual(data, ['1:56341200', '2:0a630002', '4:0a630001', '7:00', '15:12b5']);
  const learning = [...attrsOf(nested(vxlanInfo({ vni: 1, remote: '10.0.0.2', local: '10.0.0.1', port: 8472, learning: true })).get(2)!)];
  t.is(hex(learning.find((a) => a.type === 7)!.data), '01');
  t.is(hex(learning.find((a) => a.type === 15)!.data), '2118');
});

test('vxlan over IPv6: the remote and local go in GROUP6 and LOCAL6', (t) => {
  const data = [...attrsOf(nested(vxlanInfo({ vni: 7, remote: 'fd99::2', local: 'fd99::1', port: 4789 })).get(2)!)];
  t.deepEqual(
    data.map((a) => a.type),
    [1, 16, 17, 7, 15],
  );
  t.is(hex(data[1]!.data), 'fd99' + '00'.repeat(13) + '02');
});
