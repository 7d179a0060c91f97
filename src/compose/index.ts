/**
 * The compose loader's public API. Pure: every file is read through the
 * caller's SourceReader, the environment is passed in, nothing is printed.
 * The pipeline is in load.ts.
 *
 * Where a key is read (declare it in keys.ts first; checks across services
 * and networks go in validate.ts):
 *   service.ts          command, entrypoint, hostname, domainname, container_name,
 *                       working_dir, user, scale, deploy (dispatches the others)
 *   service-network.ts  networks, network_mode, sysctls, dns, dns_search, dns_opt, extra_hosts
 *   environment.ts      environment, env_file (dotenv.ts: the file syntax)
 *   depends.ts          depends_on; lifecycle.ts: restart, deploy.restart_policy (restart.ts), healthcheck
 *   metadata.ts         labels, label_file, annotations, expose, links, profiles (applied in profiles.ts)
 *   ports.ts            ports
 *   isolation.ts        read_only, cap_add, cap_drop, privileged, security_opt, init, stop_signal,
 *                       stop_grace_period, x-rootfs; volumes.ts: volumes, tmpfs
 *   image.ts            image, pull_policy, platform
 *   resources.ts        cpus, mem_limit, pids_limit, ulimits, … and deploy.resources
 *   process-keys.ts     shm_size, group_add, pid, ipc, uts, cgroup, userns_mode, mem_swappiness,
 *                       oom_kill_disable, cpu_count, cpu_percent, runtime, isolation, storage_opt
 *   network.ts          top-level networks; volumes.ts: top-level volumes
 *   lab/                x-links, x-netem, x-mtu, x-routes, x-verify
 */
export { loadProject } from './load';
export type { LoadInput } from './load';
export type { SourceReader } from './files';
export { renderConfig } from './render';
export { DEFAULT_FILE_NAMES } from './files';
export { DEFAULT_LIMITS } from './yaml';
export type * from './types';
