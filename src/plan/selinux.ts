/**
 * SELinux relabeling (`:z`, `:Z`, `bind.selinux`): where SELinux is not
 * enforcing (this Debian host, most non-RHEL hosts) it is a no-op, as
 * Docker's relabel is; where it is enforcing, relabeling is not implemented
 * yet, so the plan refuses rather than give a container a mount it cannot read.
 */
import type { SpecIssue } from '../errors';
import type { Project } from '../compose/types';
import type { Observed } from './model';

export function selinuxIssues(project: Project, observed: Observed): SpecIssue[] {
  if (observed.kernel?.selinuxEnforcing !== true) return [];
  const out: SpecIssue[] = [];
  for (const svc of Object.values(project.services)) {
    for (const m of svc.mounts ?? []) {
      if (m.type !== 'bind' || !m.selinux) continue;
      // Mounts are sorted parent-first: the key, not the item, is named.
      const path = `services.${svc.name}.volumes`;
      const loc = project.sources.get(path);
      out.push({ path, message: `SELinux relabeling (${m.selinux}) of ${m.source} is not supported yet on a host where SELinux is enforcing`, ...(loc ? { loc } : {}) });
    }
  }
  return out;
}
