/**
 * Neighbours: a container keeps CAP_NET_RAW (Docker's default) but cannot
 * use it against the others on its bridge. Per bridge port (the host end
 * of a container's veth on a compose bridge network), in the project's
 * `bridge` table at prerouting (every frame a port sends, bridged or for
 * the host):
 *
 *   ether saddr, ARP sender MAC   the port's own MAC only
 *   ARP sender IP, IPv4 source    its own address (or 0.0.0.0: probes, DHCP)
 *   IPv6 source                   its own address, its EUI-64 link-local, or ::
 *   NDP advertisement target      its own addresses only
 *   router advertisements, redirects  dropped
 *
 * A container that routes (sysctl ip_forward or a conf.*.forwarding on)
 * may send foreign IP sources of that family (and, for IPv6, RAs) through
 * its port: a lab router on a bridge network. p2p lab links are veths
 * between containers, never bridge ports: nothing here touches them.
 * Docker does none of this. Pure.
 */
import { parseIPv6 } from '../net/ip';
import { shortHash } from './names';
import type { Desired, DesiredContainer, DesiredInterface } from './model';

/** A chain of the bridge table (firewall.ts's NftChain). */
interface Chain {
  name: string;
  base?: string;
  rules: string[];
}

const q = (s: string) => `"${s}"`;
const set = (items: string[]) => (items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`);

/** fe80::/64 + the modified EUI-64 of a MAC: the link-local address the kernel gives it (addr_gen_mode 0). */
export function eui64LinkLocal(mac: string): string {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const id = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  const groups = [0, 2, 4, 6].map((i) => ((id[i]! << 8) | id[i + 1]!).toString(16));
  return `fe80::${groups.join(':')}`;
}

/** An IPv6 address as the 128-bit number raw payload matches compare with. */
const hex128 = (a: string) => `0x${parseIPv6(a)!.toString(16).padStart(32, '0')}`;

const on = (v: string | undefined) => v !== undefined && v.trim() !== '0';

/** Whether the container forwards IPv4 / IPv6 (its sysctls). */
function routes(c: DesiredContainer): { v4: boolean; v6: boolean } {
  const s = Object.entries(c.launch.sysctls ?? {});
  // ip_forward, or forwarding on all, default or one interface.
  return {
    v4: s.some(([k, v]) => /^net\.ipv4\.(ip_forward|conf\.[^.]+\.forwarding)$/.test(k) && on(v)),
    v6: s.some(([k, v]) => /^net\.ipv6\.conf\.[^.]+\.forwarding$/.test(k) && on(v)),
  };
}

function portRules(i: DesiredInterface, router: { v4: boolean; v6: boolean }): string[] {
  const ll = eui64LinkLocal(i.mac);
  const own6 = [...(i.address6 ? [i.address6] : []), ll];
  const own4 = [...(i.address ? [i.address] : []), '0.0.0.0'];
  return [
    `ether saddr != ${i.mac} drop`,
    `arp saddr ether != ${i.mac} drop`,
    `arp saddr ip != ${set(own4)} drop`,
    ...(router.v4 ? [] : [`ip saddr != ${set(own4)} drop`]),
    ...(router.v6 ? [] : ['icmpv6 type { nd-router-advert, nd-redirect } drop', `ip6 saddr != ${set([...own6, '::'])} drop`]),
    // The advertised target (bytes 8-23 of the ICMPv6 header): nft 1.0.6 has no `icmpv6 taddr` yet.
    `icmpv6 type nd-neighbor-advert @th,64,128 != ${set(own6.map(hex128))} drop`,
  ];
}

/** The chains of the bridge table that pin each port of our bridges to its container's addresses (none: no port). */
export function neighbourChains(desired: Desired): Chain[] {
  const managed = new Set(Object.values(desired.networks).filter((n) => n.managed).map((n) => n.key));
  const ports: Array<{ veth: string; rules: string[] }> = [];
  for (const name of Object.keys(desired.containers).sort()) {
    const c = desired.containers[name]!;
    const router = routes(c);
    for (const i of c.interfaces) if (managed.has(i.network)) ports.push({ veth: i.hostVeth, rules: portRules(i, router) });
  }
  if (!ports.length) return [];
  const chainOf = (veth: string) => `port-${shortHash(veth).slice(0, 10)}`;
  return [
    {
      name: 'neighbours',
      base: 'type filter hook prerouting priority -200; policy accept;',
      rules: ports.map((p) => `iifname ${q(p.veth)} jump ${chainOf(p.veth)}`),
    },
    ...ports.map((p) => ({ name: chainOf(p.veth), rules: p.rules })),
  ];
}
