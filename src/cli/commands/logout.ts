/** `tscompose logout [REGISTRY]`: forget the stored credentials (Docker Hub by default). */
import { dockerConfigPath } from '../../image/registry/credentials';
import { eraseCredentials } from '../../image/registry/login';
import { UsageError } from '../../errors';
import { parseOptions, type OptionSpec } from '../args';
import type { Cli } from '../context';
import { registryArg } from './login';

export const logoutOptions: OptionSpec[] = [];

export async function logoutCommand(cli: Cli, argv: string[]): Promise<number> {
  const parsed = parseOptions(argv, logoutOptions);
  if (parsed.positionals.length > 1) throw new UsageError('logout takes at most one registry');
  const registry = registryArg(parsed.positionals[0]);
  const removed = await eraseCredentials(registry, dockerConfigPath(cli.env));
  cli.err(removed ? `Removed login credentials for ${registry}\n` : `Not logged in to ${registry}\n`);
  return 0;
}
