/** `tscompose images [--json] [-q]`: the images in the store, and the disk they use (shared layers counted once). */
import { familiar, parseReference } from '../../image/reference';
import { listImages } from '../../image/store/images';
import { StoreLayout } from '../../image/store/layout';
import { imageUsage } from '../../image/store/usage';
import { UsageError } from '../../errors';
import { flag, parseOptions, type OptionSpec } from '../args';
import type { Cli } from '../context';
import { renderTable } from '../render';
import { formatBytes } from './pull-progress';

export const imagesOptions: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'Print one JSON object (images and disk use)' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'Only print image IDs' },
];

const shortId = (digest: string) => digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);

/** `nginx:1.27` → [`nginx`, `1.27`]; a digest-only name has tag `<none>`. */
function repoAndTag(name: string): [string, string] {
  const ref = parseReference(name);
  const fam = familiar({ ...ref, tag: undefined, digest: undefined });
  return [fam, ref.tag ?? '<none>'];
}

export async function imagesCommand(cli: Cli, argv: string[]): Promise<number> {
  const parsed = parseOptions(argv, imagesOptions);
  if (parsed.positionals.length) throw new UsageError('images takes no arguments');
  const layout = new StoreLayout();
  const usage = await imageUsage(layout, await listImages(layout));
  if (flag(parsed, 'json')) {
    const images = usage.images.map((u) => ({ ...u.record, id: u.record.configDigest, unpackedBytes: u.unpackedBytes, missingLayers: u.missingLayers }));
    cli.out(JSON.stringify({ images, disk: { layers: usage.layers, bytes: usage.totalBytes } }, null, 2) + '\n');
    return 0;
  }
  if (flag(parsed, 'quiet')) {
    cli.out([...new Set(usage.images.map((u) => shortId(u.record.configDigest)))].map((id) => id + '\n').join(''));
    return 0;
  }
  const rows = usage.images.map(({ record, unpackedBytes, missingLayers }) => [
    ...repoAndTag(record.name),
    shortId(record.configDigest),
    record.platform,
    record.pulledAt.replace('T', ' ').slice(0, 19),
    formatBytes(unpackedBytes) + (missingLayers ? ` (${missingLayers} layer(s) missing: pull again)` : ''),
  ]);
  cli.out(renderTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'PLATFORM', 'PULLED', 'SIZE'], rows));
  cli.out(`disk: ${usage.layers} layer(s), ${formatBytes(usage.totalBytes)} (shared layers counted once) in ${layout.root}\n`);
  return 0;
}
