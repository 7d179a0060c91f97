import { isPaused } from '../../apply/pause';
import { observeContainers } from '../../observe/containers';
import { hostCgroups } from '../../sys/cgroup';
import type { ContainerHealth, ObservedContainer, StateContainer } from '../../plan/model';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { checkServices, projectNameFor, type Cli } from '../context';
import { formatDuration, renderTable } from '../render';

const psOptions: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'Print one JSON array of containers' },
  { name: 'all', short: 'a', type: 'boolean', description: 'Also list containers that have exited' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Only print container names' },
];

interface Row {
  name: string;
  service: string;
  state: 'running' | 'paused' | 'restarting' | 'exited' | 'created' | 'dead';
  status: string;
  pid: number | null;
  exitCode: number | null;
  /** The memory limit killed a process of its last run (Docker's OOMKilled). */
  oomKilled: boolean;
  /** Times its restart policy started it again (Docker's RestartCount). */
  restartCount: number;
  /** Its healthcheck's state and last result, while it runs; null without one. */
  health: { status: string; failingStreak: number; last: ContainerHealth['log'][number] | null } | null;
  shim: 'alive' | 'gone';
  command: string[];
  networks: Array<{ network: string; interface: string; address: string }>;
  netns: string | null;
  labels: Record<string, string>;
  expose: string[];
}

function describe(name: string, s: StateContainer | undefined, o: ObservedContainer | undefined, now: number, paused: boolean): Row {
  let state: Row['state'];
  let status: string;
  if (o?.running && paused) {
    // As Docker: paused is a state of its own (its process is there, frozen).
    state = 'paused';
    status = `paused${o.startedAt ? ` (up ${formatDuration(now - Date.parse(o.startedAt))})` : ''}`;
  } else if (o?.running) {
    state = 'running';
    const up = o.startedAt ? formatDuration(now - Date.parse(o.startedAt)) : '';
    const health = o.health ? (o.health.status === 'starting' ? 'health: starting' : o.health.status) : undefined;
    status = `running${up ? ` (${up})` : ''}${health ? ` (${health})` : ''}${o.shimAlive ? '' : ', shim gone'}`;
  } else if (o?.restarting) {
    state = 'restarting';
    status = `restarting (${o.exit?.exitCode ?? '?'})${o.exit?.signal ? ` by ${o.exit.signal}` : ''}${o.oomKilled ? ', OOMKilled' : ''}`;
  } else if (o?.exit) {
    state = 'exited';
    status = `exited (${o.exit.exitCode})${o.exit.signal ? ` by ${o.exit.signal}` : ''}${o.oomKilled ? ', OOMKilled' : ''} ${formatDuration(now - Date.parse(o.exit.finishedAt))} ago`;
  } else if (o?.pid !== undefined) {
    state = 'dead';
    status = o.shimAlive ? 'dead' : 'dead (shim gone, no exit status)';
  } else {
    state = 'created';
    status = 'created';
  }
  return {
    name,
    service: s?.service ?? '',
    state,
    status,
    pid: o?.running ? (o.pid ?? null) : null,
    exitCode: o?.exit?.exitCode ?? null,
    oomKilled: !!o?.oomKilled,
    restartCount: o?.restartCount ?? 0,
    health: o?.health ? { status: o.health.status, failingStreak: o.health.failingStreak, last: o.health.log.at(-1) ?? null } : null,
    shim: o?.shimAlive ? 'alive' : 'gone',
    command: s?.launch.argv ?? [],
    networks: (s?.interfaces ?? []).map((i) => ({ network: i.network, interface: i.ifname, address: i.address ? `${i.address}/${i.prefixLen}` : `${i.address6}` })),
    netns: s?.netns ?? null,
    labels: s?.labels ?? {},
    expose: s?.expose ?? [],
  };
}

/** Containers of the project with state, PID, uptime, exit code and addresses. */
async function ps(cli: Cli, args: Parsed): Promise<number> {
  const { name, project } = projectNameFor(cli);
  const journal = cli.state.readState(name);
  const observed = observeContainers(cli.state, name);
  const names = [...new Set([...Object.keys(journal?.containers ?? {}), ...Object.keys(observed)])].sort();
  const wanted = args.positionals;
  if (project) checkServices(project, wanted);
  const now = Date.now();
  const rows = names
    .map((n) => describe(n, journal?.containers[n], observed[n], now, !!observed[n]?.running && isPaused(cli.state.containerDir(name, n), hostCgroups())))
    .filter((r) => !wanted.length || wanted.includes(r.service))
    .filter((r) => flag(args, 'all') || r.state === 'running' || r.state === 'paused' || r.state === 'restarting' || r.state === 'dead');
  if (flag(args, 'json')) cli.out(JSON.stringify(rows, null, 2) + '\n');
  else if (flag(args, 'quiet')) cli.out(rows.map((r) => r.name + '\n').join(''));
  else
    cli.out(
      renderTable(
        ['NAME', 'SERVICE', 'STATUS', 'PID', 'COMMAND', 'ADDRESSES'],
        rows.map((r) => [
          r.name,
          r.service,
          r.status,
          r.pid === null ? '' : String(r.pid),
          r.command.length ? truncate(r.command.join(' '), 32) : '(pause)',
          r.networks.map((n) => `${n.interface}:${n.address}`).join(' '),
        ]),
      ),
    );
  return 0;
}

const truncate = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

export const psCommand: Command = {
  name: 'ps',
  summary: 'List the project’s containers.',
  usage: '[SERVICE...]',
  options: psOptions,
  run: ps,
};
