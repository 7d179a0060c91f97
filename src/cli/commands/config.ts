import { UsageError } from '../../errors';
import { renderConfig } from '../../compose';
import { flag, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { loadComposeProject, type Cli } from '../context';

const configOptions: OptionSpec[] = [
  { name: 'services', type: 'boolean', description: 'Print the service names, one per line' },
  { name: 'networks', type: 'boolean', description: 'Print the network names, one per line' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Only validate; print nothing' },
  { name: 'json', type: 'boolean', description: 'Print the file as JSON (as --format json)' },
  { name: 'format', type: 'string', arg: 'yaml|json', description: 'Output format (default yaml)' },
];

function format(args: Parsed): 'yaml' | 'json' {
  const f = str(args, 'format') ?? (flag(args, 'json') ? 'json' : 'yaml');
  if (f !== 'yaml' && f !== 'json') throw new UsageError(`config: --format ${f}: use yaml or json`);
  return f;
}

/** The normalized, interpolated compose file. */
async function config(cli: Cli, args: Parsed): Promise<number> {
  if (args.positionals.length) throw new UsageError('config takes no arguments');
  const project = loadComposeProject(cli);
  if (flag(args, 'quiet')) return 0;
  if (flag(args, 'services')) cli.out(Object.keys(project.services).sort().map((s) => s + '\n').join(''));
  else if (flag(args, 'networks')) cli.out(Object.keys(project.networks).sort().map((s) => s + '\n').join(''));
  else cli.out(renderConfig(project, format(args)));
  return 0;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'Print the normalized, interpolated compose file.',
  usage: '',
  options: configOptions,
  run: config,
};
