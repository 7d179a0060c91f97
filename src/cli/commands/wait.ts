/**
 * `wait SERVICE...`: blocks until every container of the services has
 * stopped (exited, and its restart policy will not start it again), prints
 * each one's exit code as it stops, and exits with the code of the first
 * to stop, as `docker compose wait` does. `--down-project` runs `down` as
 * soon as the first one stops. Nothing to wait for is not an error of the
 * containers: exit 1 (running none of them was asked for).
 */
import { observeContainer } from '../../observe/containers';
import { UsageError } from '../../errors';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { journalContainers } from '../containers';
import type { Cli } from '../context';
import { downCommand } from './down';

const options: OptionSpec[] = [
  { name: 'down-project', type: 'boolean', description: 'Run `down` on the project once the first container stops' },
  { name: 'json', type: 'boolean', description: 'One JSON object per stopped container: {"name", "service", "exitCode"}' },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function wait(cli: Cli, args: Parsed): Promise<number> {
  if (!args.positionals.length) throw new UsageError('usage: tscompose wait SERVICE [SERVICE...]');
  const { project, containers } = journalContainers(cli, args.positionals);
  if (!containers.length) throw new UsageError(`services ${args.positionals.join(', ')} have no containers in project ${project}: run tscompose up`);
  const pending = new Map(containers.map((c) => [c.name, c]));
  let first: number | undefined;
  // The shims write exit.json when the process ends (and restart.json when a policy will run it again): read, no daemon to ask.
  for (let delay = 20; pending.size; delay = Math.min(delay * 2, 200)) {
    for (const c of [...pending.values()]) {
      const o = observeContainer(c.dir, c.name);
      if (o.running || o.restarting || !o.exit) continue;
      pending.delete(c.name);
      const code = o.exit.exitCode;
      first ??= code;
      cli.out(flag(args, 'json') ? JSON.stringify({ name: c.name, service: c.service, exitCode: code }) + '\n' : `${c.name} exited with code ${code}\n`);
      if (flag(args, 'down-project')) {
        await downCommand.run(cli, { options: {}, positionals: [] });
        return first;
      }
      delay = 20;
    }
    if (pending.size) await sleep(delay);
  }
  return first ?? 0;
}

export const waitCommand: Command = {
  name: 'wait',
  summary: 'Wait for the services’ containers to stop; exit with the first one’s code.',
  usage: 'SERVICE [SERVICE...]',
  options,
  run: wait,
};
