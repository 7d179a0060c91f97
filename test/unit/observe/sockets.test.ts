import test from 'ava';
import { parseProcNet } from '../../../src/observe/sockets';

// Lines as the kernel writes them (trailing columns cut after the inode).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17 1 0000000000000000 100 0 0 10 0
   2: 0200000A:D3B2 0100000A:0016 01 00000000:00000000 02:000A7B5C 00000000     0        0 99 2 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 501 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 502 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 503 1 0000000000000000 100 0 0 10 0
   3: 0000FDFD000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 504 1 0000000000000000 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  120: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 700 2 0000000000000000 0
  121: 0100A8C0:0035 0500A8C0:C350 01 00000000:00000000 00:00000000 00000000     0        0 701 2 0000000000000000 0
`;

test('TCP: listening sockets only, addresses in host byte order per 32-bit word', (t) => {
  t.deepEqual(parseProcNet(TCP, 'tcp', 4), [
    { protocol: 'tcp', family: 4, ip: '127.0.0.1', port: 8080, inode: 4242 },
    { protocol: 'tcp', family: 4, port: 22, inode: 17 },
  ]);
});

test('TCP6: the wildcard, ::1, an IPv4-mapped address (an IPv4 socket) and a compressed one', (t) => {
  t.deepEqual(parseProcNet(TCP6, 'tcp', 6), [
    { protocol: 'tcp', family: 6, port: 9000, inode: 501 },
    { protocol: 'tcp', family: 6, ip: '::1', port: 80, inode: 502 },
    { protocol: 'tcp', family: 4, ip: '127.0.0.1', port: 8081, inode: 503 },
    { protocol: 'tcp', family: 6, ip: 'fdfd::1', port: 3000, inode: 504 },
  ]);
});

test('UDP: every socket holding a port, bound or connected', (t) => {
  t.deepEqual(parseProcNet(UDP, 'udp', 4), [
    { protocol: 'udp', family: 4, port: 5353, inode: 700 },
    { protocol: 'udp', family: 4, ip: '192.168.0.1', port: 53, inode: 701 },
  ]);
});

test('headers, blank lines and malformed rows are skipped', (t) => {
  t.deepEqual(parseProcNet('header\n\n   0: zz:1 00000000:0000 0A\n   1: 0100007F 00000000:0000 0A 0 0 0 0 0 0 1\n', 'tcp', 4), []);
});
