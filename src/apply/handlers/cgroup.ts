/**
 * A container's cgroup: created with its limits before the container
 * starts, its limits changed in place while it runs, removed once its
 * processes are gone. The directories and files are the drivers' business
 * (sys/cgroup); the shim only joins them.
 */
import type { Action } from '../../plan/actions';
import type { ApplyEnv } from '../env';
import { faultPoint } from '../fault';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

// Equivalent to: mkdir -p /sys/fs/cgroup/{cpu,memory,…}/PARENT/tscompose/PROJECT/SERVICE-N; echo LIMIT > FILE …
export async function ensureCgroup(a: Of<'cgroup.create'>, env: ApplyEnv): Promise<void> {
  const cg = { parent: a.parent, path: a.path };
  env.cgroups().create(cg);
  faultPoint('mid:cgroup.create');
  env.cgroups().update(cg, a.limits, {});
}

// Equivalent to: echo LIMIT > /sys/fs/cgroup/memory/PARENT/tscompose/PROJECT/SERVICE-N/memory.limit_in_bytes …
export async function updateCgroup(a: Of<'cgroup.update'>, env: ApplyEnv): Promise<void> {
  const cg = { parent: a.parent, path: a.path };
  // An up killed while it made the directories leaves some hierarchies without one (seen: pids);
  // the cgroup then counts as existing. mkdir -p first: the limits have somewhere to go, and the
  // container's next start joins every hierarchy.
  env.cgroups().create(cg);
  env.cgroups().update(cg, a.limits, a.previous);
}

// Equivalent to: echo 1 > …/cgroup.kill (or kill -9 each pid in cgroup.procs); rmdir …/SERVICE-N …/PROJECT …/tscompose
export async function removeCgroup(a: Of<'cgroup.delete'>, env: ApplyEnv): Promise<void> {
  await env.cgroups().remove({ parent: a.parent, path: a.path });
}
