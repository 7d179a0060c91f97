/**
 * A stand-in for the host's upstream resolver in privileged tests, run in
 * the test's "outside" namespace: `node fake-dns.js ADDRESS NAME=IP...`
 * answers those names (A records) and NXDOMAIN for everything else. Nothing
 * ever leaves the test host.
 */
import * as dgram from 'node:dgram';
import * as packet from 'dns-packet';

const [address, ...pairs] = process.argv.slice(2);
const names = new Map(pairs.map((p) => p.split('=') as [string, string]));
const sock = dgram.createSocket(address!.includes(':') ? 'udp6' : 'udp4');
sock.on('message', (msg, rinfo) => {
  const q = packet.decode(msg);
  const question = q.questions?.[0];
  const ip = question && question.type === 'A' ? names.get(question.name.toLowerCase()) : undefined;
  const res = packet.encode({
    type: 'response',
    id: q.id ?? 0,
    flags: packet.RECURSION_AVAILABLE | (ip ? 0 : 3),
    questions: q.questions ?? [],
    answers: ip ? [{ type: 'A', class: 'IN', name: question!.name, ttl: 60, data: ip }] : [],
  });
  sock.send(res, rinfo.port, rinfo.address);
});
sock.bind(53, address, () => process.stdout.write('ready\n'));
