import * as path from 'node:path';
import { UsageError } from '../../errors';
import { followLogs, readLog, type LogLine } from '../../sys/logs';
import { flag, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { checkServices, projectNameFor, type Cli } from '../context';

const logsOptions: OptionSpec[] = [
  { name: 'follow', short: 'f', type: 'boolean', description: 'Keep printing new output' },
  { name: 'timestamps', short: 't', type: 'boolean', description: 'Show the time of each line' },
  { name: 'tail', short: 'n', type: 'string', arg: 'N', description: 'Only the last N lines of each container (default: all)' },
  { name: 'no-prefix', type: 'boolean', description: 'Do not prefix lines with the container name' },
];

/** Printing lines the Docker Compose way: `name  | text`, names padded to line up. */
export function lineWriter(cli: Cli, names: string[], opts: { prefix: boolean; timestamps: boolean }) {
  const width = Math.max(0, ...names.map((n) => n.length));
  return (name: string, lines: LogLine[]) => {
    let out = '';
    for (const l of lines) {
      const head = opts.prefix ? `${name.padEnd(width)}  | ` : '';
      out += `${head}${opts.timestamps ? l.time + ' ' : ''}${l.text}\n`;
    }
    cli.out(out);
  };
}

/** Output of the project's containers, from the logs their shims keep (works after the CLI has exited). */
async function logs(cli: Cli, args: Parsed): Promise<number> {
  const { name, project } = projectNameFor(cli);
  const tailText = str(args, 'tail');
  if (tailText !== undefined && !/^\d+$/.test(tailText) && tailText !== 'all') throw new UsageError(`--tail wants a number, not ${JSON.stringify(tailText)}`);
  const tail = tailText === undefined || tailText === 'all' ? undefined : Number(tailText);
  const journal = cli.state.readState(name);
  const wanted = args.positionals;
  if (project) checkServices(project, wanted);
  const selected = Object.entries(journal?.containers ?? {}).filter(([, c]) => !wanted.length || wanted.includes(c.service));
  // `logging: {driver: none}`: nothing was kept, and saying so beats printing nothing.
  const unlogged = selected.filter(([, c]) => c.launch.logging?.driver === 'none').map(([n]) => n).sort();
  for (const c of unlogged) cli.err(`${c}: no log is kept (logging driver "none")\n`);
  const containers = selected.filter(([n]) => !unlogged.includes(n)).map(([n]) => n).sort();
  if (unlogged.length && !containers.length) return 1;
  const write = lineWriter(cli, containers, { prefix: !flag(args, 'no-prefix'), timestamps: flag(args, 'timestamps') });
  const files = containers.map((c) => {
    const file = path.join(cli.state.containerDir(name, c), 'container.log');
    const { lines, offset } = readLog(file, tail);
    if (lines.length) write(c, lines);
    return { key: c, file, offset };
  });
  if (!flag(args, 'follow')) return 0;
  let stopped = false;
  const onSignal = () => (stopped = true);
  // `on`, not `once`: `timeout -s INT` signals the command and then its whole group, and a second
  // SIGINT after a once-listener went would find the default action (death by signal, 130).
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await followLogs(files, write, () => stopped);
  return 0;
}

export const logsCommand: Command = {
  name: 'logs',
  summary: 'Show the output of the project’s containers.',
  usage: '[SERVICE...]',
  options: logsOptions,
  run: logs,
};
