/**
 * `pull`: reference → manifest (platform chosen from an index) → config →
 * layers (concurrently, each verified and unpacked while it streams, each
 * skipped when its chain ID is already in the store) → blobs → the name's
 * record, last, so an interrupted pull shows nothing.
 */
import { ImageError } from './errors';
import type { PullEmit } from './events';
import { canonical, manifestKey, parseReference, ReferenceError, type ImageRef } from './reference';
import { RegistryClient, type ClientOptions } from './registry/client';
import { formatPlatform, hostPlatform, parsePlatform, selectPlatform, type ImageManifest, type Platform } from './registry/manifest';
import { putImage, writeAtomic, type ImageRecord } from './store/images';
import { ensureLayer, hasLayer } from './store/layers';
import { StoreLayout } from './store/layout';
import { withLock } from './store/lock';
import { chainIds } from './store/streams';

export interface PullOptions extends ClientOptions {
  /** `os/arch[/variant]`; this machine's by default. */
  platform?: string;
  layout?: StoreLayout;
  emit?: PullEmit;
  /** Layers fetched at once. */
  concurrency?: number;
}

interface ImageConfig {
  rootfs?: { type?: string; diff_ids?: string[] };
}

export function parseImageName(text: string): ImageRef {
  try {
    return parseReference(text);
  } catch (e) {
    if (e instanceof ReferenceError) throw new ImageError(e.message);
    throw e;
  }
}

export async function pull(text: string, opts: PullOptions = {}): Promise<ImageRecord> {
  const ref = parseImageName(text);
  const name = canonical(ref);
  const layout = opts.layout ?? new StoreLayout();
  const emit = opts.emit ?? (() => {});
  try {
    return await withLock(layout.gcLock, () => pullInto(ref, name, layout, emit, opts), true);
  } catch (e) {
    if (e instanceof ImageError) {
      e.message = `pull ${name}: ${e.message}`;
      throw e;
    }
    throw new ImageError(`pull ${name}: ${(e as Error).message}`, e);
  }
}

async function pullInto(ref: ImageRef, name: string, layout: StoreLayout, emit: PullEmit, opts: PullOptions): Promise<ImageRecord> {
  const client = new RegistryClient(ref.registry, opts);
  const want: Platform = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  let top = await client.manifest(ref.repository, manifestKey(ref));
  const blobs: [string, Buffer][] = [[top.digest, top.bytes]];
  let indexDigest: string | undefined;
  if (top.manifest.kind === 'index') {
    indexDigest = top.digest;
    const chosen = selectPlatform(top.manifest, want);
    top = await client.manifest(ref.repository, chosen.digest);
    if (top.manifest.kind !== 'manifest') throw new ImageError(`${chosen.digest} is an index inside an index`);
    blobs.push([top.digest, top.bytes]);
  }
  const manifest = top.manifest as ImageManifest;
  const configBytes = await client.smallBlob(ref.repository, manifest.config.digest);
  blobs.push([manifest.config.digest, configBytes]);
  const diffIds = diffIdsOf(configBytes, manifest);
  const chains = chainIds(diffIds);
  emit({ type: 'resolve', image: name, manifestDigest: top.digest, platform: formatPlatform(want), layers: manifest.layers.length });

  let downloaded = 0;
  const jobs = manifest.layers.map((descriptor, i) => async () => {
    const base = { type: 'layer' as const, image: name, digest: descriptor.digest, total: descriptor.size };
    if (await hasLayer(layout, chains[i]!)) return emit({ ...base, phase: 'exists', bytes: descriptor.size });
    emit({ ...base, phase: 'downloading', bytes: 0 });
    const fetched = await ensureLayer(layout, {
      chainId: chains[i]!,
      diffId: diffIds[i]!,
      descriptor,
      open: async () => (await client.blob(ref.repository, descriptor.digest)).body,
      onProgress: (bytes) => emit({ ...base, phase: 'downloading', bytes }),
    });
    if (fetched) downloaded += descriptor.size;
    emit({ ...base, phase: fetched ? 'done' : 'exists', bytes: descriptor.size });
  });
  await runLimited(jobs, opts.concurrency ?? 3);

  for (const [digest, bytes] of blobs) await writeAtomic(layout.blob(digest), bytes);
  const record: ImageRecord = {
    name,
    manifestDigest: top.digest,
    ...(indexDigest ? { indexDigest } : {}),
    configDigest: manifest.config.digest,
    platform: formatPlatform(want),
    layers: chains,
    size: manifest.layers.reduce((n, l) => n + l.size, 0),
    pulledAt: new Date().toISOString(),
  };
  await putImage(layout, record);
  emit({ type: 'pulled', image: name, manifestDigest: top.digest, configDigest: record.configDigest, downloaded, upToDate: downloaded === 0 });
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
