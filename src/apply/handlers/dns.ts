import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import { DNS_CONFIG, DNS_READY, dnsDir, dnsPeersDir } from '../../observe/dns';
import { NOBODY } from '../../dns/privileges';
import { capabilityMask } from '../../linux/capabilities';
import type { Action } from '../../plan/actions';
import { isAlive, launchContainers, readProcessRef, signalProcess, type ProcessRef } from '../../sys/shim';
import { readIfExists, writeAtomic } from '../../sys/state';
import type { ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

/** The server program (compiled next to this file's tree). */
const SERVER = path.resolve(__dirname, '..', '..', 'dns', 'main.js');

/**
 * The server's directory, for a server that runs as nobody once bound
 * (dns/main.ts): its files in `srv/` (0711: searchable; `dns/` above stays
 * the shim's 0700 state directory, reached only through the server's cwd),
 * the configuration readable (0644), and `ready` an empty file of its own
 * to fill — it can create nothing there, nor touch the shim's pid files.
 */
function prepare(env: ApplyEnv, config: unknown): string {
  env.state.ensureProjectDir(env.project);
  const dir = dnsDir(env.state, env.project);
  const srv = path.dirname(path.join(dir, DNS_CONFIG));
  fs.mkdirSync(srv, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o700);
  fs.chmodSync(srv, 0o711);
  writeAtomic(path.join(dir, DNS_CONFIG), JSON.stringify(config), 0o644);
  // Equivalent to: install -m 644 -o 65534 -g 65534 /dev/null dns/srv/ready
  const ready = path.join(dir, DNS_READY);
  fs.rmSync(ready, { force: true });
  fs.writeFileSync(ready, '', { mode: 0o644, flag: 'wx' });
  fs.chownSync(ready, NOBODY, NOBODY);
  publish(env, config);
  return dir;
}

/**
 * Our names for the servers of the projects that share a bridge with us
 * (plan/dns-peers.ts): they watch this directory and reload.
 */
// Equivalent to: install -d -m 755 /run/tscompose/.dns; echo CONFIG > /run/tscompose/.dns/PROJECT.json
function publish(env: ApplyEnv, config: unknown): void {
  const peers = dnsPeersDir(env.state);
  fs.mkdirSync(peers, { recursive: true, mode: 0o755 });
  fs.chmodSync(peers, 0o755);
  writeAtomic(path.join(peers, `${env.project}.json`), JSON.stringify(config), 0o644);
}

// Equivalent to: rm -f /run/tscompose/.dns/PROJECT.json
function unpublish(env: ApplyEnv): void {
  fs.rmSync(path.join(dnsPeersDir(env.state), `${env.project}.json`), { force: true });
}

/** What the server needs until it has bound port 53 and become nobody: binding, and the right to change its ids. */
const SERVER_CAPS = capabilityMask(['NET_BIND_SERVICE', 'SETUID', 'SETGID']);

/**
 * The server runs under its own tsc-shim in the host's namespaces (it
 * answers on the bridges' gateways), so it outlives the CLI and its output
 * is kept like a container's (dns/container.log).
 */
// Equivalent to: setsid node dist/src/dns/main.js /run/tscompose/P/dns/config.json &
export async function startDns(a: Of<'dns.start'>, env: ApplyEnv): Promise<void> {
  // A server still alive but not answering (a killed `up` left it waiting) holds the ports: stop it first.
  await stopServer(dnsDir(env.state, env.project));
  const dir = prepare(env, a.config);
  for (const f of ['exit.json', 'init.pid', 'shim.pid']) fs.rmSync(path.join(dir, f), { force: true });
  const [r] = await launchContainers([
    {
      name: `${env.project}-dns`,
      stateDir: dir,
      namespaces: [],
      binds: [],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_OPTIONS: '' },
      sysctls: {},
      argv: [process.execPath, SERVER, path.join(dir, DNS_CONFIG), dnsPeersDir(env.state)],
      caps: SERVER_CAPS,
      noNewPrivs: true,
    },
  ]);
  if (!r!.ok) throw Object.assign(new Error(`${r!.syscall}: ${r!.code} (${r!.message})`), { code: r!.code, syscall: r!.syscall });
  await waitReady(dir, { pid: r!.pid, starttime: readProcessRef(path.join(dir, 'init.pid'))?.starttime ?? 0 });
}

/** The server writes `ready` once it answers on every address (or exits with the reason in its log). */
async function waitReady(dir: string, ref: ProcessRef): Promise<void> {
  const deadline = Date.now() + 15_000;
  // Short, fixed polls: every container start waits for this.
  for (const delay = 5; ; ) {
    // Empty until the server fills it (prepare).
    const ready = readIfExists(path.join(dir, DNS_READY));
    if (ready?.startsWith('error ')) throw Object.assign(new Error(`the DNS server refused the new configuration: ${ready.slice(6).trim()}`), { code: 'EINVAL', syscall: 'dns' });
    if (ready) return;
    if (!isAlive(ref) || Date.now() > deadline) {
      const log = fs.existsSync(path.join(dir, 'container.log')) ? fs.readFileSync(path.join(dir, 'container.log'), 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
      throw Object.assign(new Error(`the DNS server did not start${log ? `: ${log}` : ''}`), { code: 'ESRCH', syscall: 'dns' });
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

// Equivalent to: echo CONFIG > dns/config.json; kill -HUP $(cat dns/init.pid)
export async function reloadDns(a: Of<'dns.reload'>, env: ApplyEnv): Promise<void> {
  const dir = prepare(env, a.config);
  const init = readProcessRef(path.join(dir, 'init.pid'));
  if (!init || !isAlive(init)) throw Object.assign(new Error('the DNS server is not running'), { code: 'ESRCH', syscall: 'kill' });
  signalProcess(init, osConstants.signals.SIGHUP);
  await waitReady(dir, init);
}

// Equivalent to: kill -TERM $(cat dns/init.pid); rm -r dns
export async function stopDns(_a: Of<'dns.stop'>, env: ApplyEnv): Promise<void> {
  const dir = dnsDir(env.state, env.project);
  unpublish(env);
  await stopServer(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** SIGTERM the server and its shim, SIGKILL after 5 s; nothing to do when neither runs. */
async function stopServer(dir: string): Promise<void> {
  for (const file of ['init.pid', 'shim.pid']) {
    const ref = readProcessRef(path.join(dir, file));
    if (!ref || !isAlive(ref)) continue;
    signalProcess(ref, osConstants.signals.SIGTERM);
    const deadline = Date.now() + 5000;
    while (isAlive(ref) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (isAlive(ref)) signalProcess(ref, osConstants.signals.SIGKILL);
    while (isAlive(ref) && Date.now() < deadline + 2000) await new Promise((r) => setTimeout(r, 10));
  }
}

