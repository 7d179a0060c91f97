/**
 * `port SERVICE PRIVATE_PORT`: the host address and port a container port
 * is published on, as `docker compose port` prints it (`0.0.0.0:49153`),
 * from the journal: ephemeral ports are the ones `up` chose. Exit 1 when
 * the port is not published.
 */
import { UsageError } from '../../errors';
import { flag, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { journalContainers } from '../containers';
import type { Cli } from '../context';

const options: OptionSpec[] = [
  { name: 'protocol', type: 'string', arg: 'tcp|udp', description: 'The container port\'s protocol (default tcp)' },
  { name: 'index', type: 'string', arg: 'N', description: 'Which replica of the service (default 1)' },
  { name: 'json', type: 'boolean', description: 'Every mapping of the port (IPv4 and IPv6) as a JSON array' },
];

interface Mapping {
  protocol: string;
  hostIp: string;
  hostPort: number;
  port: number;
}

/** A journal key `tcp 0.0.0.0 8080 80` (plan/ports.ts portKey). */
function parseMapping(key: string): Mapping | undefined {
  const [protocol, hostIp, hostPort, port] = key.split(' ');
  if (!protocol || !hostIp || !hostPort || !port) return undefined;
  return { protocol, hostIp, hostPort: Number(hostPort), port: Number(port) };
}

const hostAddress = (m: Mapping) => `${m.hostIp.includes(':') ? `[${m.hostIp}]` : m.hostIp}:${m.hostPort}`;

async function port(cli: Cli, args: Parsed): Promise<number> {
  const [service, privatePort, ...rest] = args.positionals;
  if (!service || !privatePort || rest.length) throw new UsageError('usage: tscompose port [--protocol tcp|udp] [--index N] SERVICE PRIVATE_PORT');
  // `80/udp` as Docker accepts it too.
  const [num, proto] = privatePort.split('/');
  const protocol = str(args, 'protocol') ?? proto ?? 'tcp';
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw new UsageError(`--protocol must be tcp or udp, not ${JSON.stringify(protocol)}`);
  if (!/^\d+$/.test(num!) || Number(num) < 1 || Number(num) > 65535) throw new UsageError(`${JSON.stringify(privatePort)} is not a port number`);
  const index = Number(str(args, 'index') ?? '1');
  if (!Number.isInteger(index) || index < 1) throw new UsageError(`--index wants a replica number from 1, not ${JSON.stringify(str(args, 'index'))}`);
  const { project, containers } = journalContainers(cli, [service]);
  const c = containers.find((x) => x.index === index);
  if (!c) throw new UsageError(`service ${service} has no container ${index} in project ${project}: run tscompose up`);
  const found = (c.state.ports ?? [])
    .map(parseMapping)
    .filter((m): m is Mapping => !!m && m.protocol === protocol && m.port === Number(num))
    // IPv4 first, as Docker prints it.
    .sort((a, b) => Number(a.hostIp.includes(':')) - Number(b.hostIp.includes(':')));
  if (flag(args, 'json')) {
    cli.out(JSON.stringify(found.map((m) => ({ ...m, address: hostAddress(m) })), null, 2) + '\n');
    return found.length ? 0 : 1;
  }
  if (!found.length) {
    cli.err(`tscompose: ${c.name} does not publish ${num}/${protocol}\n`);
    return 1;
  }
  cli.out(hostAddress(found[0]!) + '\n');
  return 0;
}

export const portCommand: Command = {
  name: 'port',
  summary: 'Print the host address a container port is published on.',
  usage: 'SERVICE PRIVATE_PORT',
  options,
  run: port,
};
