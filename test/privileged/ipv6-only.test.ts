/**
 * IPv6-only networks (`enable_ipv4: false`), each test in its own throwaway
 * host that also holds an "outside" host (test/helpers/outside.ts): no IPv4
 * on the bridge or the containers' interfaces, names answered with AAAA
 * only, ping6 between containers by name, a port published over IPv6, and
 * a container on a second, normal network keeping IPv4 there. Asserted with
 * ip, dig, ping and socat, never with tscompose's own code.
 */
import type { ExecutionContext } from 'ava';
import { testNeeding, withHost, type Host } from '../helpers/host';
import { leftovers, ok, writeProject } from '../helpers/containers';
import { addOutside, OUTSIDE, outside } from '../helpers/outside';

const STACK = `
name: v6o
services:
  web:
    command: ["socat", "TCP6-LISTEN:80,fork,reuseaddr", "SYSTEM:echo web"]
    ports: ["8080:80"]
    networks:
      only6:
        ipv6_address: fd42:66::10
  client:
    networks: [only6]
  both:
    networks: [only6, plain]
networks:
  only6:
    enable_ipv4: false
    enable_ipv6: true
    ipam:
      config:
        - subnet: fd42:66::/64
  plain:
    ipam:
      config:
        - subnet: 10.67.0.0/24
`;

/** stdout of a shell command in a service's container (exit code ignored: callers assert on output). */
async function inside(host: Host, dir: string, service: string, cmd: string): Promise<string> {
  const r = await host.tscompose(['exec', '-T', service, 'sh', '-c', cmd], { cwd: dir, timeoutMs: 30_000 });
  return r.stdout.trim();
}

/** Asks until the answer is `want` (a loaded machine may be slow the first time); the last answer. */
async function settled(get: () => Promise<string>, want: string): Promise<string> {
  let got = '';
  for (let i = 0; i < 5; i++) {
    got = await get();
    if (got === want) return got;
    await new Promise((r) => setTimeout(r, 300));
  }
  return got;
}

/** Every IPv4 address in a namespace (`ip -4 addr`), as ifname/address. */
async function ipv4(host: Host, netns?: string): Promise<string[]> {
  const links = await host.ipJson([...(netns ? ['-n', netns] : []), '-4', 'addr', 'show']);
  return links.flatMap((l: any) => l.addr_info.map((a: any) => `${l.ifname}/${a.local}`));
}

async function listening(host: Host, netns: string, port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await host.sh(`ip netns exec ${netns} ss -H -ltn 'sport = :${port}'`)).stdout.trim()) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`nothing listens on ${port} in ${netns}`);
}

testNeeding('ipv6')('an IPv6-only network: no IPv4 but lo, ping6 by name, AAAA only, a port published over IPv6; a second network keeps IPv4', async (t: ExecutionContext) => {
  await withHost(t, async (host) => {
    await addOutside(host);
    const dir = writeProject(host, STACK);
    await ok(host, dir, ['up', '-d']);
    await listening(host, 'tsc.v6o.web.1', 80);
    for (const svc of ['web', 'client']) t.deepEqual(await ipv4(host, `tsc.v6o.${svc}.1`), ['lo/127.0.0.1'], `${svc}: no IPv4 but lo`);
    const [eth0] = await host.ipJson(['-n', 'tsc.v6o.web.1', 'addr', 'show', 'dev', 'eth0']);
    t.true(eth0.addr_info.some((a: any) => a.local === 'fd42:66::10' && a.prefixlen === 64), 'web has its ipv6_address');
    t.is((await host.ipJson(['-6', '-n', 'tsc.v6o.client.1', 'route', 'show', 'default']))[0]?.gateway, 'fd42:66::1');
    t.deepEqual(await host.ipJson(['-4', '-n', 'tsc.v6o.client.1', 'route', 'show', 'default']), [], 'no IPv4 default route');
    // The bridge of only6 has the IPv6 gateway and no IPv4 address; plain's has its IPv4 gateway.
    const bridgesV4 = (await ipv4(host)).filter((a) => !a.startsWith('lo/') && !a.startsWith('tscout0/'));
    t.is(bridgesV4.length, 1, `only plain's bridge has IPv4: ${bridgesV4.join(' ')}`);
    t.regex(bridgesV4[0] ?? '', /\/10\.67\.0\.1$/);

    // Names: AAAA from the project's DNS server (on the IPv6 gateway), no A; ping6 by name.
    t.true((await inside(host, dir, 'client', 'cat /etc/resolv.conf')).includes('nameserver fd42:66::1'));
    t.is(await settled(() => inside(host, dir, 'client', 'dig +time=3 +tries=3 +short AAAA web'), 'fd42:66::10'), 'fd42:66::10');
    t.is(await inside(host, dir, 'client', 'dig +time=3 +tries=3 +short A web'), '', 'no A record');
    const ping = await host.tscompose(['exec', '-T', 'client', 'ping', '-6', '-c', '1', '-W', '5', 'web'], { cwd: dir, timeoutMs: 30_000 });
    t.is(ping.code, 0, ping.stdout + ping.stderr);
    t.regex(ping.stdout, /fd42:66::10/);
    const back = await host.tscompose(['exec', '-T', 'web', 'sh', '-c', 'ping -6 -c 1 -W 5 client || ping -6 -c 2 -W 5 client'], { cwd: dir, timeoutMs: 30_000 });
    t.is(back.code, 0, back.stdout + back.stderr);

    // A container on both networks: IPv6 only on only6, IPv4 (and its IPv4 default route) through plain.
    const both = await ipv4(host, 'tsc.v6o.both.1');
    t.is(both.length, 2, both.join(' '));
    t.true(both.some((a) => /^eth\d\/10\.67\.0\.\d+$/.test(a)));
    t.regex((await host.ipJson(['-4', '-n', 'tsc.v6o.both.1', 'route', 'show', 'default']))[0]?.gateway ?? '', /^10\.67\.0\.1$/);
    t.is(await settled(() => inside(host, dir, 'both', 'socat -u TCP6:web:80,connect-timeout=2 - 2>/dev/null'), 'web'), 'web');

    // The published port: over IPv6 from the outside and from the test host itself; not over IPv4.
    const O = OUTSIDE;
    const from = async (script: string) => (await outside(host, script)).stdout.trim();
    t.is(await settled(() => from(`socat -u TCP6:[${O.hostIp6}]:8080,connect-timeout=2 - 2>/dev/null`), 'web'), 'web');
    t.is(await settled(async () => (await host.sh(`socat -u TCP6:[${O.hostIp6}]:8080,connect-timeout=2 - 2>/dev/null`)).stdout.trim(), 'web'), 'web');
    t.is(await from(`socat -u TCP4:${O.hostIp}:8080,connect-timeout=2 - 2>/dev/null`), '', 'not published over IPv4');

    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), ['links: tscout0', 'netns: tscout']);
  });
});
