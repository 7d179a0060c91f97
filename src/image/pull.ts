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
import type { ImageRecord } from './store/images';
import { StoreLayout } from './store/layout';
import { withLock } from './store/lock';
import { storeImage } from './store/store-image';

export interface PullOptions extends ClientOptions {
  /** `os/arch[/variant]`; this machine's by default. */
  platform?: string;
  layout?: StoreLayout;
  emit?: PullEmit;
  /** Layers fetched at once. */
  concurrency?: number;
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
  return storeImage(layout, {
    name,
    manifestDigest: top.digest,
    manifest,
    blobs: [...blobs, [manifest.config.digest, configBytes]],
    configBytes,
    ...(indexDigest ? { indexDigest } : {}),
    platform: formatPlatform(want),
    openLayer: (d, from) => client.blobFrom(ref.repository, d.digest, from),
    emit,
    concurrency: opts.concurrency ?? 3,
  });
}
