/**
 * `start`, `stop`, `restart`, `kill`: existing containers, as the journal
 * records them (no file needed with -p). `up` is what creates and changes
 * them; these only run or stop what is there.
 */
import * as fs from 'node:fs';
import { execute } from '../../apply/execute';
import { Session } from '../../apply/session';
import { stopContainers } from '../../apply/stop';
import { thawIfPaused } from '../../apply/pause';
import { hostCgroups } from '../../sys/cgroup';
import { UsageError } from '../../errors';
import { complete } from '../../plan/actions';
import { lifecycleIds, lifecycleOrder, startAction } from '../../plan/lifecycle';
import { canonicalSignal, SIGNALS } from '../../linux/signals';
import { netnsPath } from '../../sys/netns';
import { BootRecords } from '../../sys/boot-records';
import { appendEvent } from '../../sys/events-log';
import { markStopped, signalProcess } from '../../sys/shim';
import { optionalSeconds, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { journalContainers, liveShim, runningInit, type JournalContainer } from '../containers';
import { progress, type Cli } from '../context';

const stopOptions: OptionSpec[] = [
  { name: 'timeout', short: 't', type: 'string', arg: 'SECONDS', description: 'Grace period before SIGKILL (default: each service\'s stop_grace_period, else 10)' },
];
const startOptions: OptionSpec[] = [];
const restartOptions: OptionSpec[] = stopOptions;
const killOptions: OptionSpec[] = [
  { name: 'signal', short: 's', type: 'string', arg: 'SIGNAL', description: 'Signal to send (default SIGKILL)' },
];

async function withSession<T>(cli: Cli, project: string, fn: (s: Session) => Promise<T>): Promise<T> {
  const session = new Session(project, cli.state, progress(cli, project));
  try {
    session.lockProject();
    return await fn(session);
  } finally {
    session.close();
  }
}

async function stopRunning(session: Session, list: JournalContainer[], timeoutSec: number | undefined): Promise<void> {
  // A container between two runs of its restart policy has no process but a shim to stop.
  const running = list.filter((c) => runningInit(c) || liveShim(c));
  await stopContainers(session, running, timeoutSec);
}

/** container.start actions from the journal: the same launch settings, the writable layer kept. */
async function startStopped(session: Session, list: JournalContainer[]): Promise<void> {
  const stopped = list.filter((c) => !runningInit(c) && !liveShim(c));
  for (const c of stopped) {
    const ns = c.state.netnsPlacement.kind === 'host' ? undefined : c.state.netnsPlacement.name;
    if (ns && !fs.existsSync(netnsPath(ns))) throw new UsageError(`the network namespace of ${c.name} is gone: run tscompose up`);
  }
  // What a container depends on starts first (a dependency already running is no reason to wait).
  const byName = new Map(stopped.map((c) => [c.name, c]));
  const first = lifecycleOrder([...byName.keys()], (n) => byName.get(n)?.state.startAfter, 'start');
  const wave = stopped.map((c) => {
    const ns = c.state.netnsPlacement.kind === 'host' ? undefined : c.state.netnsPlacement.name;
    return complete(
      startAction(c, 'start', { launch: c.state.launch, ...(ns ? { netns: ns } : {}), after: lifecycleIds('start', first.get(c.name)!), waitFor: c.state.waitFor }),
    );
  });
  if (wave.length) await execute({ version: 1, project: session.project, waves: [wave] }, session.env());
}

async function stop(cli: Cli, args: Parsed): Promise<number> {
  const timeoutSec = optionalSeconds(str(args, 'timeout'), '--timeout');
  const { project, containers } = journalContainers(cli, args.positionals);
  await withSession(cli, project, (s) => stopRunning(s, containers, timeoutSec));
  return 0;
}

async function start(cli: Cli, args: Parsed): Promise<number> {
  const { project, containers } = journalContainers(cli, args.positionals);
  if (!containers.length) throw new UsageError(`project ${project} has no containers: run tscompose up`);
  await withSession(cli, project, (s) => startStopped(s, containers));
  return 0;
}

async function restart(cli: Cli, args: Parsed): Promise<number> {
  const timeoutSec = optionalSeconds(str(args, 'timeout'), '--timeout');
  const { project, containers: named, all } = journalContainers(cli, args.positionals);
  // depends_on restart: true — a restarted dependency takes its dependents along (transitively).
  const chosen = new Set(named.map((c) => c.name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of all) if (!chosen.has(c.name) && c.state.restartWith?.some((d) => chosen.has(d))) grew = !!chosen.add(c.name);
  }
  const containers = all.filter((c) => chosen.has(c.name));
  if (!containers.length) throw new UsageError(`project ${project} has no containers: run tscompose up`);
  await withSession(cli, project, async (s) => {
    await stopRunning(s, containers, timeoutSec);
    await startStopped(s, containers);
  });
  return 0;
}

const STOPPING = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']);

/** Send a signal to each running container's main process (through a pidfd: never a reused pid). */
// Equivalent to: kill -s SIGNAL <container pid>
async function kill(cli: Cli, args: Parsed): Promise<number> {
  const text = str(args, 'signal') ?? 'SIGKILL';
  const name = canonicalSignal(text);
  if (!name) throw new UsageError(`unknown signal ${JSON.stringify(text)}`);
  const { project, containers } = journalContainers(cli, args.positionals);
  let sent = 0;
  for (const c of containers) {
    const init = runningInit(c);
    const shim = liveShim(c);
    // As Docker: a container killed by the user is not restarted by its policy (a SIGHUP to reload is no stop).
    const stops = STOPPING.has(name) || name === c.state.launch.stopSignal;
    if (stops && shim) {
      markStopped(c.dir);
      new BootRecords().markStopped(project, c.name);
    }
    if (!init && shim && stops) signalProcess(shim, SIGNALS.SIGTERM!); // ends a restart back-off
    if (!init || !signalProcess(init, SIGNALS[name]!)) continue;
    appendEvent(cli.state.eventsPath(project), c.name, 'kill', { signal: name });
    // As Docker: a paused container is thawed after a signal that stops it, so that it acts on it.
    if (stops) await thawIfPaused(c.name, c.dir, hostCgroups(), cli.state.eventsPath(project));
    sent++;
    cli.err(` ✔ Container ${c.name}  Killed (${name})\n`);
  }
  if (!sent) cli.err(' ! no running container to signal\n');
  return 0;
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Start the project’s stopped containers (keeping their files).',
  usage: '[SERVICE...]',
  options: startOptions,
  run: start,
};

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop running containers without removing them.',
  usage: '[SERVICE...]',
  options: stopOptions,
  run: stop,
};

export const restartCommand: Command = {
  name: 'restart',
  summary: 'Stop and start containers again.',
  usage: '[SERVICE...]',
  options: restartOptions,
  run: restart,
};

export const killCommand: Command = {
  name: 'kill',
  summary: 'Send a signal (default SIGKILL) to running containers.',
  usage: '[SERVICE...]',
  options: killOptions,
  run: kill,
};
