/**
 * One unpacked layer per chain ID: fetched, verified and unpacked in one
 * pass into tmp/, renamed into layers/HEX only when both the blob digest and
 * the diff ID matched. The compressed blob is kept too (partial.ts: recorded
 * as it arrives, resumed after an interrupted transfer). Under the layer's
 * lock, so concurrent pulls of images sharing it unpack it once; a layer
 * already there is not fetched again.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ImageError } from '../errors';
import { layerCompression, type Descriptor } from '../registry/manifest';
import { extractLayer } from './extract';
import type { StoreLayout } from './layout';
import { withLock } from './lock';
import { PartialBlob, type BlobOpener } from './partial';
import { decompressor, Digester, splitDigest } from './streams';

export interface LayerMeta {
  chainId: string;
  diffId: string;
  /** The compressed blob it was unpacked from. */
  digest: string;
  /** Compressed and unpacked sizes. */
  size: number;
  unpackedBytes: number;
}

export interface LayerJob {
  chainId: string;
  diffId: string;
  descriptor: Descriptor;
  /** Open the blob's byte stream from an offset (called at most once, only when the layer is missing). */
  open: BlobOpener;
  onProgress?(bytes: number): void;
  /** An interrupted transfer's bytes are reused: only the rest comes from `open`. */
  onResume?(from: number): void;
}

export async function hasLayer(layout: StoreLayout, chainId: string): Promise<boolean> {
  return fs.promises.access(layout.layerMeta(chainId)).then(
    () => true,
    () => false,
  );
}

/** Make sure the layer is in the store; true when it had to be fetched. */
export async function ensureLayer(layout: StoreLayout, job: LayerJob): Promise<boolean> {
  if (await hasLayer(layout, job.chainId)) return false;
  return withLock(layout.lock(job.chainId), async () => {
    if (await hasLayer(layout, job.chainId)) return false; // another pull made it meanwhile
    const hex = splitDigest(job.chainId)[1];
    await fs.promises.mkdir(layout.tmp, { recursive: true, mode: 0o700 });
    await removeStale(layout.tmp, `layer-${hex}-`);
    const work = path.join(layout.tmp, `layer-${hex}-${crypto.randomBytes(4).toString('hex')}`);
    await fs.promises.mkdir(path.join(work, 'diff'), { recursive: true, mode: 0o755 });
    const partial = new PartialBlob(layout.partial(job.chainId, job.descriptor.digest), job.descriptor.size);
    try {
      const meta = await unpack(job, partial, path.join(work, 'diff'));
      await fs.promises.writeFile(path.join(work, 'layer.json'), JSON.stringify(meta) + '\n', { mode: 0o600 });
      await partial.keep(layout.blob(job.descriptor.digest));
      await fs.promises.mkdir(layout.layers, { recursive: true, mode: 0o700 });
      await fs.promises.rename(work, layout.layer(job.chainId));
      return true;
    } catch (e) {
      await fs.promises.rm(work, { recursive: true, force: true });
      await partial.settle();
      if (e instanceof ImageError) throw e;
      const why = (e as Error).message === 'aborted' ? 'the connection closed before the whole blob arrived' : (e as Error).message;
      throw new ImageError(`layer ${job.descriptor.digest}: ${why}`, e);
    }
  });
}

/** What a dead pull of the same layer left (we hold its lock, so nobody is using it). */
async function removeStale(dir: string, prefix: string): Promise<void> {
  for (const name of await fs.promises.readdir(dir)) {
    if (name.startsWith(prefix)) await fs.promises.rm(path.join(dir, name), { recursive: true, force: true });
  }
}

async function unpack(job: LayerJob, partial: PartialBlob, dir: string): Promise<LayerMeta> {
  const { descriptor } = job;
  const blobHash = new Digester(splitDigest(descriptor.digest)[0], job.onProgress, descriptor.size);
  const diffHash = new Digester(splitDigest(job.diffId)[0]);
  let compression;
  try {
    compression = layerCompression(descriptor.mediaType);
  } catch (e) {
    throw new ImageError(`layer ${descriptor.digest}: ${(e as Error).message}`);
  }
  const source = await partial.source(job.open);
  if (partial.resumedFrom) job.onResume?.(partial.resumedFrom);
  const tarStream = diffHash;
  const extraction = extractLayer(tarStream, dir);
  // A failed extraction (a refused entry) must stop the download too, and vice versa.
  const feeding = pipeline(source, blobHash, decompressor(compression), diffHash).catch((e) => {
    tarStream.destroy(e);
    throw e;
  });
  const results = await Promise.allSettled([feeding, extraction]);
  // One side failing makes the other fail with "Premature close": report the cause.
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  if (failures.length) {
    source.destroy();
    throw failures.find((e) => e?.code !== 'ERR_STREAM_PREMATURE_CLOSE') ?? failures[0];
  }
  const stats = (results[1] as PromiseFulfilledResult<{ bytes: number }>).value;
  if (blobHash.bytes !== descriptor.size) {
    throw new ImageError(`layer ${descriptor.digest}: got ${blobHash.bytes} bytes, the manifest says ${descriptor.size}; refused`);
  }
  if (blobHash.digest() !== descriptor.digest) {
    throw new ImageError(`layer ${descriptor.digest}: the bytes received have digest ${blobHash.digest()}; refused`);
  }
  if (diffHash.digest() !== job.diffId) {
    throw new ImageError(`layer ${descriptor.digest}: uncompressed digest ${diffHash.digest()} is not the config's diff ID ${job.diffId}; refused`);
  }
  return { chainId: job.chainId, diffId: job.diffId, digest: descriptor.digest, size: descriptor.size, unpackedBytes: stats.bytes };
}
