/**
 * A run against the machine: host socket, namespace sockets, state dir,
 * project lock. Commands open one, do their work, and close it.
 */
import type { Emit } from '../events';
import { observe } from '../observe';
import type { Observed } from '../plan/model';
import { hostCgroups } from '../sys/cgroup';
import { Rtnl } from '../sys/netlink/rtnl';
import { NetnsSockets } from '../sys/netns';
import { pidsByNetns } from '../sys/procs';
import type { Lock, StateDir } from '../sys/state';
import type { ApplyEnv } from './env';

export class Session {
  readonly host: Rtnl;
  readonly sockets = new NetnsSockets();
  private lock: Lock | undefined;

  constructor(
    readonly project: string,
    readonly state: StateDir,
    readonly emit: Emit,
  ) {
    this.host = Rtnl.open();
  }

  /** Take the project lock (fails fast with BusyError if another run holds it). */
  lockProject(): void {
    this.lock = this.state.lockProject(this.project);
  }

  observe(opts: { inspectNamespaces?: boolean; cgroupParents?: string[]; rootfsDirs?: string[]; devicePaths?: string[]; layerFs?: boolean; images?: string[]; probeNetem?: boolean; probeIpvlan?: boolean; probeDummy?: boolean } = {}): Promise<Observed> {
    return observe({ project: this.project, state: this.state, rtnl: this.host, ...opts });
  }

  env(): ApplyEnv {
    let pids: Map<number, number[]> | undefined;
    return {
      project: this.project,
      state: this.state,
      host: this.host,
      sockets: this.sockets,
      emit: this.emit,
      indexes: new Map(),
      pidsByNetns: () => (pids ??= pidsByNetns()),
      cgroups: hostCgroups,
    };
  }

  close(): void {
    this.sockets.closeAll();
    this.host.close();
    this.lock?.release();
    this.lock = undefined;
  }
}
