/**
 * `driver_opts` of a service's network attachment. Docker reads one:
 * `com.docker.network.endpoint.sysctls`, a comma-separated list of
 * `net.*.conf.IFNAME.KEY=VALUE` settings of the container's interface on
 * that network, IFNAME standing for its name (substituted by the planner,
 * plan/endpoint-sysctls.ts). Anything else is refused at its line.
 */
import { field, sortedRecord } from './read';
import type { Field, Reader } from './read';
import type { ServiceNetwork } from './types';

export const ENDPOINT_SYSCTLS = 'com.docker.network.endpoint.sysctls';
const PER_INTERFACE = /^net\.(ipv4|ipv6|mpls)\.conf\.IFNAME\.[A-Za-z0-9_]+$/;

export function endpointOpts(f: Field, r: Reader, a: ServiceNetwork): void {
  const map = r.map(f);
  if (!map) return;
  for (const e of map.entries.values()) {
    const of = field(f.path, e);
    if (e.key !== ENDPOINT_SYSCTLS) {
      r.error(of, `driver option ${e.key} is not supported yet on a network attachment (only ${ENDPOINT_SYSCTLS})`);
      continue;
    }
    const v = r.text(of);
    if (v === undefined) continue;
    const out: Array<[string, string]> = [];
    for (const item of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      const eq = item.indexOf('=');
      const key = eq < 0 ? item : item.slice(0, eq).trim();
      if (eq < 0) r.error(of, `"${item}" is not KEY=VALUE`);
      else if (!PER_INTERFACE.test(key)) {
        r.error(of, `"${key}" is not a setting of this interface: use net.ipv4.conf.IFNAME.KEY, net.ipv6.conf.IFNAME.KEY or net.mpls.conf.IFNAME.KEY (IFNAME stands for the interface's name)`);
      } else out.push([key, item.slice(eq + 1).trim()]);
    }
    if (out.length) a.endpointSysctls = sortedRecord(out);
  }
}
