/**
 * `security_opt` apparmor= and label= as a container's securityContext:
 *   apparmor=unconfined      → appArmorProfile {type: Unconfined}
 *   apparmor=PROFILE         → appArmorProfile {type: Localhost, localhostProfile: PROFILE}
 *                              (the profile must be loaded on every node, as for Docker on its host)
 *   label=user:/role:/type:/level:  → seLinuxOptions {user, role, type, level}
 *   label=disable            → seLinuxOptions {type: spc_t} (the unconfined container type
 *                              container-selinux gives a container with labeling disabled)
 * label=filetype: and label=nested have no Kubernetes field: returned as gaps.
 */
import type { ServiceSpec } from '../../compose/types';

export interface LsmContext {
  fields: Record<string, unknown>;
  /** Why a label option did not map (for the "not mapped" list). */
  gaps: string[];
}

const SELINUX_FIELDS = ['user', 'role', 'type', 'level'] as const;

export function lsmContext(svc: Pick<ServiceSpec, 'apparmor' | 'securityLabel'>): LsmContext {
  const fields: Record<string, unknown> = {};
  const gaps: string[] = [];
  if (svc.apparmor !== undefined) {
    fields['appArmorProfile'] = svc.apparmor === 'unconfined' ? { type: 'Unconfined' } : { type: 'Localhost', localhostProfile: svc.apparmor };
  }
  const selinux: Record<string, string> = {};
  for (const opt of svc.securityLabel ?? []) {
    if (opt === 'disable') {
      selinux['type'] = 'spc_t';
      continue;
    }
    const i = opt.indexOf(':');
    const [key, value] = i < 0 ? [opt, ''] : [opt.slice(0, i), opt.slice(i + 1)];
    if ((SELINUX_FIELDS as readonly string[]).includes(key)) selinux[key] = value;
    else gaps.push(`label=${opt} has no securityContext field`);
  }
  if (Object.keys(selinux).length) fields['seLinuxOptions'] = selinux;
  return { fields, gaps };
}
