import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import { FILE_NAMES } from '../../observe/containers';
import type { Action } from '../../plan/actions';
import { netnsPath } from '../../sys/netns';
import { readSignalState, signalIsNoOp } from '../../sys/signals';
import { execSettings } from '../../plan/exec-settings';
import type { LaunchHealthcheck, LaunchSettings } from '../../plan/model';
import { execArgs, isAlive, markStopped, readProcessRef, signalProcess, STOPPED_FILE, type ContainerLaunch, type Launcher, type LaunchResult, type ProcessRef } from '../../sys/shim';
import { BootRecords } from '../../sys/boot-records';
import { appendEvent } from '../../sys/events-log';
import type { ApplyEnv } from '../env';
import { PAUSED_FILE, thawIfPaused } from '../pause';
import { postStart, preStop } from '../hooks';
import { ANONYMOUS_VOLUMES_DIR, isolationOf } from './isolation';
import { LAYER_DIR, limitLayer, releaseLayerQuota } from '../../sys/layer-quota';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/** Stops by the user, kept across a reboot for `unless-stopped` (sys/boot-records.ts). */
const bootRecords = new BootRecords();

const BIND_TARGETS = { hosts: '/etc/hosts', resolvConf: '/etc/resolv.conf', hostname: '/etc/hostname' } as const;

/** Files a previous run of the container left that would make it look exited or alive. */
const RUN_FILES = ['exit.json', 'init.pid', 'shim.pid', 'oom_kills', 'restart.json', STOPPED_FILE, PAUSED_FILE];
/** What a container writes (its writable layer, its anonymous volumes): kept across restarts only. */
const FRESH_DIRS = [LAYER_DIR, ANONYMOUS_VOLUMES_DIR];

/** What the shim needs to start the container of `a` (makes its state dir and the directories its mounts need). */
export function launchOf(a: Of<'container.start'>, env: ApplyEnv): ContainerLaunch {
  const dir = env.state.ensureContainerDir(env.project, a.container);
  // One listing instead of a removal attempt per name: a new container's directory holds none of them.
  const present = new Set(fs.readdirSync(dir));
  bootRecords.clearStopped(env.project, a.container);
  for (const f of RUN_FILES) if (present.has(f)) fs.rmSync(path.join(dir, f), { force: true });
  // A new container starts from an empty writable layer; a restarted one keeps it.
  if (a.freshRootfs) {
    // Its project quota first (storage_opt.size): nothing of the old layer stays on the filesystem.
    if (present.has(LAYER_DIR)) releaseLayerQuota(path.join(dir, LAYER_DIR));
    for (const d of FRESH_DIRS) if (present.has(d)) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
  }
  // storage_opt.size: the layer directory made here (0700, as the shim would) with its project ID and limit, before the shim fills it.
  const quota = a.launch.isolation?.storageQuota;
  if (quota) limitLayer(path.join(dir, LAYER_DIR), quota.projectId, quota.bytes);
  const binds = a.netns
    ? (Object.keys(BIND_TARGETS) as Array<keyof typeof BIND_TARGETS>).map((k) => ({
        source: path.join(dir, FILE_NAMES[k]),
        target: BIND_TARGETS[k],
      }))
    : [];
  const l = a.launch;
  return {
    name: a.container,
    stateDir: dir,
    eventsPath: env.state.eventsPath(env.project),
    ...(a.netns ? { netnsPath: netnsPath(a.netns) } : {}),
    namespaces: l.namespaces,
    // network_mode: host shares the host's uts namespace (as Docker): no names to set.
    ...(l.namespaces.includes('uts') ? { hostname: l.hostname, ...(l.domainname ? { domainname: l.domainname } : {}) } : {}),
    binds,
    env: l.env,
    ...(l.cwd ? { cwd: l.cwd } : {}),
    ...(l.user ? { user: l.user } : {}),
    ...(l.groups ? { groups: l.groups } : {}),
    ...(l.join ? { join: l.join.map((j) => ({ namespace: j.namespace, pid: joinedPid(j.container, j.namespace, env) })) } : {}),
    sysctls: l.sysctls,
    argv: l.argv,
    ...(l.cgroup !== undefined ? { cgroups: env.cgroups().joinDirs({ parent: '', path: l.cgroup }) } : {}),
    ...(l.rlimits ? { rlimits: l.rlimits } : {}),
    ...(l.oomScoreAdj !== undefined ? { oomScoreAdj: l.oomScoreAdj } : {}),
    ...(l.restart ? { restart: l.restart } : {}),
    ...(l.healthcheck ? { health: healthOf(l.healthcheck, a, env) } : {}),
    ...(l.isolation ? isolationOf(l.isolation, dir, env) : {}),
    ...(l.logging ? { log: logOf(l.logging) } : {}),
  };
}

/** compose `logging` as the shim takes it: none, or the rotation (json-file and local are the same log). */
function logOf(l: NonNullable<LaunchSettings['logging']>): NonNullable<ContainerLaunch['log']> {
  if (l.driver === 'none') return { none: true };
  return { ...(l.maxSize !== undefined ? { maxSize: l.maxSize, maxFiles: l.maxFiles ?? 1 } : {}) };
}

/** The PID 1 of the container whose namespace `pid: service:` / `ipc: service:` joins (started before: startAfter). */
function joinedPid(container: string, ns: string, env: ApplyEnv): number {
  const ref = readProcessRef(path.join(env.state.containerDir(env.project, container), 'init.pid'));
  if (!ref || !isAlive(ref)) throw Object.assign(new Error(`${container} is not running: its ${ns} namespace cannot be joined`), { code: 'ESRCH' });
  return ref.pid;
}

