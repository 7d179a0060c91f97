/**
 * What the file says that the Kubernetes objects do not: every key the user
 * wrote (the loader's source map records each one) that the converter does
 * not carry over becomes a warning at its file:line. The modules warn in
 * detail about the keys they map only in part (a bind among volumes, an
 * unsafe sysctl); a key nobody maps is caught here, so a key added to
 * Compose later shows up by default.
 */
import type { Project, ServiceSpec } from '../../compose/types';
import { childKeys, leafPaths, topLevelKeys } from '../unmapped';
import { SAFE_SYSCTLS } from './pod';
import type { Warn } from '../warnings';
import { lsmContext } from './security-labels';

/** Service keys the modules carry over (or warn about in detail). */
const MAPPED_SERVICE_KEYS = new Set([
  'image', 'command', 'entrypoint', 'environment', 'env_file', 'networks', 'network_mode', 'user', 'hostname',
  'labels', 'label_file', 'annotations', 'cap_add', 'cap_drop', 'privileged', 'read_only', 'volumes', 'tmpfs',
  'build', 'dns', 'dns_search', 'dns_opt', 'extra_hosts', 'mem_limit', 'mem_reservation', 'cpus', 'cpu_shares',
  'restart', 'deploy', 'healthcheck', 'depends_on', 'ports', 'expose', 'secrets', 'configs', 'working_dir',
  'scale', 'stop_grace_period', 'stdin_open', 'sysctls', 'x-rootfs', 'x-restart-on-unhealthy', 'pull_policy', 'profiles',
  'post_start', 'pre_stop', 'platform',
  // Resolved by the loader into the keys above.
  'extends',
]);

const MAPPED_DEPLOY_LEAVES = new Set([
  'replicas', 'mode', 'resources.limits.cpus', 'resources.limits.memory', 'resources.reservations.cpus', 'resources.reservations.memory',
  'restart_policy.condition',
]);

const WHY: Record<string, string> = {
  container_name: 'pods are named by their Deployment',
  'x-routes': 'pods get their routes from the cluster network; a static route does not map',
  devices: 'host devices need a device plugin on the node',
  init: 'a pod has no init process option; use an image with one (tini) as its entrypoint',
  links: 'link aliases are per container; use the service name or network aliases',
  domainname: 'a pod has no domain name of its own (see hostname and subdomain)',
  pids_limit: 'pod PID limits are a kubelet setting',
  ulimits: 'Kubernetes has no per-pod rlimits',
  cpuset: 'CPU pinning is the kubelet CPU manager\'s',
  stop_signal: 'a container stops on SIGTERM in Kubernetes',
  'x-host-secrets': 'pods have no host root filesystem',
  device_cgroup_rules: 'host devices need a device plugin on the node',
};

const ATTACHMENT_WHY: Record<string, string> = {
  ipv4_address: 'pod addresses are the cluster network\'s',
  ipv6_address: 'pod addresses are the cluster network\'s',
  mac_address: 'pod MAC addresses are the cluster network\'s',
  interface_name: 'a pod has one interface, eth0',
  'x-mtu': 'the MTU is the cluster network\'s',
  'x-netem': 'traffic shaping does not map (a CNI bandwidth plugin annotation shapes rate only)',
  gw_priority: 'a pod has one interface and the cluster\'s default route',
  priority: 'a pod has one interface',
};

export function unmappedKeys(project: Project, warn: Warn): void {
  const add = (path: string, message: string) => warn('unmapped', path, message, path.slice(0, path.lastIndexOf('.')));
  for (const top of topLevelKeys(project)) {
    if (top === 'x-links') add(top, 'not converted: point-to-point links do not map; pods share the cluster network');
    if (top === 'x-verify') add(top, 'not converted: Kubernetes has no reachability checks');
    if (top === 'x-hosts') add(top, 'not converted: the scheduler places pods');
  }
  for (const svc of Object.values(project.services)) serviceKeys(project, svc, add, warn);
  for (const net of Object.values(project.networks)) {
    const base = `networks.${net.name}`;
    if (net.driver === 'p2p' && !net.fromLink) add(`${base}.driver`, 'not converted: point-to-point links do not map; pods share the cluster network');
    for (const key of childKeys(project, base)) {
      if (key === 'ipam') add(`${base}.ipam`, 'not converted: pod addresses are the cluster network\'s');
      else if (key === 'x-netem') add(`${base}.x-netem`, ATTACHMENT_WHY['x-netem']!);
      else if (key === 'enable_ipv6') add(`${base}.enable_ipv6`, 'not converted: IPv6 is the cluster network\'s setting');
      else if (key === 'labels') add(`${base}.labels`, 'not converted: NetworkPolicies carry the project\'s labels');
    }
    for (const opt of leafPaths(project, `${base}.driver_opts`)) {
      if (opt !== 'com.docker.network.bridge.enable_icc') add(`${base}.driver_opts.${opt}`, 'not converted: the cluster network takes no bridge driver options');
    }
  }
  for (const kind of ['volumes', 'secrets', 'configs']) {
    for (const name of childKeys(project, kind)) {
      for (const key of childKeys(project, `${kind}.${name}`)) {
        if (key === 'driver' || key === 'driver_opts') add(`${kind}.${name}.${key}`, kind === 'volumes' ? 'not converted: the claim uses the default storage class (set storageClassName)' : 'not converted');
      }
    }
  }
}

