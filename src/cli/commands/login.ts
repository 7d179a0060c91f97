/**
 * `tscompose login [-u USER] [-p PASSWORD | --password-stdin] [REGISTRY]`:
 * check the credentials against the registry, then store them where Docker
 * would (see image/registry/login.ts). REGISTRY defaults to Docker Hub.
 */
import * as fs from 'node:fs';
import { ImageError } from '../../image/errors';
import { DOCKER_HUB } from '../../image/reference';
import { RegistryClient } from '../../image/registry/client';
import { dockerConfigPath } from '../../image/registry/credentials';
import { closeConnections } from '../../image/registry/http';
import { saveCredentials } from '../../image/registry/login';
import { UsageError } from '../../errors';
import { flag, parseOptions, str, type OptionSpec } from '../args';
import type { Cli } from '../context';
import { insecureRegistries } from './pull';

export const loginOptions: OptionSpec[] = [
  { name: 'username', short: 'u', type: 'string', arg: 'USER', description: 'User name' },
  { name: 'password', short: 'p', type: 'string', arg: 'PASSWORD', description: 'Password (visible to other users in ps: prefer --password-stdin)' },
  { name: 'password-stdin', type: 'boolean', description: 'Read the password from stdin' },
  { name: 'insecure-registry', type: 'string', multiple: true, arg: 'HOST[:PORT]', description: 'Allow plain HTTP to this registry (loopback ones always are)' },
];

/** `https://index.docker.io/v1/`, `docker.io`, `host:5000` → the registry name. */
export function registryArg(arg: string | undefined): string {
  if (!arg) return DOCKER_HUB;
  const host = arg.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

export async function loginCommand(cli: Cli, argv: string[]): Promise<number> {
  const parsed = parseOptions(argv, loginOptions);
  if (parsed.positionals.length > 1) throw new UsageError('login takes at most one registry');
  const registry = registryArg(parsed.positionals[0]);
  const username = str(parsed, 'username');
  let password = str(parsed, 'password');
  if (flag(parsed, 'password-stdin')) {
    if (password !== undefined) throw new UsageError('--password and --password-stdin exclude each other');
    password = fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  }
  if (!username || password === undefined) throw new UsageError('login needs -u USER and a password (-p or --password-stdin)');
  const creds = { username, password };
  const client = new RegistryClient(registry, { insecure: insecureRegistries(cli, parsed), credentials: () => creds });
  try {
    await client.checkCredentials();
  } catch (e) {
    throw new ImageError(`login ${registry}: ${(e as Error).message}`, e);
  } finally {
    closeConnections();
  }
  const where = await saveCredentials(registry, creds, dockerConfigPath(cli.env));
  cli.err(`Login Succeeded (credentials in ${where})\n`);
  return 0;
}
