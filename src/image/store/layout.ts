/**
 * Where the image store keeps things (persistent across reboots):
 *
 *   /var/lib/tscompose/images/
 *     blobs/sha256/HEX        manifests, indexes, configs and compressed layer blobs, by
 *                             digest (layers kept as pulled, as containerd does: `image
 *                             save` writes them back unchanged, digests and all)
 *     layers/HEX/             one unpacked layer per chain ID (shared by images)
 *       diff/                 its files (an overlay lowerdir)
 *       layer.json            {diffId, chainId, digest, size, unpacked}
 *     tmp/                    work in progress (renamed into place when verified)
 *       partial-CHAIN-DIGEST  the bytes of a layer blob received so far: the next pull
 *                             resumes it with an HTTP Range request
 *     locks/HEX.lock          one flock per layer being unpacked
 *     locks/store.lock        images.json updates;  locks/gc.lock: pulls (shared) vs GC
 *     images.json             name → manifest digest (atomic rewrite)
 *
 * Everything becomes visible by a single rename, after verification: an
 * interrupted pull leaves only tmp/ entries, which the next one removes.
 */
import * as path from 'node:path';
import { splitDigest } from './streams';

export const DEFAULT_IMAGE_ROOT = '/var/lib/tscompose/images';

export const PARTIAL_PREFIX = 'partial-';

export class StoreLayout {
  constructor(readonly root: string = process.env.TSCOMPOSE_IMAGE_ROOT || DEFAULT_IMAGE_ROOT) {}

  blob(digest: string): string {
    const [alg, hex] = splitDigest(digest);
    return path.join(this.root, 'blobs', alg, hex);
  }
  layer(chainId: string): string {
    return path.join(this.root, 'layers', splitDigest(chainId)[1]);
  }
  layerDiff(chainId: string): string {
    return path.join(this.layer(chainId), 'diff');
  }
  layerMeta(chainId: string): string {
    return path.join(this.layer(chainId), 'layer.json');
  }
  /** A layer blob being received, under the layer's lock (CHAIN-DIGEST: two chains may share a blob). */
  partial(chainId: string, digest: string): string {
    return path.join(this.tmp, `${PARTIAL_PREFIX}${splitDigest(chainId)[1]}-${splitDigest(digest)[1]}`);
  }
  get layers(): string {
    return path.join(this.root, 'layers');
  }
  get tmp(): string {
    return path.join(this.root, 'tmp');
  }
  lock(chainId: string): string {
    return path.join(this.root, 'locks', `${splitDigest(chainId)[1]}.lock`);
  }
  get storeLock(): string {
    return path.join(this.root, 'locks', 'store.lock');
  }
  /** Pulls hold it shared, garbage collection exclusively: a layer being pulled is never collected. */
  get gcLock(): string {
    return path.join(this.root, 'locks', 'gc.lock');
  }
  get images(): string {
    return path.join(this.root, 'images.json');
  }
}