function serviceKeys(project: Project, svc: ServiceSpec, add: (path: string, message: string) => void, warn: Warn): void {
  const base = `services.${svc.name}`;
  for (const key of childKeys(project, base)) {
    if (MAPPED_SERVICE_KEYS.has(key)) continue;
    if (key === 'security_opt') securityOptGaps(svc).forEach((why) => add(`${base}.${key}`, `not converted: ${why}`));
    else add(`${base}.${key}`, `not converted: ${WHY[key] ?? 'Kubernetes has no equivalent pod setting'}`);
  }
  for (const leaf of leafPaths(project, `${base}.deploy`)) {
    if (!MAPPED_DEPLOY_LEAVES.has(leaf)) add(`${base}.deploy.${leaf}`, 'not converted: no Deployment equivalent');
  }
  for (const net of childKeys(project, `${base}.networks`)) {
    for (const key of childKeys(project, `${base}.networks.${net}`)) {
      if (key !== 'aliases') add(`${base}.networks.${net}.${key}`, `not converted: ${ATTACHMENT_WHY[key] ?? 'no pod equivalent'}`);
    }
  }
  for (const [k] of Object.entries(svc.sysctls)) {
    if (!SAFE_SYSCTLS.has(k)) add(`${base}.sysctls.${k}`, 'not converted: Kubernetes calls this sysctl unsafe (allowed only with the kubelet\'s --allowed-unsafe-sysctls)');
  }
  if (svc.networkMode.kind === 'service') add(`${base}.network_mode`, `not converted: a pod cannot join another pod's network; put ${svc.networkMode.service} and ${svc.name} in one pod (its NetworkPolicies follow ${svc.networkMode.service}'s networks here)`);
  if (svc.networkMode.kind === 'none') add(`${base}.network_mode`, 'not converted: a pod always has a network; its NetworkPolicy denies all traffic in and out instead');
  for (const kind of ['secrets', 'configs']) {
    for (const leaf of leafPaths(project, `${base}.${kind}`)) {
      if (/\.(uid|gid)$/.test(leaf)) add(`${base}.${kind}.${leaf}`, 'not converted: mounted files belong to root (or the pod\'s fsGroup)');
    }
  }
  for (const [dep, d] of Object.entries(svc.dependsOn)) {
    const at = `${base}.depends_on.${dep}`;
    if (!d.required) add(`${at}.required`, `not converted: the init container waits for ${dep} all the same (an init container cannot be optional)`);
    if (d.restart) add(`${at}.restart`, `not converted: nothing restarts ${svc.name} when ${dep} restarts; init containers wait once, at pod start`);
  }
  restartWarning(project, svc, add, warn);
  for (const hook of ['post_start', 'pre_stop'] as const) {
    for (const leaf of leafPaths(project, `${base}.${hook}`)) {
      if (!/^0(\.command(\.\d+)?)?$/.test(leaf)) add(`${base}.${hook}.${leaf}`, 'not converted: a lifecycle handler is one command, run as the container\'s user');
    }
  }
}

function restartWarning(project: Project, svc: ServiceSpec, add: (path: string, message: string) => void, warn: Warn): void {
  const base = `services.${svc.name}`;
  const at = project.sources.has(`${base}.restart`) ? `${base}.restart` : project.sources.has(`${base}.deploy.restart_policy`) ? `${base}.deploy.restart_policy` : undefined;
  if (!at) {
    warn('note', base, 'no `restart`: Compose would not restart it, a Deployment\'s pod always restarts (make it a Job if it should run once)');
    return;
  }
  const policy = svc.restart?.policy;
  if (policy !== 'always' && policy !== 'unless-stopped') add(at, `not converted: a Deployment's pod always restarts (restartPolicy: Always); ${policy ? `${policy}` : '"no"'} does not map; make it a Job if it should run once`);
  if (svc.restart?.maxRetries !== undefined || svc.restart?.delayMs !== undefined) add(at, 'not converted: the kubelet restarts with its own back-off and without a limit');
}

/** What of `security_opt` has no securityContext field (no-new-privileges, seccomp=unconfined, apparmor= and most of label= do). */
function securityOptGaps(svc: ServiceSpec): string[] {
  const gaps = lsmContext(svc).gaps;
  if (svc.seccomp !== undefined && svc.seccomp !== 'unconfined') gaps.unshift('a seccomp profile file must be on every node (seccompProfile type Localhost)');
  return gaps;
}
