import { UsageError } from '../../errors';
import { renderConfig } from '../../compose';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { loadComposeProject, type Cli } from '../context';

const configOptions: OptionSpec[] = [
  { name: 'services', type: 'boolean', description: 'Print the service names, one per line' },
  { name: 'networks', type: 'boolean', description: 'Print the network names, one per line' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Only validate; print nothing' },
];

/** The normalized, interpolated compose file. */
async function config(cli: Cli, args: Parsed): Promise<number> {
  if (args.positionals.length) throw new UsageError('config takes no arguments');
  const project = loadComposeProject(cli);
  if (flag(args, 'quiet')) return 0;
  if (flag(args, 'services')) cli.out(Object.keys(project.services).sort().map((s) => s + '\n').join(''));
  else if (flag(args, 'networks')) cli.out(Object.keys(project.networks).sort().map((s) => s + '\n').join(''));
  else cli.out(renderConfig(project));
  return 0;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'Print the normalized, interpolated compose file.',
  usage: '',
  options: configOptions,
  run: config,
};
