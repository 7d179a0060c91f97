/**
 * `rm [-s] [SERVICE...]`: removes the project's stopped containers (all,
 * or those of the services named) and what is theirs alone — state
 * directory, writable layer, anonymous volumes, logs, network namespace,
 * cgroup — and forgets them in the journal; networks and named volumes
 * stay, as with Docker Compose. Running containers are skipped unless `-s`
 * stops them first. We never ask for confirmation: `-f` is accepted for
 * Docker Compose's command lines and changes nothing.
 */
import { execute } from '../../apply/execute';
import { Session } from '../../apply/session';
import { observeDns } from '../../observe/dns';
import type { DnsConfig } from '../../plan/model';
import { removalPlan } from '../../plan/remove';
import { flag, optionalSeconds, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { journalContainers, liveShim, runningInit } from '../containers';
import { progress, type Cli } from '../context';

const options: OptionSpec[] = [
  { name: 'force', short: 'f', type: 'boolean', description: 'Do not ask for confirmation (tscompose never asks: accepted for compatibility)' },
  { name: 'stop', short: 's', type: 'boolean', description: 'Stop running containers first (default: they are skipped)' },
  { name: 'volumes', short: 'v', type: 'boolean', description: 'Remove anonymous volumes (they live in the container\'s directory: always removed with it)' },
  { name: 'timeout', short: 't', type: 'string', arg: 'SECONDS', description: 'With -s: grace period before SIGKILL' },
];

async function rm(cli: Cli, args: Parsed): Promise<number> {
  const stopTimeoutSec = optionalSeconds(str(args, 'timeout'), '--timeout');
  const { project, containers } = journalContainers(cli, args.positionals);
  const session = new Session(project, cli.state, progress(cli, project));
  try {
    session.lockProject();
    const running = containers.filter((c) => runningInit(c) || liveShim(c));
    const chosen = flag(args, 'stop') ? containers : containers.filter((c) => !running.includes(c));
    if (!flag(args, 'stop')) for (const c of running) cli.err(` ! Container ${c.name}  running: not removed (stop it, or rm -s)\n`);
    if (!chosen.length) {
      cli.err(' ! No stopped containers\n');
      return 0;
    }
    // Read under the lock: the journal an `up` that just finished wrote.
    const state = cli.state.readState(project)!;
    const names = chosen.map((c) => c.name);
    const dns = observeDns(cli.state, project);
    const config = dns?.running && dns.config ? (JSON.parse(dns.config) as DnsConfig) : undefined;
    await execute(removalPlan(state, names, { stopTimeoutSec, dns: config }), session.env(), { continueOnError: true });
    const after = cli.state.readState(project) ?? state;
    for (const n of names) delete after.containers[n];
    cli.state.writeState({ ...after, updatedAt: new Date().toISOString() });
    return 0;
  } finally {
    session.close();
  }
}

export const rmCommand: Command = {
  name: 'rm',
  summary: 'Remove stopped containers (and their layer, namespace and cgroup).',
  usage: '[SERVICE...]',
  options,
  run: rm,
};
