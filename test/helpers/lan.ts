/**
 * A "LAN" for macvlan/ipvlan tests inside a throwaway host: the parent veth
 * (PARENT) in the host, its peer in namespace `lan` carrying the gateway
 * addresses the test gives, and a ping that tolerates a loaded machine.
 */
import type { Host } from './host';

export const PARENT = 'tsc-up0';

// Equivalent to: ip netns add lan; ip link add tsc-up0 type veth peer name tsc-up1 netns lan; ip -n lan addr add …
export async function lan(host: Host, addresses: string[]): Promise<void> {
  const r = await host.sh(
    [
      'set -e',
      'ip netns add lan',
      `ip link add ${PARENT} type veth peer name tsc-up1 netns lan`,
      `ip link set ${PARENT} up`,
      'ip -n lan link set tsc-up1 up',
      ...addresses.map((a) => `ip -n lan addr add ${a} dev tsc-up1${a.includes(':') ? ' nodad' : ''}`),
    ].join('\n'),
  );
  if (r.code !== 0) throw new Error(`lan setup: ${r.stderr}`);
}

export async function ping(host: Host, from: string, to: string): Promise<boolean> {
  // -W 5 per reply, up to 3 tries: a loaded machine may be slow to answer ARP / neighbour discovery.
  const r = await host.run(['ip', 'netns', 'exec', from, 'ping', '-c', '1', '-W', '5', to]);
  if (r.code === 0) return true;
  return (await host.run(['ip', 'netns', 'exec', from, 'ping', '-c', '2', '-W', '5', to])).code === 0;
}
