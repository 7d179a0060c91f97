/**
 * The host sockets a published port would hide, as observe reads them from
 * /proc/net, against `ss` (sock_diag) in the same throwaway host.
 */
import test from 'ava';
import * as path from 'node:path';
import { withHost } from '../helpers/host';

const sockets = path.resolve(__dirname, '..', '..', 'src', 'observe', 'sockets.js');

test('observeHostSockets agrees with ss: TCP listeners and UDP sockets, IPv4, IPv6, mapped, wildcards', async (t) => {
  await withHost(t, async (host) => {
    const listeners = [
      'TCP4-LISTEN:7001,bind=127.0.0.1',
      'TCP6-LISTEN:7002,ipv6only=0',
      'TCP6-LISTEN:7003,bind=[::1]',
      'TCP6-LISTEN:7004,bind=[::ffff:127.0.0.1]',
      'UDP4-RECVFROM:7005',
      'UDP6-RECVFROM:7006,bind=[::1]',
    ];
    for (const l of listeners) await host.sh(`setsid socat ${l},fork,reuseaddr SYSTEM:true </dev/null >/dev/null 2>&1 &`);
    // A connected TCP socket is not a listener (its ephemeral port is the client's).
    await host.sh(`setsid socat TCP4:127.0.0.1:7001 SYSTEM:'sleep 60' </dev/null >/dev/null 2>&1 &`);
    let ss = '';
    for (let i = 0; i < 200; i++) {
      ss = (await host.sh('ss -Htuln')).stdout;
      if (listeners.every((_, k) => ss.includes(`:700${k + 1} `))) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    // ss: "tcp LISTEN 0 5 127.0.0.1:7001 0.0.0.0:*"; an IPv6 wildcard that takes IPv4 too is "*", a mapped one "[::ffff:a.b.c.d]".
    const fromSs = ss
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map(([proto, , , , local]) => {
        const m = /^(.*):(\d+)$/.exec(local!)!;
        let addr = m[1]!.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
        if (addr === '*') addr = '::';
        addr = addr.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
        return `${proto} ${addr} ${m[2]}`;
      })
      .sort();
    const r = await host.run([process.execPath, '-e', `console.log(JSON.stringify(require(${JSON.stringify(sockets)}).observeHostSockets()))`]);
    t.is(r.code, 0, r.stderr);
    const ours = (JSON.parse(r.stdout) as Array<{ protocol: string; family: number; ip?: string; port: number }>)
      .map((s) => `${s.protocol} ${s.ip ?? (s.family === 6 ? '::' : '0.0.0.0')} ${s.port}`)
      .sort();
    t.deepEqual(ours, fromSs);
    t.true(ours.includes('tcp 127.0.0.1 7004'), 'the mapped listener is an IPv4 one');
    t.is(ours.filter((s) => s.endsWith(' 7001')).length, 1, 'the client socket is not listed');
  });
});
