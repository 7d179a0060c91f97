/**
 * A throwaway "outside" host inside a test host: a network namespace joined
 * to the host by a veth, with test-only addresses (198.18.0.0/24, the
 * benchmarking range, and fd42:18::/64). The host has no default route and
 * the outside only knows its own link: what it sees of a container is the
 * host's address (masquerade) or nothing.
 */
import * as path from 'node:path';
import type { Host } from './host';

export const OUTSIDE = {
  ns: 'tscout',
  hostIp: '198.18.0.1',
  ip: '198.18.0.2',
  hostIp6: 'fd42:18::1',
  ip6: 'fd42:18::2',
} as const;

async function must(host: Host, script: string): Promise<string> {
  const r = await host.sh(script);
  if (r.code !== 0) throw new Error(`${script}\nexited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export async function addOutside(host: Host): Promise<void> {
  const o = OUTSIDE;
  await must(
    host,
    [
      'set -e',
      `ip netns add ${o.ns}`,
      `ip link add tscout0 type veth peer name eth0 netns ${o.ns}`,
      `ip addr add ${o.hostIp}/24 dev tscout0`,
      `ip -6 addr add ${o.hostIp6}/64 dev tscout0 nodad`,
      'ip link set tscout0 up',
      `ip -n ${o.ns} addr add ${o.ip}/24 dev eth0`,
      `ip -n ${o.ns} -6 addr add ${o.ip6}/64 dev eth0 nodad`,
      `ip -n ${o.ns} link set eth0 up`,
      `ip -n ${o.ns} link set lo up`,
    ].join('\n'),
  );
}

/** Run a command in the outside namespace. */
/** `script` as one double-quoted bash word: `$` stays for the inner shell. */
const quoted = (script: string) => JSON.stringify(script).replace(/\$/g, '\\$');

export function outside(host: Host, script: string) {
  return host.sh(`ip netns exec ${OUTSIDE.ns} bash -c ${quoted(script)}`);
}

/** Start a background server in the outside namespace (it dies with the test host). */
export async function outsideDaemon(host: Host, script: string): Promise<void> {
  await must(host, `ip netns exec ${OUTSIDE.ns} setsid bash -c ${quoted(script)} </dev/null >/dev/null 2>&1 &`);
}

/**
 * The host's resolv.conf, inside the test host's mount namespace only,
 * points at a fake upstream in the outside namespace answering NAME=IP.
 */
export async function fakeUpstream(host: Host, names: Record<string, string>): Promise<void> {
  const script = path.join(__dirname, 'fake-dns.js');
  const args = Object.entries(names).map(([n, ip]) => `${n}=${ip}`).join(' ');
  await outsideDaemon(host, `exec ${process.execPath} ${script} ${OUTSIDE.ip} ${args}`);
  await must(host, `printf 'nameserver ${OUTSIDE.ip}\\n' > ${host.dir}/resolv.conf && mount --bind ${host.dir}/resolv.conf /etc/resolv.conf`);
  // Wait until it answers.
  for (let i = 0; i < 100; i++) {
    const r = await host.sh(`dig +time=1 +tries=1 +short @${OUTSIDE.ip} ${Object.keys(names)[0] ?? 'x'}`);
    if (r.code === 0) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('fake upstream DNS did not start');
}

/** Route 127.0.0.0/8 from the outside to the host (what a LAN neighbour does in moby#41872). */
export async function routeLoopbackToHost(host: Host): Promise<void> {
  const r = await outside(
    host,
    [
      'set -e',
      'ip rule add pref 1000 lookup local',
      'ip rule del pref 0',
      `ip route add 127.0.0.0/8 via ${OUTSIDE.hostIp} dev eth0 table 100`,
      'ip rule add pref 10 to 127.0.0.0/8 lookup 100',
      'sysctl -qw net.ipv4.conf.eth0.route_localnet=1 net.ipv4.conf.all.route_localnet=1',
    ].join('; '),
  );
  if (r.code !== 0) throw new Error(`routing 127/8 from the outside: ${r.stderr}`);
}
