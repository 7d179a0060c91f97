/**
 * `tscompose rmi IMAGE...`: forget the names, then remove the layers and
 * blobs no remaining image uses. Every name must exist (nothing is removed
 * otherwise).
 */
import { ImageError } from '../../image/errors';
import { canonical } from '../../image/reference';
import { parseImageName } from '../../image/pull';
import { collectGarbage, listImages, removeImages } from '../../image/store/images';
import { StoreLayout } from '../../image/store/layout';
import { UsageError } from '../../errors';
import { parseOptions, type OptionSpec } from '../args';
import type { Cli } from '../context';

export const rmiOptions: OptionSpec[] = [];

export async function rmiCommand(cli: Cli, argv: string[]): Promise<number> {
  const parsed = parseOptions(argv, rmiOptions);
  if (!parsed.positionals.length) throw new UsageError('rmi: name at least one image');
  const layout = new StoreLayout();
  const known = new Set((await listImages(layout)).map((r) => r.name));
  const names = parsed.positionals.map((p) => canonical(parseImageName(p)));
  const missing = parsed.positionals.filter((_, i) => !known.has(names[i]!));
  if (missing.length) throw new ImageError(`no such image: ${missing.join(', ')} (nothing removed)`);
  const removed = await removeImages(layout, names);
  const { layers } = await collectGarbage(layout);
  for (const r of removed) cli.out(`Untagged: ${r.name}\n`);
  cli.out(`Deleted: ${layers} layer(s)\n`);
  return 0;
}
