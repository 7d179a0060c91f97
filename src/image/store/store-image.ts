/**
 * The common tail of every way an image enters the store (a pull, a build,
 * a loaded archive): its layers (concurrently, each verified and unpacked
 * while it streams, skipped when its chain ID is already there), then its
 * manifest and config blobs, then the name's record, last, so an
 * interrupted import shows nothing.
 */
import { ImageError } from '../errors';
import type { PullEmit } from '../events';
import type { Descriptor, ImageManifest } from '../registry/manifest';
import { putImage, writeAtomic, type ImageRecord } from './images';
import { ensureLayer, hasLayer } from './layers';
import type { StoreLayout } from './layout';
import type { OpenedBlob } from './partial';
import { chainIds } from './streams';

export interface IncomingImage {
  /** Canonical names to record it under (the first is the one events name). */
  name: string;
  aliases?: string[];
  manifestDigest: string;
  manifest: ImageManifest;
  configBytes: Buffer;
  /** Manifest, index and config bytes to keep, by digest. */
  blobs: [string, Buffer][];
  indexDigest?: string;
  platform: string;
  /** A layer blob's bytes from an offset (a source that cannot seek starts at 0 and says so). */
  openLayer(d: Descriptor, from: number): Promise<OpenedBlob>;
  emit: PullEmit;
  concurrency: number;
}

interface ImageConfig {
  rootfs?: { type?: string; diff_ids?: string[] };
}

export async function storeImage(layout: StoreLayout, img: IncomingImage): Promise<ImageRecord> {
  const { name, manifest, emit } = img;
  const diffIds = diffIdsOf(img.configBytes, manifest);
  const chains = chainIds(diffIds);
  emit({ type: 'resolve', image: name, manifestDigest: img.manifestDigest, platform: img.platform, layers: manifest.layers.length });

  let downloaded = 0;
  const jobs = manifest.layers.map((descriptor, i) => async () => {
    const base = { type: 'layer' as const, image: name, digest: descriptor.digest, total: descriptor.size };
    if (await hasLayer(layout, chains[i]!)) return emit({ ...base, phase: 'exists', bytes: descriptor.size });
    emit({ ...base, phase: 'downloading', bytes: 0 });
    let resumedFrom = 0;
    const fetched = await ensureLayer(layout, {
      chainId: chains[i]!,
      diffId: diffIds[i]!,
      descriptor,
      open: (from) => img.openLayer(descriptor, from),
      onProgress: (bytes) => emit({ ...base, phase: 'downloading', bytes }),
      onResume: (from) => emit({ ...base, phase: 'resuming', bytes: (resumedFrom = from) }),
    });
    if (fetched) downloaded += descriptor.size - resumedFrom;
    emit({ ...base, phase: fetched ? 'done' : 'exists', bytes: descriptor.size });
  });
  await runLimited(jobs, img.concurrency);

  for (const [digest, bytes] of img.blobs) await writeAtomic(layout.blob(digest), bytes);
  const record: ImageRecord = {
    name,
    manifestDigest: img.manifestDigest,
    ...(img.indexDigest ? { indexDigest: img.indexDigest } : {}),
    configDigest: manifest.config.digest,
    platform: img.platform,
    layers: chains,
    size: manifest.layers.reduce((n, l) => n + l.size, 0),
    pulledAt: new Date().toISOString(),
  };
  for (const n of [name, ...(img.aliases ?? [])]) await putImage(layout, { ...record, name: n });
  emit({ type: 'pulled', image: name, manifestDigest: img.manifestDigest, configDigest: record.configDigest, downloaded, upToDate: downloaded === 0 });
  return record;
}

function diffIdsOf(configBytes: Buffer, manifest: ImageManifest): string[] {
  let config: ImageConfig;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  } catch {
    throw new ImageError(`config ${manifest.config.digest} is not JSON`);
  }
  const diffIds = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) {
    throw new ImageError(`config ${manifest.config.digest} lists ${diffIds?.length ?? 0} diff IDs for ${manifest.layers.length} layers`);
  }
  for (const d of diffIds) if (!/^sha256:[a-f0-9]{64}$/.test(d)) throw new ImageError(`config has a bad diff ID ${d}`);
  return diffIds;
}

/** Run the jobs, at most `limit` at a time; the first failure is thrown once all running ones settled. */
async function runLimited(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < jobs.length && failure === undefined) {
      const job = jobs[next++]!;
      await job().catch((e) => (failure ??= e));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (failure !== undefined) throw failure;
}
