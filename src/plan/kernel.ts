/**
 * Kernel settings the networks need, each with the reason the plan shows:
 * forwarding only when a network has a way out, and per-bridge settings on
 * our own bridges (they go away with them). tscompose never turns
 * forwarding off again (Docker does not either: other software may rely on
 * it by then). Pure.
 */
import { localnetBridges } from './firewall';
import type { Desired, DesiredSysctl } from './model';

export function desiredSysctls(desired: Desired): DesiredSysctl[] {
  const out: DesiredSysctl[] = [];
  const nets = Object.values(desired.networks).filter((n) => n.managed);
  // IPv6-only networks (no IPv4 subnet) need only IPv6 forwarding.
  const outward = nets.filter((n) => !n.internal && n.subnet).map((n) => n.key);
  if (outward.length) {
    out.push({ key: 'net.ipv4.ip_forward', value: '1', why: `host-wide: network(s) ${outward.join(', ')} route to the outside and receive published ports` });
  }
  const outward6 = nets.filter((n) => !n.internal && n.ipv6).map((n) => n.key);
  if (outward6.length) {
    out.push({
      key: 'net.ipv6.conf.all.forwarding',
      value: '1',
      why: `host-wide: IPv6 network(s) ${outward6.join(', ')} route to the outside (an uplink configured by router advertisements then needs accept_ra=2)`,
    });
  }
  for (const n of nets) {
    out.push({ key: `net.ipv6.conf.${n.bridge}.accept_ra`, value: '0', why: `router advertisements from containers of ${n.key} must not change the host's routes` });
  }
  for (const b of localnetBridges(desired)) {
    const key = nets.find((n) => n.bridge === b)?.key ?? b;
    out.push({ key: `net.ipv4.conf.${b}.route_localnet`, value: '1', why: `the host reaches ports published by ${key} through 127.0.0.1 (guarded: nothing else may route 127/8 there)` });
  }
  return out;
}

/** The bridge a per-interface key belongs to (`net.ipv4.conf.BRIDGE.x`), if any. */
export function sysctlBridge(key: string): string | undefined {
  const m = /^net\.ipv[46]\.conf\.(.+)\.[a-z_]+$/.exec(key);
  return m && m[1] !== 'all' && m[1] !== 'default' ? m[1] : undefined;
}
