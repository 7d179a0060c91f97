/**
 * `pause` and `unpause`: freeze and thaw the running containers of the
 * services named (all when none), through the cgroup freezer
 * (apply/pause.ts). Exit 1 when no container could be paused (or unpaused).
 */
import { isPaused, pauseContainer, unpauseContainer } from '../../apply/pause';
import { ApplyError, UsageError } from '../../errors';
import { hostCgroups } from '../../sys/cgroup';
import type { OptionSpec, Parsed } from '../args';
import type { Command } from '../command';
import { journalContainers, runningInit } from '../containers';
import type { Cli } from '../context';

const options: OptionSpec[] = [];

function setPaused(frozen: boolean) {
  return async (cli: Cli, args: Parsed): Promise<number> => {
    const { project, containers } = journalContainers(cli, args.positionals);
    if (!containers.length) throw new UsageError(`project ${project} has no containers: run tscompose up`);
    const cgroups = hostCgroups();
    const events = cli.state.eventsPath(project);
    const lock = cli.state.lockProject(project);
    let done = 0;
    try {
      for (const c of containers) {
        const paused = isPaused(c.dir, cgroups);
        if (frozen === paused || !runningInit(c)) {
          cli.err(` ! Container ${c.name}  ${!runningInit(c) ? 'not running' : frozen ? 'already paused' : 'not paused'}\n`);
          continue;
        }
        if (frozen && c.state.launch.cgroup === undefined) throw new UsageError(`container ${c.name} has no cgroup of its own to freeze`);
        try {
          if (frozen) await pauseContainer({ name: c.name, dir: c.dir, cgroup: { parent: '', path: c.state.launch.cgroup! } }, cgroups, events);
          else await unpauseContainer(c, cgroups, events);
        } catch (e) {
          // ENOENT: a container started before its cgroup had a freezer directory (the message says so).
          throw new ApplyError({ kind: frozen ? 'pause' : 'unpause', id: c.name, target: c.name }, e);
        }
        done++;
        cli.err(` ✔ Container ${c.name}  ${frozen ? 'Paused' : 'Unpaused'}\n`);
      }
    } finally {
      lock.release();
    }
    return done ? 0 : 1;
  };
}

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'Freeze the running containers (cgroup freezer).',
  usage: '[SERVICE...]',
  options,
  run: setPaused(true),
};

export const unpauseCommand: Command = {
  name: 'unpause',
  summary: 'Thaw paused containers.',
  usage: '[SERVICE...]',
  options,
  run: setPaused(false),
};
