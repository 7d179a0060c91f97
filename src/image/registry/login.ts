/**
 * `login` / `logout` writing what Docker reads: through the credential
 * helper config.json names for the registry (`credHelpers`, else
 * `credsStore`: `docker-credential-NAME store|erase`), or in `auths` as
 * base64 user:password. config.json is rewritten atomically, mode 0600,
 * keeping every key we do not know.
 *
 * Equivalent to: docker login -u USER --password-stdin REGISTRY; docker logout REGISTRY
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAtomic } from '../store/images';
import { authKey, dockerConfigPath, readDockerConfig, type Credentials, type DockerConfig } from './credentials';

function helperFor(config: DockerConfig, registry: string): string | undefined {
  return config.credHelpers?.[registry] ?? config.credHelpers?.[authKey(registry)] ?? config.credsStore;
}

function runHelper(helper: string, verb: 'store' | 'erase', input: string): void {
  const r = spawnSync(`docker-credential-${helper}`, [verb], { input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`docker-credential-${helper}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`docker-credential-${helper} ${verb}: ${(r.stderr || r.stdout).trim() || `exit ${r.status}`}`);
}

async function writeConfig(file: string, config: DockerConfig): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeAtomic(file, JSON.stringify(config, null, '\t') + '\n');
}

/** Store the credentials for `registry`; returns where they went. */
export async function saveCredentials(registry: string, creds: Credentials, file = dockerConfigPath()): Promise<string> {
  const config = readDockerConfig(file);
  const server = authKey(registry);
  const helper = helperFor(config, registry);
  if (helper) {
    runHelper(helper, 'store', JSON.stringify({ ServerURL: server, Username: creds.username, Secret: creds.password }));
    return `docker-credential-${helper}`;
  }
  config.auths = { ...config.auths, [server]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') } };
  await writeConfig(file, config);
  return file;
}

/** Forget the credentials for `registry`; false when there were none in config.json (helpers are asked regardless). */
export async function eraseCredentials(registry: string, file = dockerConfigPath()): Promise<boolean> {
  const config = readDockerConfig(file);
  const server = authKey(registry);
  const helper = helperFor(config, registry);
  if (helper) runHelper(helper, 'erase', server);
  if (!config.auths?.[server]) return !!helper;
  delete config.auths[server];
  await writeConfig(file, config);
  return true;
}
