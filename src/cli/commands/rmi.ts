/**
 * `tscompose rmi IMAGE...`: forget the names, then remove the layers and
 * blobs no remaining image uses. Every name must exist (nothing is removed
 * otherwise). An image a container of any project uses is refused, as
 * Docker does; the layers containers mount are never collected.
 */
import { ImageError } from '../../image/errors';
import { canonical } from '../../image/reference';
import { parseImageName } from '../../image/pull';
import { collectGarbage, listImages, removeImages } from '../../image/store/images';
import { StoreLayout } from '../../image/store/layout';
import { UsageError } from '../../errors';
import { type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import type { Cli } from '../context';
import { containerImages } from '../container-images';

export const rmiOptions: OptionSpec[] = [];

async function run(cli: Cli, parsed: Parsed): Promise<number> {
  if (!parsed.positionals.length) throw new UsageError('rmi: name at least one image');
  const layout = new StoreLayout();
  const known = new Set((await listImages(layout)).map((r) => r.name));
  const names = parsed.positionals.map((p) => canonical(parseImageName(p)));
  const missing = parsed.positionals.filter((_, i) => !known.has(names[i]!));
  if (missing.length) throw new ImageError(`no such image: ${missing.join(', ')} (nothing removed)`);
  const users = containerImages(cli);
  const busy = users.filter((u) => u.image !== undefined && names.includes(u.image));
  if (busy.length) {
    throw new ImageError(`${busy.map((u) => `${u.image} is used by container ${u.container}`).join('; ')}: remove the container first (down); nothing removed`);
  }
  const removed = await removeImages(layout, names);
  const { layers } = await collectGarbage(layout, users.flatMap((u) => u.layers));
  for (const r of removed) cli.out(`Untagged: ${r.name}\n`);
  cli.out(`Deleted: ${layers} layer(s)\n`);
  return 0;
}

export const rmiCommand: Command = {
  name: 'rmi',
  summary: 'Remove images (and the layers no other image uses).',
  usage: 'IMAGE...',
  options: rmiOptions,
  run,
};
