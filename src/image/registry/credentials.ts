/**
 * Registry credentials the way Docker finds them in ~/.docker/config.json
 * (or $DOCKER_CONFIG/config.json): `credHelpers[registry]`, else
 * `credsStore`, through the `docker-credential-NAME get` protocol (the
 * server on stdin, `{"Username","Secret"}` on stdout); else `auths[registry]`
 * (`auth` = base64 of user:password). Docker Hub is stored under
 * `https://index.docker.io/v1/`.
 *
 * Equivalent to: echo -n SERVER | docker-credential-NAME get
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DOCKER_HUB } from '../reference';

export interface Credentials {
  username: string;
  password: string;
  /** An identity token (OAuth refresh token) instead of a password. */
  identityToken?: string;
}

export interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

export function readDockerConfig(file = dockerConfigPath()): DockerConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    if (e?.code === 'ENOENT') return {};
    throw e;
  }
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** The key a registry's entry has in `auths` and for helpers. */
export function authKey(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : registry;
}

/** The auths entry for `registry`, also matching keys written as URLs (`https://host/v2/`). */
function authsEntry(config: DockerConfig, registry: string) {
  const auths = config.auths ?? {};
  const key = authKey(registry);
  if (auths[key]) return auths[key];
  for (const [k, v] of Object.entries(auths)) {
    const host = k.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (host === registry || (registry === DOCKER_HUB && host === 'index.docker.io')) return v;
  }
  return undefined;
}

/** Ask `docker-credential-HELPER` for the server's credentials; undefined when it has none. */
export function fromHelper(helper: string, server: string): Credentials | undefined {
  const r = spawnSync(`docker-credential-${helper}`, ['get'], { input: server, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`docker-credential-${helper}: ${r.error.message}`);
  if (r.status !== 0) {
    if (/credentials not found/i.test(r.stdout + r.stderr)) return undefined;
    throw new Error(`docker-credential-${helper} get ${server}: ${(r.stderr || r.stdout).trim() || `exit ${r.status}`}`);
  }
  const out = JSON.parse(r.stdout) as { Username?: string; Secret?: string };
  if (!out.Secret) return undefined;
  // A helper returns "<token>" as the user name when the secret is an identity token.
  return out.Username === '<token>'
    ? { username: '', password: '', identityToken: out.Secret }
    : { username: out.Username ?? '', password: out.Secret };
}

/** Credentials for `registry`, or undefined (anonymous). */
export function lookupCredentials(registry: string, config: DockerConfig = readDockerConfig()): Credentials | undefined {
  const server = authKey(registry);
  const helper = config.credHelpers?.[registry] ?? config.credHelpers?.[server];
  if (helper) return fromHelper(helper, server);
  const entry = authsEntry(config, registry);
  if (config.credsStore) {
    const found = fromHelper(config.credsStore, server);
    if (found) return found;
  }
  if (!entry) return undefined;
  if (entry.identitytoken) return { username: '', password: '', identityToken: entry.identitytoken };
  if (entry.auth) {
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon === -1) throw new Error(`auths["${server}"].auth is not base64 of user:password`);
    return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
  }
  if (entry.username !== undefined) return { username: entry.username, password: entry.password ?? '' };
  return undefined;
}
