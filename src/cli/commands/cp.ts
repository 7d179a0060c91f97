/**
 * `cp SERVICE:SRC DEST` and `cp SRC SERVICE:DEST`: files and directories
 * between the host and a running container, the container's paths
 * resolved inside its root (sys/container-copy.ts). `-` (tar streams) is
 * not supported.
 */
import * as path from 'node:path';
import { ApplyError, UsageError } from '../../errors';
import { copyFromContainer, copyToContainer, pinContainerRoot } from '../../sys/container-copy';
import { isAlive } from '../../sys/shim';
import { str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { journalContainers, runningInit } from '../containers';
import type { Cli } from '../context';

const options: OptionSpec[] = [
  { name: 'index', type: 'string', arg: 'N', description: 'Which replica of the service (default 1)' },
];

/** `web:/etc/x` → service and path; a host path (with no colon before its first slash) → undefined. */
function containerRef(arg: string): { service: string; path: string } | undefined {
  const colon = arg.indexOf(':');
  const slash = arg.indexOf('/');
  if (colon <= 0 || (slash >= 0 && slash < colon)) return undefined;
  return { service: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

async function cp(cli: Cli, args: Parsed): Promise<number> {
  const [from, to, ...rest] = args.positionals;
  if (!from || !to || rest.length) throw new UsageError('usage: tscompose cp SERVICE:SRC DEST | SRC SERVICE:DEST');
  const a = containerRef(from);
  const b = containerRef(to);
  if (!!a === !!b) throw new UsageError('cp copies between the host and a container: exactly one of SRC and DEST is SERVICE:PATH');
  if (from === '-' || to === '-') throw new UsageError('cp: tar streams (-) are not supported');
  const ref = (a ?? b)!;
  if (!ref.path) throw new UsageError(`cp: ${a ? from : to} names no path in the container`);
  const index = Number(str(args, 'index') ?? '1');
  const { project, containers } = journalContainers(cli, [ref.service]);
  const c = containers.find((x) => x.index === index);
  if (!c) throw new UsageError(`service ${ref.service} has no container ${index} in project ${project}: run tscompose up`);
  const init = runningInit(c);
  if (!init) throw new UsageError(`container ${c.name} is not running (cp reaches its files through its mount namespace)`);
  let stats;
  try {
    const pinned = pinContainerRoot(init.pid, () => isAlive(init));
    try {
      stats = a ? copyFromContainer(pinned.root, a.path, path.resolve(cli.cwd, to)) : copyToContainer(path.resolve(cli.cwd, from), pinned.root, b!.path);
    } finally {
      pinned.close();
    }
  } catch (e) {
    // ELOOP: a symlink of the container where the copy would have followed it (refused by design).
    throw new ApplyError({ kind: 'cp', id: 'cp', target: `${from} ${to}` }, e);
  }
  cli.err(` ✔ Copied ${stats.entries} entr${stats.entries === 1 ? 'y' : 'ies'} (${stats.bytes} bytes) ${a ? `from ${c.name}` : `to ${c.name}`}\n`);
  return 0;
}

export const cpCommand: Command = {
  name: 'cp',
  summary: 'Copy files between a container and the host.',
  usage: 'SERVICE:SRC DEST | SRC SERVICE:DEST',
  options,
  run: cp,
};
