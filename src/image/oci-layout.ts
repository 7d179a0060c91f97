/**
 * Import an image from an OCI image layout directory (what `buildah push
 * … oci:DIR` and `skopeo copy … oci:DIR` write: oci-layout, index.json,
 * blobs/ALG/HEX) into the store, with the same verification as a pull:
 * every blob read is checked against its digest before it is trusted.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageError } from './errors';
import type { PullEmit } from './events';
import { formatPlatform, hostPlatform, parseManifest, parsePlatform, selectPlatform, type Descriptor, type ImageManifest } from './registry/manifest';
import type { ImageRecord } from './store/images';
import type { StoreLayout } from './store/layout';
import { withLock } from './store/lock';
import { storeImage } from './store/store-image';
import { splitDigest } from './store/streams';

export interface LayoutImport {
  /** Canonical names the image is recorded under. */
  names: string[];
  /** Which of index.json's manifests (its `org.opencontainers.image.ref.name`); the only one when absent. */
  refName?: string;
  /** Or which of them by digest. */
  digest?: string;
  platform?: string;
  emit?: PullEmit;
}

export async function importLayout(dir: string, layout: StoreLayout, opts: LayoutImport): Promise<ImageRecord> {
  const blobPath = (digest: string) => {
    const [alg, hex] = splitDigest(digest);
    return path.join(dir, 'blobs', alg, hex);
  };
  const readBlob = async (d: Pick<Descriptor, 'digest'>): Promise<Buffer> => {
    const bytes = await fs.promises.readFile(blobPath(d.digest)).catch((e) => {
      throw new ImageError(`${dir}: blob ${d.digest} is missing (${(e as Error).message})`);
    });
    const [alg] = splitDigest(d.digest);
    const got = `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
    if (got !== d.digest) throw new ImageError(`${dir}: blob ${d.digest} has digest ${got}; refused`);
    return bytes;
  };
  let index;
  try {
    index = parseManifest(await fs.promises.readFile(path.join(dir, 'index.json')), undefined);
  } catch (e) {
    throw new ImageError(`${dir} is not an OCI image layout: ${(e as Error).message}`);
  }
  if (index.kind !== 'index') throw new ImageError(`${dir}/index.json is not an index`);
  const refName = (d: Descriptor) => d.annotations?.['org.opencontainers.image.ref.name'];
  let candidates = index.manifests.filter((d) => (!opts.refName || refName(d) === opts.refName) && (!opts.digest || d.digest === opts.digest));
  if (opts.digest) candidates = candidates.slice(0, 1); // one image, maybe listed under several names
  if (candidates.length !== 1) {
    const names = index.manifests.map((d) => refName(d) ?? d.digest).join(', ');
    throw new ImageError(`${dir}: ${candidates.length ? 'several images' : 'no image'}${opts.refName ? ` named ${opts.refName}` : ''} (it holds: ${names || 'nothing'})`);
  }
  const want = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  const blobs: [string, Buffer][] = [];
  let top = candidates[0]!;
  let bytes = await readBlob(top);
  let manifest = parseManifest(bytes, top.mediaType);
  let indexDigest: string | undefined;
  if (manifest.kind === 'index') {
    indexDigest = top.digest;
    blobs.push([top.digest, bytes]);
    top = selectPlatform(manifest, want);
    bytes = await readBlob(top);
    manifest = parseManifest(bytes, top.mediaType);
    if (manifest.kind !== 'manifest') throw new ImageError(`${top.digest} is an index inside an index`);
  }
  blobs.push([top.digest, bytes]);
  const image = manifest as ImageManifest;
  const configBytes = await readBlob(image.config);
  blobs.push([image.config.digest, configBytes]);
  const [name, ...aliases] = opts.names;
  if (!name) throw new ImageError('an imported image needs a name');
  return withLock(
    layout.gcLock,
    () =>
      storeImage(layout, {
        name,
        aliases,
        manifestDigest: top.digest,
        manifest: image,
        configBytes,
        blobs,
        ...(indexDigest ? { indexDigest } : {}),
        platform: formatPlatform(want),
        openLayer: async (d) => ({ stream: fs.createReadStream(blobPath(d.digest)), from: 0 }),
        emit: opts.emit ?? (() => {}),
        concurrency: 2,
      }),
    true,
  );
}
