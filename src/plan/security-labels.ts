/**
 * `security_opt: apparmor=PROFILE` and `label=…` (SELinux), weighed against
 * the host as Docker does: where the security module is absent (this
 * Debian host has neither) there is nothing to confine with, and the
 * option is discarded with a warning at its key; `apparmor=unconfined` and
 * `label=disable` ask for what tscompose does anyway. Where the module is
 * there, loading a profile or a context onto the container's process is
 * not implemented yet: the plan refuses rather than run it unconfined.
 */
import type { SpecIssue } from '../errors';
import type { Project, ServiceSpec } from '../compose/types';
import type { Observed } from './model';

export function securityLabelIssues(project: Project, observed: Observed): { errors: SpecIssue[]; warnings: SpecIssue[] } {
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const at = (svc: ServiceSpec, message: string): SpecIssue => {
    const path = `services.${svc.name}.security_opt`;
    const loc = project.sources.get(path);
    return { path, message, ...(loc ? { loc } : {}) };
  };
  for (const svc of Object.values(project.services)) {
    if (svc.apparmor && svc.apparmor !== 'unconfined') {
      if (!observed.kernel?.apparmor) warnings.push(at(svc, `this host has no AppArmor (its kernel module is not enabled): apparmor=${svc.apparmor} discarded`));
      else errors.push(at(svc, `apparmor=${svc.apparmor}: loading an AppArmor profile is not supported yet (this host has AppArmor); apparmor=unconfined is`));
    }
    const labels = (svc.securityLabel ?? []).filter((l) => l !== 'disable');
    if (labels.length) {
      const text = labels.map((l) => `label=${l}`).join(', ');
      if (!observed.kernel?.selinux) warnings.push(at(svc, `this host has no SELinux: ${text} discarded`));
      else errors.push(at(svc, `${text}: SELinux process labels are not supported yet (this host has SELinux); label=disable is`));
    }
  }
  return { errors, warnings };
}
