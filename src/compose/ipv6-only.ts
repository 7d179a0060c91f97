/**
 * `enable_ipv4: false` (or `driver_opts: {com.docker.network.enable_ipv4:
 * "false"}`): an IPv6-only network, as Docker 28 makes them. It must have
 * IPv6 (Docker: "IPv4 or IPv6 must be enabled"), and nothing IPv4 may be
 * configured on it: no IPv4 ipam subnet, no host_binding_ipv4. Services'
 * `ipv4_address` on it and IPv4 `ports` host addresses are checked where
 * services are (validate.ts, plan/ports.ts).
 */
import { optFields } from './network-driver';
import { field } from './read';
import type { Field, Reader } from './read';
import { childPath } from './tree';
import type { NetworkSpec } from './types';

const ENABLE_IPV4_OPT = 'com.docker.network.enable_ipv4';
const HOST_BINDING_OPT = 'com.docker.network.bridge.host_binding_ipv4';

export function checkIpv6Only(spec: NetworkSpec, keys: Map<string, Field>, r: Reader): void {
  const opts = optFields(keys);
  const said = keys.get('enable_ipv4') ?? opts.get(ENABLE_IPV4_OPT)!;
  const how = keys.has('enable_ipv4') ? 'enable_ipv4: false' : `${ENABLE_IPV4_OPT}: "false"`;
  if (!spec.enableIpv6) r.error(said, `IPv4 or IPv6 must be enabled: ${how} needs enable_ipv6: true (an IPv6-only network)`);
  if (spec.driver !== 'bridge' && !spec.lowerLink) r.error(said, `IPv6-only networks are not supported yet for driver: ${spec.driver}`);
  const ipam = keys.get('ipam');
  spec.ipam.forEach((pool, i) => {
    if (!pool.subnet || pool.subnet.includes(':')) return;
    r.error(ipamSubnetField(ipam, i) ?? said, `IPv4 subnet ${pool.subnet} on an IPv6-only network (${how}): remove it, or let the network have IPv4`);
  });
  const hb = opts.get(HOST_BINDING_OPT);
  if (hb) r.error(hb, `has no effect on an IPv6-only network (${how}): its ports are published on IPv6 addresses only`);
}

/** The field of `ipam.config[i].subnet`, for its line. */
function ipamSubnetField(ipam: Field | undefined, i: number): Field | undefined {
  if (ipam?.node.kind !== 'map') return undefined;
  const config = ipam.node.entries.get('config');
  const item = config?.value.kind === 'seq' ? config.value.items[i] : undefined;
  const subnet = item?.kind === 'map' ? item.entries.get('subnet') : undefined;
  return subnet ? field(childPath(childPath(ipam.path, 'config'), i), subnet) : undefined;
}
