/** An `extra_hosts` entry (services, and `build.extra_hosts`). */
export interface ExtraHost {
  host: string;
  /** An address, or `host-gateway`: the gateway of the container's first network (the planner resolves it). */
  ip: string;
}
