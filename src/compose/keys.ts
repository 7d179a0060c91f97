/**
 * Which compose-spec keys we implement, which we know but do not implement
 * yet, and (by omission) which are not compose keys at all. Written from the
 * compose-spec; every key the spec defines at these levels is listed, so an
 * unknown key is a typo or a key from somewhere else.
 */
import { closest } from './names';

export type KeyClass = 'supported' | 'unsupported' | 'extension' | 'unknown';

export interface KeyTable {
  readonly what: string;
  readonly supported: ReadonlySet<string>;
  readonly unsupported: ReadonlySet<string>;
  readonly hints: ReadonlyMap<string, string>;
}

function table(what: string, supported: string[], unsupported: string[], hints: Record<string, string> = {}): KeyTable {
  return { what, supported: new Set(supported), unsupported: new Set(unsupported), hints: new Map(Object.entries(hints)) };
}

export const TOP_LEVEL_KEYS = table(
  'top-level key',
  ['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'include'],
  ['models'],
);

export const SERVICE_KEYS = table(
  'service key',
  [
    'command', 'entrypoint', 'environment', 'env_file', 'hostname', 'domainname', 'container_name',
    'networks', 'network_mode', 'sysctls', 'dns', 'dns_search', 'dns_opt', 'extra_hosts', 'depends_on',
    'working_dir', 'user', 'scale', 'deploy', 'ports', 'cpus', 'cpu_shares', 'cpu_quota',
    'cpu_period', 'cpuset', 'mem_limit', 'mem_reservation', 'memswap_limit', 'pids_limit',
    'oom_score_adj', 'blkio_config', 'ulimits', 'cgroup_parent', 'volumes', 'tmpfs', 'read_only',
    'cap_add', 'cap_drop', 'privileged', 'init', 'stop_signal', 'stop_grace_period',
    'labels', 'label_file', 'annotations', 'expose', 'profiles', 'security_opt', 'links', 'external_links',
    'image', 'pull_policy', 'platform', 'restart', 'healthcheck', 'build', 'secrets', 'configs',
    'extends', 'post_start', 'pre_stop', 'stdin_open', 'devices', 'device_cgroup_rules', 'develop',
    'logging', 'volumes_from', 'tty', 'mac_address', 'attach',
    // process-keys.ts
    'shm_size', 'group_add', 'pid', 'ipc', 'uts', 'cgroup', 'userns_mode', 'mem_swappiness', 'oom_kill_disable',
    'cpu_count', 'cpu_percent', 'runtime', 'isolation', 'storage_opt',
  ],
  [
    'cpu_rt_period', 'cpu_rt_runtime', 'credential_spec',
    'gpus',
    'models',
    'provider', 'pull_refresh_after',
    'use_api_socket',
  ],
);

export const DEPLOY_KEYS = table(
  'deploy key',
  ['replicas', 'mode', 'resources', 'restart_policy'],
  ['endpoint_mode', 'labels', 'rollback_config', 'update_config', 'placement'],
);

export const BUILD_KEYS = table(
  'build key',
  [
    'context', 'dockerfile', 'dockerfile_inline', 'args', 'target', 'labels', 'tags', 'network', 'ssh',
    'extra_hosts', 'no_cache', 'pull', 'shm_size', 'cache_from', 'additional_contexts', 'platforms',
  ],
  ['secrets', 'cache_to', 'entitlements', 'isolation', 'privileged', 'ulimits', 'provenance', 'sbom'],
  {
    secrets: 'build secrets need top-level secrets, which are not supported yet',
    cache_to: 'exporting the build cache is not supported (buildah keeps its own layer cache)',
  },
);

/** `services.<s>.develop` and each of its `watch` rules. */
export const DEVELOP_KEYS = table('develop key', ['watch'], []);
export const WATCH_KEYS = table('develop.watch key', ['path', 'action', 'target', 'ignore', 'include', 'exec', 'initial_sync'], []);

/** One entry of `post_start` / `pre_stop`. */
export const HOOK_KEYS = table('hook key', ['command', 'user', 'privileged', 'working_dir', 'environment'], []);

/** Top-level `secrets.<name>` and `configs.<name>`. */
export const SECRET_KEYS = table('secret key', ['file', 'environment', 'external', 'name'], ['driver', 'driver_opts', 'template_driver', 'labels']);
export const CONFIG_KEYS = table('config key', ['file', 'environment', 'content', 'external', 'name'], ['driver', 'driver_opts', 'template_driver', 'labels']);
/** `services.<s>.secrets[]` / `configs[]`, long syntax. */
export const FILE_REF_KEYS = table('secret or config reference key', ['source', 'target', 'uid', 'gid', 'mode'], []);

/** `services.<s>.logging`. */
export const LOGGING_KEYS = table('logging key', ['driver', 'options'], []);

export const HEALTHCHECK_KEYS = table('healthcheck key', ['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable'], []);

export const RESTART_POLICY_KEYS = table('deploy.restart_policy key', ['condition', 'delay', 'max_attempts', 'window'], []);

export const RESOURCES_KEYS = table('deploy.resources key', ['limits', 'reservations'], []);

export const RESOURCE_LIMITS_KEYS = table('deploy.resources.limits key', ['cpus', 'memory', 'pids'], []);

export const RESOURCE_RESERVATIONS_KEYS = table('deploy.resources.reservations key', ['cpus', 'memory'], ['devices', 'generic_resources']);

export const BLKIO_KEYS = table(
  'blkio_config key',
  ['weight'],
  ['device_read_bps', 'device_read_iops', 'device_write_bps', 'device_write_iops', 'weight_device'],
);

export const ULIMIT_KEYS = table('ulimit key', ['soft', 'hard'], []);

export const NETWORK_KEYS = table(
  'network key',
  ['name', 'driver', 'driver_opts', 'ipam', 'external', 'internal', 'enable_ipv4', 'enable_ipv6', 'attachable', 'labels'],
  [],
);

export const IPAM_KEYS = table('ipam key', ['driver', 'config'], ['options']);

export const IPAM_CONFIG_KEYS = table('ipam config key', ['subnet', 'ip_range', 'gateway', 'aux_addresses'], []);

export const EXTERNAL_KEYS = table('external key', ['name'], []);

/** `services.<s>.networks.<n>`. */
export const ATTACHMENT_KEYS = table(
  'service network key',
  ['aliases', 'interface_name', 'ipv4_address', 'ipv6_address', 'mac_address', 'priority', 'gw_priority', 'driver_opts'],
  ['link_local_ips'],
);

/** Top-level `volumes.<name>`. */
export const VOLUME_KEYS = table('volume key', ['name', 'driver', 'external', 'labels'], ['driver_opts']);

/** `services.<s>.volumes[]`, long syntax. */
export const MOUNT_KEYS = table(
  'volume mount key',
  ['type', 'source', 'target', 'read_only', 'bind', 'volume', 'tmpfs', 'consistency'],
  ['image'],
);
export const BIND_OPTION_KEYS = table('bind option', ['propagation', 'create_host_path', 'recursive', 'selinux'], []);
export const VOLUME_OPTION_KEYS = table('volume option', ['nocopy', 'subpath'], ['labels']);
export const TMPFS_OPTION_KEYS = table('tmpfs option', ['size', 'mode'], []);

export const DEPENDS_ON_KEYS = table('depends_on key', ['condition', 'required', 'restart'], []);

/** `services.<s>.ports[]` in the long form. */
export const PORT_KEYS = table('port key', ['target', 'published', 'host_ip', 'protocol', 'mode', 'name', 'app_protocol'], []);

export const ENV_FILE_KEYS = table('env_file key', ['path', 'required', 'format'], []);

export function classify(t: KeyTable, key: string): KeyClass {
  if (t.supported.has(key)) return 'supported';
  if (t.unsupported.has(key)) return 'unsupported';
  if (key.startsWith('x-')) return 'extension';
  return 'unknown';
}

export function unsupportedMessage(t: KeyTable, key: string): string {
  return t.hints.get(key) ?? `${key} is not supported yet`;
}

export function unknownMessage(t: KeyTable, key: string): string {
  const guess = closest(key, [...t.supported, ...t.unsupported]);
  return `unknown ${t.what} "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; extensions must start with "x-"`;
}
