import { observeContainers } from '../../observe/containers';
import { rates, sample, type ContainerStats, type Sample } from '../../observe/stats';
import { formatBytes } from '../../compose/resources';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { checkServices, projectNameFor, type Cli } from '../context';
import { renderTable } from '../render';

const statsOptions: OptionSpec[] = [
  { name: 'no-stream', type: 'boolean', description: 'Print one sample and exit (CPU % is measured over one second)' },
  { name: 'json', type: 'boolean', description: 'JSON: one array of containers per sample (one line each while streaming)' },
];

/** How often the numbers refresh, and the window of the CPU % of --no-stream (as docker stats). */
const INTERVAL_MS = 1000;

/**
 * CPU %, memory use / limit, network and block I/O, and pids of the
 * project's running containers, refreshed every second like `docker stats`
 * (Ctrl-C ends it), or once with --no-stream.
 */
async function stats(cli: Cli, args: Parsed): Promise<number> {
  const { name, project } = projectNameFor(cli);
  const wanted = args.positionals;
  if (project) checkServices(project, wanted);
  const json = flag(args, 'json');
  const once = flag(args, 'no-stream');
  const read = (): Sample[] => {
    const journal = cli.state.readState(name);
    if (!journal) return [];
    const observed = observeContainers(cli.state, name);
    const running = Object.values(observed)
      .filter((o) => o.running && o.pid !== undefined && journal.containers[o.name])
      .filter((o) => !wanted.length || wanted.includes(journal.containers[o.name]!.service))
      .map((o) => ({ name: o.name, pid: o.pid! }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return sample(journal, running);
  };
  let interrupted = false;
  let wake: () => void = () => {};
  const onSigint = () => {
    interrupted = true;
    wake();
  };
  process.on('SIGINT', onSigint);
  try {
    let before = new Map<string, Sample>();
    for (let first = true; ; first = false) {
      const now = read();
      // The first sample has nothing to compare with: one interval, then show.
      if (!first || !now.length) {
        const rows = now.map((s) => rates(s, before.get(s.name)));
        show(cli, rows, { json, once, clear: !once && !json && !!process.stdout.isTTY });
        if (once) return 0;
      }
      before = new Map(now.map((s) => [s.name, s]));
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, INTERVAL_MS);
      });
      if (interrupted) return 0;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function show(cli: Cli, rows: ContainerStats[], how: { json: boolean; once: boolean; clear: boolean }): void {
  if (how.json) {
    cli.out(JSON.stringify(rows, null, how.once ? 2 : undefined) + '\n');
    return;
  }
  const table = renderTable(
    ['NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'],
    rows.map((r) => [
      r.name,
      r.cpuPercent === null ? '--' : `${r.cpuPercent.toFixed(2)}%`,
      `${r.memory.usage === null ? '--' : formatBytes(r.memory.usage)} / ${formatBytes(r.memory.limit)}`,
      r.memoryPercent === null ? '--' : `${r.memoryPercent.toFixed(2)}%`,
      r.net ? `${decimal(r.net.rx)} / ${decimal(r.net.tx)}` : '--',
      r.block ? `${decimal(r.block.read)} / ${decimal(r.block.write)}` : '--',
      r.pids === null ? '--' : String(r.pids),
    ]),
  );
  cli.out((how.clear ? '\x1b[2J\x1b[H' : '') + table + (how.once || how.clear ? '' : '\n'));
}

/** I/O as docker stats shows it: 1.2kB. */
function decimal(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)}${units[i]}`;
}

export const statsCommand: Command = {
  name: 'stats',
  summary: 'Show the containers’ CPU, memory, network, block I/O and pids, live.',
  usage: '[SERVICE...]',
  options: statsOptions,
  run: stats,
};
