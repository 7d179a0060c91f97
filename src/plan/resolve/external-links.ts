/**
 * `external_links`: a container of another project (by its name, as `ps`
 * shows it), named by the alias in this container's /etc/hosts, at its
 * address on a bridge both are on (read from the other project's journal).
 */
import type { SpecIssue } from '../../errors';
import type { Project, ServiceSpec } from '../../compose/types';
import type { DesiredNetwork, Observed } from '../model';
import type { NamedIface } from './peers';

export function externalLinkHosts(
  project: Project,
  svc: ServiceSpec,
  view: NamedIface[],
  networks: Record<string, DesiredNetwork>,
  observed: Observed,
): { hosts: Array<{ host: string; ip: string }>; issues: SpecIssue[] } {
  const hosts: Array<{ host: string; ip: string }> = [];
  const issues: SpecIssue[] = [];
  const path = `services.${svc.name}.external_links`;
  const bridges = new Set(view.map((i) => networks[i.network]?.bridge).filter((b): b is string => !!b));
  for (const l of svc.externalLinks ?? []) {
    const theirs = observed.otherProjects.flatMap((o) => o.addresses.filter((a) => a.container === l.container).map((a) => ({ ...a, project: o.project })));
    const shared = theirs.find((a) => bridges.has(a.bridge));
    if (shared) hosts.push({ host: l.alias, ip: shared.address });
    else {
      issues.push({
        path,
        loc: project.sources.get(path),
        message: theirs.length
          ? `${l.container} (project ${theirs[0]!.project}) is on no network this service shares: join one of its networks with external: true`
          : `no container named ${l.container} in another tscompose project (its name as \`tscompose ps\` shows it, e.g. PROJECT-SERVICE-1)`,
      });
    }
  }
  return { hosts, issues };
}
