/** `tscompose logout [REGISTRY]`: forget the stored credentials (Docker Hub by default). */
import { dockerConfigPath } from '../../image/registry/credentials';
import { eraseCredentials } from '../../image/registry/login';
import { UsageError } from '../../errors';
import { type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import type { Cli } from '../context';
import { registryArg } from './login';

export const logoutOptions: OptionSpec[] = [];

async function run(cli: Cli, parsed: Parsed): Promise<number> {
  if (parsed.positionals.length > 1) throw new UsageError('logout takes at most one registry');
  const registry = registryArg(parsed.positionals[0]);
  const removed = await eraseCredentials(registry, dockerConfigPath(cli.env));
  cli.err(removed ? `Removed login credentials for ${registry}\n` : `Not logged in to ${registry}\n`);
  return 0;
}

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Forget stored registry credentials.',
  usage: '[REGISTRY]',
  options: logoutOptions,
  run,
};
