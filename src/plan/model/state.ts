/**
 * `ProjectState`: the journal under /run/tscompose/<project>/state.json.
 */
import type { CgroupLimits, CgroupRef, WaitCondition } from './desired';
import type { LaunchSettings } from './launch';
import type { NetnsPlacement } from './network';

export interface StateNetwork {
  bridge: string;
  managed: boolean;
  /** Absent: an IPv6-only network. */
  subnet?: string;
  gateway?: string;
  subnet6?: string;
  gateway6?: string;
  /** Its name, as other projects' `external: true` networks name it (`PROJECT_KEY` or `name:`). */
  name?: string;
  /** The machine's default bridge: removed only when no project's journal names it any more. */
  shared?: true;
}

export interface StateInterface {
  network: string;
  ifname: string;
  hostVeth: string;
  /** Absent: an interface on an IPv6-only network. */
  address?: string;
  prefixLen?: number;
  mac: string;
  address6?: string;
}

export interface StateContainer {
  /** A `run` container (see DesiredContainer.oneOff). */
  oneOff?: true;
  service: string;
  index: number;
  /** Own /run/netns entry, if any. */
  netns?: string;
  interfaces: StateInterface[];
  launchHash: string;
  launch: LaunchSettings;
  netnsPlacement: NetnsPlacement;
  /** Containers started before it (depends_on, network_mode: service:X): `stop` and `down` stop it first. */
  startAfter?: string[];
  /** depends_on conditions its start waits for (`start` and `restart` wait as `up` does). */
  waitFor?: WaitCondition[];
  /** Containers whose `restart` restarts it too (depends_on restart: true). */
  restartWith?: string[];
  /** Published host ports ("tcp 0.0.0.0 8080"), kept so ephemeral ports stay stable and other projects see them. */
  ports?: string[];
  /**
   * Its cgroup, with the limits known to be applied (absent while an `up`
   * that creates it runs); `oldCgroups`: earlier ones that `up` removes.
   */
  cgroup?: CgroupRef & { limits?: CgroupLimits };
  oldCgroups?: CgroupRef[];
  /** The XFS project ID of its current writable layer while an `up` that drops its storage_opt.size runs (no one else may take it before the layer goes). */
  oldProjectId?: number;
  /** Labels (the service's and com.docker.compose.*), annotations and exposed ports, as planned. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  expose?: string[];
}

export interface ProjectState {
  version: 1;
  project: string;
  workingDir?: string;
  files?: string[];
  networks: Record<string, StateNetwork>;
  containers: Record<string, StateContainer>;
  /** Named volumes this project created (by real name): `down -v` removes them. */
  volumes?: string[];
  /**
   * A network-only record: the project is down, but other projects still
   * use these networks of its (diff/joined-bridges.ts); its next `up`
   * re-adopts them, the last user's `down` removes them.
   */
  keptForJoiners?: true;
  updatedAt: string;
}
