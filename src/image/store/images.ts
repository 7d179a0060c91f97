/**
 * The image records: which name points at which manifest, its config and its
 * layers' chain IDs. One JSON file rewritten atomically (temp + rename) under
 * the store lock; blobs are written the same way, only once verified.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PARTIAL_PREFIX, type StoreLayout } from './layout';
import { withLock } from './lock';

export interface ImageRecord {
  /** Canonical reference: docker.io/library/nginx:latest. */
  name: string;
  /** The platform manifest's digest (the image ID is the config's). */
  manifestDigest: string;
  /** The index the name pointed at, when it was multi-platform. */
  indexDigest?: string;
  configDigest: string;
  platform: string;
  /** Chain IDs, bottom layer first. */
  layers: string[];
  /** Compressed size of all layers (what was, or would have been, downloaded). */
  size: number;
  pulledAt: string;
}

interface ImagesFile {
  version: 1;
  images: Record<string, ImageRecord>;
}

async function readImages(layout: StoreLayout): Promise<ImagesFile> {
  try {
    return JSON.parse(await fs.promises.readFile(layout.images, 'utf8')) as ImagesFile;
  } catch (e: any) {
    if (e?.code === 'ENOENT') return { version: 1, images: {} };
    throw e;
  }
}

/** Write `data` to `file` so that readers see the old or the new content, never a part. */
export async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${crypto.randomBytes(4).toString('hex')}`;
  try {
    await fs.promises.writeFile(tmp, data, { mode: 0o600 });
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

export async function listImages(layout: StoreLayout): Promise<ImageRecord[]> {
  return Object.values((await readImages(layout)).images).sort((a, b) => a.name.localeCompare(b.name));
}

export async function findImage(layout: StoreLayout, name: string): Promise<ImageRecord | undefined> {
  return (await readImages(layout)).images[name];
}

export async function putImage(layout: StoreLayout, record: ImageRecord): Promise<void> {
  await withLock(layout.storeLock, async () => {
    const file = await readImages(layout);
    file.images[record.name] = record;
    await writeAtomic(layout.images, JSON.stringify(file, null, 2) + '\n');
  });
}

/** Remove the names; returns the records removed. */
export async function removeImages(layout: StoreLayout, names: string[]): Promise<ImageRecord[]> {
  return withLock(layout.storeLock, async () => {
    const file = await readImages(layout);
    const removed = names.map((n) => file.images[n]).filter((r): r is ImageRecord => !!r);
    for (const r of removed) delete file.images[r.name];
    await writeAtomic(layout.images, JSON.stringify(file, null, 2) + '\n');
    return removed;
  });
}

/**
 * Delete the layers and blobs no remaining image refers to (after rmi).
 * Under the store lock, so a concurrent pull's new record is seen.
 * Returns the number of layers removed. `inUse`: layer directories that
 * containers mount (an image retagged or removed under a container keeps them).
 */
export async function collectGarbage(layout: StoreLayout, inUse: readonly string[] = []): Promise<{ layers: number }> {
  return withLock(layout.gcLock, () => withLock(layout.storeLock, () => sweep(layout, inUse)));
}

async function sweep(layout: StoreLayout, inUse: readonly string[]): Promise<{ layers: number }> {
  const images = Object.values((await readImages(layout)).images);
  const liveLayers = new Set(images.flatMap((i) => i.layers.map((c) => c.split(':')[1]!)));
  // A container's lower layer is <root>/layers/<hex>/diff.
  for (const dir of inUse) if (path.dirname(path.dirname(dir)) === layout.layers) liveLayers.add(path.basename(path.dirname(dir)));
  const liveBlobs = new Set(
    [...images.flatMap((i) => [i.manifestDigest, i.configDigest, i.indexDigest]), ...(await layerBlobs(layout, images))].filter(Boolean).map((d) => d!.split(':')[1]!),
  );
  let layers = 0;
  for (const hex of await fs.promises.readdir(layout.layers).catch(() => [] as string[])) {
    if (liveLayers.has(hex)) continue;
    // Rename first: a half-removed layer must never look present.
    const doomed = path.join(layout.tmp, `gc-${hex}-${crypto.randomBytes(4).toString('hex')}`);
    await fs.promises.mkdir(layout.tmp, { recursive: true, mode: 0o700 });
    await withLock(layout.lock(`sha256:${hex}`), () => fs.promises.rename(path.join(layout.layers, hex), doomed));
    await fs.promises.rm(doomed, { recursive: true, force: true });
    layers++;
  }
  const blobDir = path.dirname(layout.blob('sha256:0'));
  for (const hex of await fs.promises.readdir(blobDir).catch(() => [] as string[])) {
    if (!liveBlobs.has(hex)) await fs.promises.rm(path.join(blobDir, hex), { force: true });
  }
  // No pull runs while we hold the gc lock exclusively: what is half received is abandoned.
  for (const name of await fs.promises.readdir(layout.tmp).catch(() => [] as string[])) {
    if (name.startsWith(PARTIAL_PREFIX)) await fs.promises.rm(path.join(layout.tmp, name), { force: true });
  }
  return { layers };
}

/** The compressed layer blobs the images' manifests name. */
async function layerBlobs(layout: StoreLayout, images: ImageRecord[]): Promise<string[]> {
  const out: string[] = [];
  for (const i of images) {
    let manifest: { layers?: { digest?: unknown }[] };
    try {
      manifest = JSON.parse(await fs.promises.readFile(layout.blob(i.manifestDigest), 'utf8'));
    } catch {
      continue; // a damaged record: its layers' blobs go, the unpacked layers stay
    }
    for (const l of manifest.layers ?? []) if (typeof l.digest === 'string') out.push(l.digest);
  }
  return out;
}
