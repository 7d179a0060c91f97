/**
 * `create [SERVICE...]`: `up --no-start` — every container made ready
 * (namespace, interfaces, cgroup, generated files, images pulled) but none
 * started; `start` (or `up`) runs them. `ps -a` shows them `created`.
 */
import { type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import type { Cli } from '../context';
import { upCommand } from './up';

const PASSED = new Set(['build', 'no-build', 'dry-run', 'json', 'timeout', 'host']);
const options: OptionSpec[] = upCommand.options.filter((o) => PASSED.has(o.name));

async function create(cli: Cli, args: Parsed): Promise<number> {
  return upCommand.run(cli, { ...args, options: { ...args.options, 'no-start': true, detach: true } });
}

export const createCommand: Command = {
  name: 'create',
  summary: 'Create the containers without starting them.',
  usage: '[SERVICE...]',
  options,
  run: create,
};
