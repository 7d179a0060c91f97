/**
 * `com.docker.network.endpoint.sysctls`: each attachment's per-interface
 * settings, with IFNAME replaced by the interface's name in the container
 * (as Docker does), joined to the service's `sysctls` (the shim writes them
 * once the interfaces exist). On a key both name, the attachment's wins.
 */
import type { ServiceSpec } from '../compose/types';
import { attachmentIfnames } from './lab';

export function endpointSysctls(svc: ServiceSpec): Record<string, string> {
  const ifnames = attachmentIfnames(svc);
  const out: Record<string, string> = {};
  for (const a of svc.networks) {
    const ifname = ifnames.get(a.network);
    if (!ifname) continue;
    for (const [k, v] of Object.entries(a.endpointSysctls ?? {})) out[k.replace('.IFNAME.', `.${ifname}.`)] = v;
  }
  return out;
}
