/**
 * What a command run inside a running container gets — `exec` and the
 * healthcheck alike: the container's namespaces (its network one unless it
 * shares the host's), environment, working directory, user, cgroup,
 * rlimits, oom_score_adj, capabilities, no_new_privs, seccomp filter,
 * AppArmor profile and SELinux label. Pure.
 */
import { capabilityMask } from '../linux/capabilities';
import type { LaunchSeccomp, LaunchSettings, NetnsPlacement } from './model';

export interface ExecSettings {
  namespaces: string[];
  env: Record<string, string>;
  cwd?: string;
  user?: { uid: number; gid: number };
  /** `group_add`: the container's supplementary groups. */
  groups?: number[];
  /** Relative to each hierarchy's root (sys/cgroup turns it into directories). */
  cgroup?: string;
  rlimits?: Record<string, { soft: number; hard: number }>;
  oomScoreAdj?: number;
  caps?: string;
  noNewPrivs?: boolean;
  /** The container's seccomp filter: a command run in it gets the same. */
  seccomp?: LaunchSeccomp;
  /** The container's AppArmor profile and SELinux process label: a command run in it gets the same (as runc's exec). */
  apparmor?: string;
  execLabel?: string;
}

export function execSettings(launch: LaunchSettings, netns: NetnsPlacement): ExecSettings {
  const iso = launch.isolation;
  return {
    // Joined ones too (pid/ipc: service:): the container's process is in them.
    namespaces: [...(netns.kind === 'host' ? [] : ['net']), ...launch.namespaces.map((n) => (n === 'mount' ? 'mnt' : n)), ...(launch.join ?? []).map((j) => j.namespace)],
    env: { ...launch.env },
    ...(launch.cwd ? { cwd: launch.cwd } : {}),
    ...(launch.user ? { user: launch.user } : {}),
    ...(launch.groups ? { groups: launch.groups } : {}),
    ...(launch.cgroup !== undefined ? { cgroup: launch.cgroup } : {}),
    ...(launch.rlimits ? { rlimits: launch.rlimits } : {}),
    ...(launch.oomScoreAdj !== undefined ? { oomScoreAdj: launch.oomScoreAdj } : {}),
    ...(iso ? { caps: capabilityMask(iso.caps), noNewPrivs: iso.noNewPrivs ?? !iso.privileged } : {}),
    ...(iso?.seccomp ? { seccomp: iso.seccomp } : {}),
    ...(iso?.lsm?.apparmor ? { apparmor: iso.lsm.apparmor } : {}),
    ...(iso?.lsm?.processLabel ? { execLabel: iso.lsm.processLabel } : {}),
  };
}
