/**
 * Neighbours, attacked from inside a real container (CAP_NET_RAW, Docker's
 * default) in a throwaway host: ARP requests claiming a peer's address do
 * not change the host's neighbour entry for that peer, and a ping with the
 * peer's address as source never reaches a third container — while the
 * attacker's honest packets do; a router advertisement gives a peer that
 * accepts RAs no address.
 */
import test from 'ava';
import { withHost } from '../helpers/host';
import { leftovers, ok, sh, stateDir, tsc, waitFor, writeProject } from '../helpers/containers';

/** Raw frames from eth0: ARP requests to the gateway claiming VICTIM, then ICMP echoes to SINK from VICTIM (SPOOF) and from ourselves (HONEST). */
const ATTACK = `
import socket, struct, sys, time
victim, gateway, sink = sys.argv[1:4]
mac = bytes.fromhex(open('/sys/class/net/eth0/address').read().strip().replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('eth0', 0))
arp = b'\\xff' * 6 + mac + b'\\x08\\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + socket.inet_aton(victim) + b'\\x00' * 6 + socket.inet_aton(gateway)
for _ in range(5):
    s.send(arp)
    time.sleep(0.1)
def csum(b):
    if len(b) % 2: b += b'\\x00'
    n = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    n = (n >> 16) + (n & 0xffff); n += n >> 16
    return (~n) & 0xffff
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
def echo(src, payload):
    icmp = struct.pack('!BBHHH', 8, 0, 0, 7, 1) + payload
    icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0, socket.inet_aton(src), socket.inet_aton(sink))
    r.sendto(ip + icmp, (sink, 0))
for _ in range(3):
    echo(victim, b'SPOOF')
    echo(sys.argv[4], b'HONEST')
    time.sleep(0.1)
print('sent')
`;

/** Prints the source and payload marker of every ICMP echo it receives. */
const SINK = `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
while True:
    b, a = s.recvfrom(2048)
    p = b[28:]
    if b[20] == 8 and p in (b'SPOOF', b'HONEST'):
        print('got', p.decode(), 'from', a[0], flush=True)
`;

test('a container cannot rewrite the host\'s neighbour entry for a peer, nor send with a peer\'s address', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: nb
services:
  victim:
    command: ["sleep", "infinity"]
    networks: {lan: {ipv4_address: 10.215.0.10}}
  attacker:
    command: ["sleep", "infinity"]
    networks: {lan: {ipv4_address: 10.215.0.66}}
  sink:
    command: ["python3", "-u", "-c", ${JSON.stringify(SINK)}]
    networks: {lan: {ipv4_address: 10.215.0.20}}
networks:
  lan:
    ipam:
      config: [{subnet: 10.215.0.0/24, gateway: 10.215.0.1}]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const bridge = (await sh(host, `ip -j addr | python3 -c "import json,sys; print([l['ifname'] for l in json.load(sys.stdin) if any(a.get('local') == '10.215.0.1' for a in l.get('addr_info', []))][0])"`)).trim();
    // The host learns the victim's MAC, then waits out the kernel's locktime (1 s) so that a spoof could win.
    await sh(host, 'ping -c 1 -W 2 10.215.0.10 >/dev/null');
    const neigh = async () => (await sh(host, `ip -j neigh show 10.215.0.10 dev ${bridge} | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['lladdr'])"`)).trim();
    const victimMac = await neigh();
    const attackerMac = (await tsc(host, dir, ['exec', '-T', 'attacker', 'cat', '/sys/class/net/eth0/address'])).stdout.trim();
    t.not(victimMac, attackerMac);
    await new Promise((r) => setTimeout(r, 1500));
    const attack = await tsc(host, dir, ['exec', '-T', 'attacker', 'python3', '-c', ATTACK, '10.215.0.10', '10.215.0.1', '10.215.0.20', '10.215.0.66']);
    t.is(attack.stdout.trim(), 'sent', attack.stderr);
    await new Promise((r) => setTimeout(r, 300));
    t.is(await neigh(), victimMac, 'the host still reaches the victim at its own MAC');
    await waitFor(host, `grep -q HONEST ${stateDir('nb', 'nb-sink-1')}/container.log`, 'the honest echo');
    const got = await sh(host, `cat ${stateDir('nb', 'nb-sink-1')}/container.log`);
    t.regex(got, /got HONEST from 10\.215\.0\.66/, 'the attacker\'s own packets arrive');
    t.notRegex(got, /SPOOF/, 'a packet with the victim\'s address as source does not');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

/** A router advertisement for 2001:db8:77::/64 (autonomous), to all nodes, from our link-local address. */
const RA = `
import socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex('eth0'))
prefix = struct.pack('!BBBBIII', 3, 4, 64, 0xc0, 3600, 1800, 0) + socket.inet_pton(socket.AF_INET6, '2001:db8:77::')
ra = struct.pack('!BBHBBHII', 134, 0, 0, 64, 0, 1800, 0, 0) + prefix
for _ in range(5):
    s.sendto(ra, ('ff02::1', 0, 0, socket.if_nametoindex('eth0')))
    time.sleep(0.2)
print('sent')
`;

test('a container\'s router advertisement reaches no peer: no address from its prefix appears', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: nra
services:
  peer:
    command: ["sleep", "infinity"]
    sysctls: {net.ipv6.conf.eth0.accept_ra: 2}
  rogue:
    command: ["sleep", "infinity"]
networks:
  default:
    enable_ipv6: true
    ipam:
      config: [{subnet: 10.216.0.0/24}, {subnet: fd42:216::/64}]
`,
    );
    await ok(host, dir, ['up', '-d']);
    const sent = await tsc(host, dir, ['exec', '-T', 'rogue', 'python3', '-c', RA]);
    t.is(sent.stdout.trim(), 'sent', sent.stderr);
    await new Promise((r) => setTimeout(r, 1500));
    const addrs = (await tsc(host, dir, ['exec', '-T', 'peer', 'ip', '-6', 'addr', 'show', 'dev', 'eth0'])).stdout;
    t.regex(addrs, /fd42:216::/, 'the peer has its own address');
    t.notRegex(addrs, /2001:db8:77:/, 'and none from the rogue prefix');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});
