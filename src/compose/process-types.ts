/** The process keys of a service as the file says them (compose/process-keys.ts). */

/** Another service's namespace, or the host's. */
export type NamespaceShare = { kind: 'host' } | { kind: 'service'; service: string };

/** The process keys of a service (process-keys.ts); each absent is Docker's default. */
export interface ServiceProcess {
  /** `shm_size`, bytes: the size of the container's /dev/shm (default 64 MiB). */
  shmSize?: number;
  /** `storage_opt.size`, bytes (> 0): the writable layer's limit (plan/storage-quota.ts). */
  storageSize?: number;
  /** `group_add`: supplementary groups, names (the container's /etc/group) or numbers, in file order. */
  groupAdd?: string[];
  /** `pid`: the host's pid namespace, or another service's; absent: its own. */
  pid?: NamespaceShare;
  /** `ipc`: absent (`private`): its own, nobody may join it; `shareable`: its own, `ipc: service:` may join it. */
  ipc?: NamespaceShare | { kind: 'shareable' };
  /** `uts: host`. */
  utsHost?: true;
  /** `cgroup: host` (absent, `private`: its own cgroup namespace). */
  cgroupHost?: true;
}
