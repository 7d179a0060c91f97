import { spawnSync } from 'node:child_process';
import { type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { journalContainers, runningInit } from '../containers';
import type { Cli } from '../context';
import { pidsInPidNamespaceOf } from '../../sys/pidns';

const topOptions: OptionSpec[] = [];

/** The processes of each running container, as `ps -f` shows them (host pids, as Docker Compose). */
// Equivalent to: ps -o uid,pid,ppid,c,stime,tty,time,cmd -p <pids in the container's pid namespace>
async function top(cli: Cli, args: Parsed): Promise<number> {
  const { containers } = journalContainers(cli, args.positionals);
  let first = true;
  for (const c of containers) {
    const init = runningInit(c);
    if (!init) continue;
    const pids = pidsInPidNamespaceOf(init.pid);
    if (!pids.length) continue;
    const r = spawnSync('ps', ['-o', 'user,pid,ppid,c,stime,tty,time,cmd', '-p', pids.join(',')], { encoding: 'utf8' });
    if (r.error) throw r.error;
    cli.out(`${first ? '' : '\n'}${c.name}\n${r.stdout}`);
    first = false;
  }
  return 0;
}

export const topCommand: Command = {
  name: 'top',
  summary: 'Show the processes of running containers.',
  usage: '[SERVICE...]',
  options: topOptions,
  run: top,
};
