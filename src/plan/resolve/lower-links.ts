/**
 * macvlan and ipvlan networks at plan time: the parent must be a link of
 * this host and the kernel must have the driver (checked before anything
 * changes), and each attachment becomes an interface on the parent, moved
 * into the container's namespace (diff/lower-links.ts makes it).
 */
import type { SpecIssue } from '../../errors';
import type { LowerLink, Project } from '../../compose/types';
import type { Observed } from '../model';
import { ownerAlias } from '../names';

/** Why each macvlan/ipvlan network of `keys` cannot be made on this host (empty: all can). */
export function lowerLinkIssues(project: Project, keys: string[], observed: Observed): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const key of keys) {
    const ll = project.networks[key]!.lowerLink;
    if (!ll) continue;
    const path = `networks.${key}.driver_opts.parent`;
    const at = (message: string, p = path) => issues.push({ path: p, loc: project.sources.get(p), message });
    if (ll.dummy) {
      // Docker makes a dummy link the parent; a kernel without the dummy driver cannot.
      if (observed.kernel?.dummy === false) {
        at(
          `${ll.kind} network ${key} has no driver_opts.parent, so its parent would be a dummy link (as Docker makes one), but this kernel has no dummy link driver (CONFIG_DUMMY: creating one fails with EOPNOTSUPP): give driver_opts.parent (a host interface), or load the dummy module`,
          `networks.${key}.driver`,
        );
      }
      continue;
    }
    const parent = observed.hostLinks.find((l) => l.name === ll.parent);
    if (!parent) at(`parent ${ll.parent} of ${ll.kind} network ${key} does not exist on this host (\`ip link show\` lists the host's interfaces)`);
    else if (parent.kind === 'bridge' && ll.kind === 'ipvlan') at(`parent ${ll.parent} is a bridge: ipvlan needs an Ethernet device`);
    const mtu = project.networks[key]!.mtu;
    if (parent?.mtu !== undefined && mtu !== undefined && mtu > parent.mtu) {
      at(`MTU ${mtu} is above the MTU of parent ${ll.parent} (${parent.mtu}): a ${ll.kind} interface cannot be larger than its parent`, `networks.${key}.driver_opts.com.docker.network.driver.mtu`);
    }
    if (ll.kind === 'ipvlan' && observed.kernel?.ipvlan === false) {
      at(`this kernel has no ipvlan driver (creating an ipvlan link fails with EOPNOTSUPP): use driver: macvlan, or load the ipvlan module`, `networks.${key}.driver`);
    }
  }
  for (const svc of Object.values(project.services)) {
    for (const n of svc.networks) {
      const ll = project.networks[n.network]?.lowerLink;
      if (!ll || !n.netem) continue;
      const p = `services.${svc.name}.networks.${n.network}.x-netem`;
      issues.push({ path: p, loc: project.sources.get(p), message: `x-netem is not supported yet on a ${ll.kind} network (it has no host end to shape)` });
    }
  }
  return issues;
}

/** The ownership mark of a container's macvlan/ipvlan interface: its parent and modes are in it, so a change recreates it. */
export function lowerLinkAlias(project: string, container: string, network: string, ll: LowerLink): string {
  return ownerAlias(project, `${ll.kind}:${container}:${network}:${ll.parent}:${ll.mode}${ll.flag ? `:${ll.flag}` : ''}`);
}

/** Whether a macvlan/ipvlan network of the file has no parent (observe then probes the kernel for dummy links). */
export const usesDummyParent = (project: Project) => Object.values(project.networks).some((n) => n.lowerLink?.dummy);

/** Whether the file asks for an ipvlan network (observe then probes the kernel for it). */
export const usesIpvlan = (project: Project) => Object.values(project.networks).some((n) => n.lowerLink?.kind === 'ipvlan');
