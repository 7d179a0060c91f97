/**
 * `tscompose image inspect IMAGE...` (the record and the image's config, as
 * JSON), `image prune [-a]` (layers and blobs no image refers to; with -a
 * also the images no container uses, as `docker image prune -a`),
 * `image load -i FILE [NAME]` (an OCI or docker-save archive into the store)
 * and `image save [-o FILE] IMAGE...` (the other way).
 */
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadArchive } from '../../image/archive';
import { ImageError } from '../../image/errors';
import { parseImageName } from '../../image/pull';
import { canonical } from '../../image/reference';
import { saveImages } from '../../image/save';
import { collectGarbage, findImage, listImages, removeImages, type ImageRecord } from '../../image/store/images';
import { StoreLayout } from '../../image/store/layout';
import { UsageError } from '../../errors';
import { flag, str, type OptionSpec, type Parsed } from '../args';
import type { Command } from '../command';
import { containerImages } from '../container-images';
import type { Cli } from '../context';

const imageOptions: OptionSpec[] = [
  { name: 'all', short: 'a', type: 'boolean', description: 'prune: also remove the images no container uses' },
  { name: 'input', short: 'i', type: 'string', arg: 'FILE', description: 'load: the archive to read' },
  { name: 'json', type: 'boolean', description: 'prune, load: print the result as JSON' },
  { name: 'output', short: 'o', type: 'string', arg: 'FILE', description: 'save: the archive to write (default: standard output, unless a terminal)' },
];

/** The store's records of `names`, in order; any missing one is an error naming it. */
async function findRecords(verb: string, names: string[], layout: StoreLayout): Promise<ImageRecord[]> {
  if (!names.length) throw new UsageError(`image ${verb}: name at least one image`);
  const records: ImageRecord[] = [];
  for (const n of names) {
    const record = await findImage(layout, canonical(parseImageName(n)));
    if (!record) throw new ImageError(`no such image: ${n}`);
    records.push(record);
  }
  return records;
}

async function inspect(cli: Cli, names: string[], layout: StoreLayout): Promise<number> {
  const out = [];
  for (const record of await findRecords('inspect', names, layout)) {
    const config = JSON.parse(await fs.promises.readFile(layout.blob(record.configDigest), 'utf8'));
    out.push({ ...record, id: record.configDigest, config });
  }
  cli.out(JSON.stringify(out, null, 2) + '\n');
  return 0;
}

async function prune(cli: Cli, args: Parsed, layout: StoreLayout): Promise<number> {
  const users = containerImages(cli);
  const used = new Set(users.flatMap((u) => (u.image ? [u.image] : [])));
  const doomed = flag(args, 'all') ? (await listImages(layout)).map((r) => r.name).filter((n) => !used.has(n)) : [];
  const removed = await removeImages(layout, doomed);
  const { layers } = await collectGarbage(layout, users.flatMap((u) => u.layers));
  if (flag(args, 'json')) cli.out(JSON.stringify({ untagged: removed.map((r) => r.name), layers }, null, 2) + '\n');
  else {
    for (const r of removed) cli.out(`Untagged: ${r.name}\n`);
    cli.out(`Deleted: ${layers} layer(s)\n`);
  }
  return 0;
}

async function load(cli: Cli, args: Parsed, rest: string[], layout: StoreLayout): Promise<number> {
  const file = str(args, 'input');
  if (!file) throw new UsageError('image load: give the archive with -i FILE');
  if (rest.length > 1) throw new UsageError('image load: at most one NAME');
  const name = rest[0] ? canonical(parseImageName(rest[0])) : undefined;
  const records = await loadArchive(file, layout, name);
  if (flag(args, 'json')) cli.out(JSON.stringify(records.map((r) => ({ name: r.name, id: r.configDigest })), null, 2) + '\n');
  else for (const r of records) cli.out(`Loaded image: ${r.name}\n`);
  return 0;
}

async function save(args: Parsed, names: string[], layout: StoreLayout): Promise<number> {
  const records = await findRecords('save', names, layout);
  const file = str(args, 'output');
  if (!file) {
    if (process.stdout.isTTY) throw new UsageError('image save: refusing to write an archive to a terminal; give -o FILE or redirect the output');
    await saveImages(layout, records, process.stdout, { end: false });
    return 0;
  }
  // Beside the target, renamed over it at the end: a failed save leaves no half archive.
  const target = path.resolve(file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  const out = fs.createWriteStream(tmp, { flags: 'wx' });
  try {
    // Opened before anything can fail: a save refused at once (a blob not kept) used to remove the
    // file before the stream's asynchronous open made it, and left it behind.
    await once(out, 'open');
    await saveImages(layout, records, out);
    await fs.promises.rename(tmp, target);
  } catch (e) {
    out.destroy();
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  return 0;
}

async function run(cli: Cli, args: Parsed): Promise<number> {
  const [sub, ...rest] = args.positionals;
  const layout = new StoreLayout();
  switch (sub) {
    case 'inspect':
      return inspect(cli, rest, layout);
    case 'prune':
      if (rest.length) throw new UsageError('image prune takes no arguments');
      return prune(cli, args, layout);
    case 'load':
      return load(cli, args, rest, layout);
    case 'save':
      return save(args, rest, layout);
    default:
      throw new UsageError(`image: ${sub ? `unknown subcommand ${sub}` : 'name a subcommand'} (inspect, prune, load or save)`);
  }
}

export const imageCommand: Command = {
  name: 'image',
  summary: 'Inspect, prune, load or save images of the store.',
  usage: 'inspect IMAGE... | prune [-a] | load -i FILE [NAME] | save [-o FILE] IMAGE...',
  options: imageOptions,
  run,
};