/** A failed launch as an Error: "pivot_root: EINVAL (…)", the step in the container and why. */
function launchError(r: Extract<LaunchResult, { ok: false }>): Error {
  // No `syscall` property, so that describeCause keeps the whole message.
  return Object.assign(new Error(`${r.syscall}: ${r.code}${r.message ? ` (${r.message})` : ''}`), { code: r.code, errno: r.errno });
}

/**
 * One container, through a Launcher the caller keeps for the whole run (one
 * `tsc-shim launch` process however many containers, each started as soon
 * as this is called): for an executor that starts each container when its
 * dependencies are ready.
 */
// Equivalent to: nsenter --net=/run/netns/NS unshare --mount --uts --ipc --pid --cgroup --fork --root=… CMD…
export async function startContainer(a: Of<'container.start'>, env: ApplyEnv, launcher: Launcher): Promise<void> {
  // Docker's `create`: a container whose writable layer is new.
  if (a.freshRootfs) appendEvent(env.state.eventsPath(env.project), a.container, 'create');
  // The device allowlist before anything of the container is in its cgroup (plan/devices.ts).
  const l = a.launch;
  if (l.isolation?.devices && l.cgroup !== undefined) env.cgroups().setDevices({ parent: '', path: l.cgroup }, l.isolation.devices);
  const r = await launcher.start(launchOf(a, env));
  if (!r.ok) throw launchError(r);
  if (a.launch.hooks?.postStart) {
    const placement = a.netns ? { kind: 'own' as const, name: a.netns } : { kind: 'host' as const };
    await postStart({ name: a.container, dir: env.state.containerDir(env.project, a.container), launch: a.launch, placement }, env);
  }
}

const { SIGTERM, SIGKILL } = osConstants.signals;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(ref: ProcessRef, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    if (!isAlive(ref)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}


/**
 * The stop signal (SIGTERM unless `stop_signal`), the grace period, SIGKILL;
 * then the shim, which exits once it has recorded the status. Unlike
 * Docker, a signal that can have no effect (the init of the container's pid
 * namespace, a `sleep`, neither handles nor blocks it; or ignores it) is
 * not waited for: SIGKILL straight away (sys/signals.ts). A process that
 * handles it keeps its whole grace period.
 */
// Equivalent to: kill -TERM PID; sleep T; kill -KILL PID   (kill -KILL PID when TERM can do nothing)
export async function stopContainer(a: Of<'container.stop'>, env: ApplyEnv): Promise<void> {
  const dir = env.state.containerDir(env.project, a.container);
  const init = readProcessRef(path.join(dir, 'init.pid'));
  const shim = readProcessRef(path.join(dir, 'shim.pid'));
  // Before any signal: the shim reads it when the process exits, and does not restart it.
  if (shim && isAlive(shim)) {
    markStopped(dir);
    bootRecords.markStopped(env.project, a.container);
  }
  // A frozen process cannot handle its stop signal (as Docker, stopping a paused container thaws it).
  await thawIfPaused(a.container, dir, env.cgroups(), env.state.eventsPath(env.project));
  if (a.preStop && init && isAlive(init)) {
    const c = env.state.readState(env.project)?.containers[a.container];
    if (c) await preStop({ name: a.container, dir, launch: c.launch, placement: c.netnsPlacement }, env);
  }
  if (init && isAlive(init)) {
    const sig = a.signal ? (osConstants.signals[a.signal as NodeJS.Signals] ?? SIGTERM) : SIGTERM;
    const state = readSignalState(init.pid);
    // Read while it is still the same process: the state is of the init we mean to stop.
    const noOp = state && isAlive(init) ? signalIsNoOp(state, sig) : undefined;
    if (noOp) env.emit({ type: 'note', verbose: true, message: `${a.container}: ${a.signal ?? 'SIGTERM'} can have no effect (${noOp}): SIGKILL now, without the ${a.timeoutSec} s grace period` });
    else signalProcess(init, sig);
    if (noOp || !(await waitGone(init, a.timeoutSec * 1000))) {
      signalProcess(init, SIGKILL);
      await waitGone(init, 5000);
    }
  }
  // A shim waiting out a restart back-off has no process to forward it to: it gives up at once.
  if (shim && isAlive(shim)) signalProcess(shim, SIGTERM);
  if (shim && isAlive(shim) && !(await waitGone(shim, 2000))) {
    signalProcess(shim, SIGKILL);
    await waitGone(shim, 2000);
  }
  const events = env.state.eventsPath(env.project);
  if (init || shim) appendEvent(events, a.container, 'stop');
  if (a.remove) {
    env.state.removeContainerDir(env.project, a.container);
    appendEvent(events, a.container, 'destroy');
  }
}

/** The healthcheck as the shim runs it: an `exec` of its argv with what `exec` gives a command. */
function healthOf(h: LaunchHealthcheck, a: Of<'container.start'>, env: ApplyEnv): NonNullable<ContainerLaunch['health']> {
  const { cgroup, ...rest } = execSettings(a.launch, a.netns ? { kind: 'own', name: a.netns } : { kind: 'host' });
  const { argv, ...timing } = h;
  return {
    execArgs: execArgs({ ...rest, argv, ...(cgroup !== undefined ? { cgroups: env.cgroups().joinDirs({ parent: '', path: cgroup }) } : {}) }),
    ...timing,
  };
}
