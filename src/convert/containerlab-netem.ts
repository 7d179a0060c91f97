/**
 * `x-netem` has no place in a containerlab topology: containerlab shapes
 * links with a command run on the host after deploy. Each shaped interface
 * gets a warning at its x-netem key carrying that command.
 */
import type { NetemSpec, Project } from '../compose/types';
import type { Warn } from './warnings';

/** `containerlab tools netem set` (it runs on the host after deploy): rate in kbit/s, delay and jitter as durations, loss and corruption in percent. */
export function shapingWarning(project: Project, container: string, network: string, ifname: string, warn: Warn): void {
  const att = project.services[container]?.networks.find((n) => n.network === network);
  const net = project.networks[network];
  const netem: NetemSpec | undefined = att?.netem ?? net?.netem;
  if (!netem || !att || !net) return;
  const path = att.netem ? `services.${container}.networks.${network}.x-netem` : net.fromLink ? `x-links.${net.fromLink.index}.x-netem` : `networks.${network}.x-netem`;
  const flags: string[] = [];
  const ms = (us: number) => `${us / 1000}ms`;
  if (netem.delayUs !== undefined) flags.push(`--delay ${ms(netem.delayUs)}`);
  if (netem.jitterUs !== undefined) flags.push(`--jitter ${ms(netem.jitterUs)}`);
  if (netem.loss !== undefined) flags.push(`--loss ${netem.loss}`);
  if (netem.corrupt !== undefined) flags.push(`--corruption ${netem.corrupt}`);
  if (netem.rate !== undefined) flags.push(`--rate ${Math.max(1, Math.round(netem.rate / 1000))}`);
  const missing = (['duplicate', 'reorder', 'limit'] as const).filter((k) => netem[k] !== undefined);
  warn(
    'unmapped',
    path,
    `shaping of ${container}:${ifname} is not part of a containerlab topology; after deploy run: ` +
      `containerlab tools netem set -n clab-${project.name}-${container} -i ${ifname} ${flags.join(' ')}` +
      (missing.length ? ` (${missing.join(', ')}: no containerlab equivalent)` : ''),
  );
}
