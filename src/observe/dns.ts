/**
 * The project's DNS server as its directory describes it: is the process
 * alive (pid + start time), and which configuration it was given.
 */
import * as path from 'node:path';
import { isAlive, readExit, readProcessRef } from '../sys/shim';
import { readIfExists, type StateDir } from '../sys/state';

export const DNS_DIR = 'dns';
/**
 * The server's own files, in `dns/srv/` (0711): it is nobody once bound
 * (dns/main.ts) and reaches them from its cwd; `dns/` itself is the shim's
 * state directory, which must stay 0700 and root's.
 */
export const DNS_CONFIG = 'srv/config.json';
export const DNS_READY = 'srv/ready';

/**
 * Where every project publishes its DNS configuration, for the servers of
 * the projects sharing a bridge with it (plan/dns-peers.ts): 0755 under the
 * state root, one `PROJECT.json` (0644) each. Dot-named: never a project.
 */
export const DNS_PEERS_DIR = '.dns';

export function dnsPeersDir(state: StateDir): string {
  return path.join(state.root, DNS_PEERS_DIR);
}

export function dnsDir(state: StateDir, project: string): string {
  return path.join(state.projectDir(project), DNS_DIR);
}

export function observeDns(state: StateDir, project: string): { running: boolean; ready: boolean; config?: string } | undefined {
  const dir = dnsDir(state, project);
  const config = readIfExists(path.join(dir, DNS_CONFIG));
  const init = readProcessRef(path.join(dir, 'init.pid'));
  const running = !!init && isAlive(init) && !readExit(dir);
  if (config === undefined && !init) return undefined;
  // The server fills `ready` once it answers (`error …` when a configuration failed); empty: not yet.
  const ready = readIfExists(path.join(dir, DNS_READY));
  return { running, ready: !!ready && !ready.startsWith('error '), ...(config !== undefined ? { config } : {}) };
}
