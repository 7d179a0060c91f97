/**
 * `ls`: the projects on this machine, as `docker compose ls` lists them:
 * every project with a state directory (/run/tscompose/<project>), and with
 * `-a` also those only `boot` remembers (/var/lib/tscompose/projects: after
 * a reboot, before `tscompose boot`). Status counts containers by state
 * (`running(2), exited(1)`); without `-a` only projects with a running
 * (or paused, or restarting) container are listed.
 */
import { isPaused } from '../../apply/pause';
import { observeContainer } from '../../observe/containers';
import { BootRecords } from '../../sys/boot-records';
import { hostCgroups } from '../../sys/cgroup';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import type { Cli } from '../context';
import { renderTable } from '../render';

const options: OptionSpec[] = [
  { name: 'all', short: 'a', type: 'boolean', description: 'Also list projects with no running container' },
  { name: 'json', type: 'boolean', description: 'Print one JSON array of projects' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Only print project names' },
];

const ORDER = ['running', 'paused', 'restarting', 'exited', 'created'] as const;
type State = (typeof ORDER)[number];

interface Row {
  name: string;
  status: string;
  containers: Partial<Record<State, number>>;
  configFiles: string[];
  workingDir: string | null;
}

function stateOf(dir: string, name: string): State {
  const o = observeContainer(dir, name);
  if (o.running) return isPaused(dir, hostCgroups()) ? 'paused' : 'running';
  if (o.restarting) return 'restarting';
  return o.exit || o.pid !== undefined ? 'exited' : 'created';
}

async function ls(cli: Cli, args: Parsed): Promise<number> {
  const boot = new Map(new BootRecords().list().map((r) => [r.project, r]));
  const names = [...new Set([...cli.state.projects(), ...boot.keys()])].sort();
  const rows: Row[] = names.map((name) => {
    const journal = cli.state.readState(name);
    const counts: Row['containers'] = {};
    for (const c of cli.state.containers(name)) {
      const s = stateOf(cli.state.containerDir(name, c), c);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    const record = boot.get(name);
    const status = ORDER.filter((s) => counts[s]).map((s) => `${s}(${counts[s]})`).join(', ') || (journal && !journal.keptForJoiners ? 'created(0)' : 'down');
    return {
      name,
      status,
      containers: counts,
      // The files `up` read; after a reboot, the copy `boot` keeps.
      configFiles: journal?.files ?? (record ? [record.composeFile] : []),
      workingDir: journal?.workingDir ?? record?.workingDir ?? null,
    };
  });
  const shown = rows.filter((r) => flag(args, 'all') || r.containers.running || r.containers.paused || r.containers.restarting);
  if (flag(args, 'json')) cli.out(JSON.stringify(shown, null, 2) + '\n');
  else if (flag(args, 'quiet')) cli.out(shown.map((r) => r.name + '\n').join(''));
  else cli.out(renderTable(['NAME', 'STATUS', 'CONFIG FILES'], shown.map((r) => [r.name, r.status, r.configFiles.join(',')])));
  return 0;
}

export const lsCommand: Command = {
  name: 'ls',
  summary: 'List the projects on this machine.',
  usage: '',
  options,
  run: ls,
};
