/**
 * `security_opt: apparmor=PROFILE` and `label=…` (SELinux), and the SELinux
 * volume flags `:z`/`:Z`, weighed against the host as Docker does:
 *
 *  - where the security module is absent (this Debian host has neither)
 *    there is nothing to confine with: `apparmor=`/`label=` are discarded
 *    with a warning at their key, `:z`/`:Z` are a no-op; `apparmor=unconfined`
 *    and `label=disable` ask for what tscompose does anyway;
 *  - where AppArmor is enabled, the profile must be loaded (listed in
 *    /sys/kernel/security/apparmor/profiles), else the plan refuses it at
 *    its key, as Docker does; the shim confines the command with it;
 *  - where SELinux is enabled, a service with `label=` options or a
 *    `:z`/`:Z` bind gets a process and a mount label (plan/selinux-label.ts)
 *    and its `:z`/`:Z` sources are relabeled before it starts; a system
 *    directory is never relabeled (go-selinux's list), the plan refuses it.
 *
 * The decision is the container's `isolation.lsm` (`plan --json` shows it);
 * apply/handlers/relabel.ts and native/shim/lsm.c carry it out.
 */
import type { SpecIssue } from '../errors';
import type { Project, ServiceSpec } from '../compose/types';
import type { LaunchLsm, Observed } from './model';
import { containerLabels, mcsLevel, parseContext, relabelRefused, sharedLabel } from './selinux-label';

export function securityLabelIssues(project: Project, observed: Observed): { errors: SpecIssue[]; warnings: SpecIssue[] } {
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const at = (svc: ServiceSpec, key: string, message: string): SpecIssue => {
    const path = `services.${svc.name}.${key}`;
    const loc = project.sources.get(path);
    return { path, message, ...(loc ? { loc } : {}) };
  };
  const kernel = observed.kernel;
  for (const svc of Object.values(project.services)) {
    if (svc.apparmor && svc.apparmor !== 'unconfined') {
      if (!kernel?.apparmor) warnings.push(at(svc, 'security_opt', `this host has no AppArmor (its kernel module is not enabled): apparmor=${svc.apparmor} discarded`));
      else if (kernel.apparmorProfiles && !kernel.apparmorProfiles.includes(svc.apparmor)) {
        errors.push(at(svc, 'security_opt', `apparmor=${svc.apparmor}: no such AppArmor profile is loaded on this host (not in /sys/kernel/security/apparmor/profiles; load it with apparmor_parser -r FILE)`));
      }
    }
    const labels = (svc.securityLabel ?? []).filter((l) => l !== 'disable');
    if (labels.length && !kernel?.selinux) warnings.push(at(svc, 'security_opt', `this host has no SELinux: ${labels.map((l) => `label=${l}`).join(', ')} discarded`));
    if (!kernel?.selinux) continue;
    if (labels.length && svc.privileged) warnings.push(at(svc, 'security_opt', `privileged: ${labels.map((l) => `label=${l}`).join(', ')} has no effect (a privileged container runs unlabeled, as Docker's)`));
    for (const m of svc.mounts ?? []) {
      // Mounts are sorted parent-first: the key, not the item, is named.
      if (m.type === 'bind' && m.selinux && relabelRefused(m.source, invokerHomes(observed))) {
        errors.push(at(svc, 'volumes', `:${m.selinux} would relabel ${m.source} for SELinux: relabeling a system directory is not allowed (as Docker refuses it); bind a directory of its own`));
      }
    }
  }
  return { errors, warnings };
}

/** `$HOME`, and the home of `$SUDO_USER` in the host's passwd: go-selinux refuses to relabel them too. */
function invokerHomes(observed: Observed): string[] {
  const { home, sudoUser, passwd } = observed.host;
  const sudoHome = sudoUser ? passwd.split('\n').map((l) => l.split(':')).find((f) => f[0] === sudoUser)?.[5] : undefined;
  return [home, sudoHome].filter((h): h is string => !!h);
}

/** The level recorded in the journal for CONTAINER (its categories stay across restarts and `up`s). */
function recordedLevel(observed: Observed, container: string): string | undefined {
  const label = observed.state?.containers[container]?.launch.isolation?.lsm?.mountLabel;
  const level = label ? parseContext(label)?.level : undefined;
  return level && /^s0:c\d+,c\d+$/.test(level) ? level : undefined;
}

/** Every MCS level the journal gives a container other than CONTAINER. */
export function takenLevels(observed: Observed, container: string): Set<string> {
  const out = new Set<string>();
  for (const [name, c] of Object.entries(observed.state?.containers ?? {})) {
    const label = c.launch.isolation?.lsm?.mountLabel;
    const level = label && name !== container ? parseContext(label)?.level : undefined;
    if (level) out.add(level);
  }
  return out;
}

/**
 * The AppArmor profile and SELinux labels of CONTAINER (a replica of SVC),
 * or undefined when there are none to apply. TAKEN: the MCS levels other
 * containers hold (this plan's choices are added to it).
 */
export function lsmPolicy(svc: ServiceSpec, container: string, observed: Observed, taken: Set<string>): LaunchLsm | undefined {
  const kernel = observed.kernel;
  const out: LaunchLsm = {};
  if (kernel?.apparmor && svc.apparmor && svc.apparmor !== 'unconfined') out.apparmor = svc.apparmor;
  const binds = (svc.mounts ?? []).flatMap((m) => (m.type === 'bind' && m.selinux ? [{ source: m.source, flag: m.selinux }] : []));
  const options = svc.privileged ? ['disable'] : (svc.securityLabel ?? []);
  if (kernel?.selinux && (options.length || binds.length)) {
    const level = recordedLevel(observed, container) ?? mcsLevel(container, new Set([...taken, ...takenLevels(observed, container)]));
    taken.add(level);
    const labels = containerLabels(options, level);
    if (labels.processLabel) {
      out.processLabel = labels.processLabel;
      out.mountLabel = labels.mountLabel;
    }
    // label=disable: both flags relabel to the shared label (the container reads anything anyway).
    const relabel = binds.map((b) => ({ ...b, label: b.flag === 'Z' && labels.processLabel ? labels.mountLabel : sharedLabel(labels.mountLabel) }));
    if (relabel.length) out.relabel = relabel;
  }
  return Object.keys(out).length ? out : undefined;
}
