/**
 * `events`: what happens to the project's containers — start, die (exit
 * code, signal), restart, health_status — as the shims record it, printed
 * as it happens until Ctrl-C (as `docker compose events`), without a daemon.
 */
import { followEvents, readEvents, type ContainerEvent } from '../../sys/events-log';
import { flag, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { checkServices, projectNameFor, type Cli } from '../context';

const eventsOptions: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'One JSON object per line' },
  { name: 'no-follow', type: 'boolean', description: 'Print the events so far and exit' },
];

/** `2026-12-06T10:40:20.008325993Z container die web-1 (service=web, exitCode=3, signal=0)` */
export function formatEvent(e: ContainerEvent, service: string | undefined): string {
  const { time, type, container, ...attrs } = e;
  const pairs = [...(service ? [`service=${service}`] : []), ...Object.entries(attrs).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)];
  return `${time} container ${type} ${container}${pairs.length ? ` (${pairs.join(', ')})` : ''}`;
}

async function events(cli: Cli, args: Parsed): Promise<number> {
  const { name, project } = projectNameFor(cli);
  const wanted = args.positionals;
  if (project) checkServices(project, wanted);
  const file = cli.state.eventsPath(name);
  // Container → service from the journal, read again for containers made after we started.
  let services = new Map<string, string>();
  const serviceOf = (container: string) => {
    if (!services.has(container)) services = new Map(Object.entries(cli.state.readState(name)?.containers ?? {}).map(([n, c]) => [n, c.service]));
    return services.get(container);
  };
  const print = (e: ContainerEvent) => {
    const service = serviceOf(e.container);
    if (wanted.length && (!service || !wanted.includes(service))) return;
    cli.out((flag(args, 'json') ? JSON.stringify(service ? { ...e, service } : e) : formatEvent(e, service)) + '\n');
  };
  const first = readEvents(file, 0);
  first.events.forEach(print);
  if (flag(args, 'no-follow')) return 0;
  let stopped = false;
  const onSignal = () => (stopped = true);
  // `on`, not `once`: `timeout -s INT` signals the command and then its whole group, and a second
  // SIGINT after a once-listener went would find the default action (death by signal, 130).
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await followEvents(file, first.offset, print, () => stopped);
  return 0;
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'Print what happens to the containers (start, die, restart, health_status) as it happens.',
  usage: '[SERVICE...]',
  options: eventsOptions,
  run: events,
};
