/**
 * `image save`: images from the store as one tar archive that `docker load`
 * and `podman load` read (manifest.json, as `docker save` writes it since
 * Docker 25) and OCI tools read too (oci-layout and index.json, as `skopeo
 * copy … oci-archive:` does). The blobs are the ones pulled, byte for byte,
 * so manifest digests and image IDs survive a save and a load. Entries have
 * mtime 0 and fixed modes: the same images always make the same archive.
 *
 * Equivalent to: skopeo copy containers-storage:IMAGE oci-archive:FILE
 */
import * as fs from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { ImageError } from './errors';
import { parseReference } from './reference';
import { MEDIA, parseManifest, parsePlatform, type Descriptor } from './registry/manifest';
import type { ImageRecord } from './store/images';
import type { StoreLayout } from './store/layout';
import { splitDigest } from './store/streams';

interface Plan {
  /** digest → the store's file, in the order they are written. */
  blobs: Map<string, string>;
  index: Descriptor[];
  dockerManifest: { Config: string; RepoTags: string[]; Layers: string[] }[];
}

const entryName = (digest: string) => `blobs/${splitDigest(digest).join('/')}`;

/**
 * Write the archive of `records` to `out` (left open with `end: false`, for
 * stdout); every blob is checked to be in the store before a byte is written.
 */
export async function saveImages(layout: StoreLayout, records: ImageRecord[], out: Writable, opts: { end?: boolean } = {}): Promise<void> {
  const plan = await planArchive(layout, records);
  const pack = tar.pack();
  const done = pipeline(pack, out, { end: opts.end ?? true });
  const add = (name: string, body: Buffer | string) => pack.entry({ name, mode: 0o644, mtime: new Date(0) }, body);
  pack.entry({ name: 'blobs/', type: 'directory', mode: 0o755, mtime: new Date(0) });
  pack.entry({ name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime: new Date(0) });
  add('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  add('index.json', JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: plan.index }));
  add('manifest.json', JSON.stringify(plan.dockerManifest));
  for (const [digest, file] of plan.blobs) {
    const { size } = await fs.promises.stat(file);
    const entry = pack.entry({ name: entryName(digest), size, mode: 0o644, mtime: new Date(0) });
    await pipeline(fs.createReadStream(file), entry);
  }
  pack.finalize();
  await done;
}

async function planArchive(layout: StoreLayout, records: ImageRecord[]): Promise<Plan> {
  const plan: Plan = { blobs: new Map(), index: [], dockerManifest: [] };
  const need = (r: ImageRecord, what: string, digest: string) => {
    const file = layout.blob(digest);
    if (!fs.existsSync(file)) {
      throw new ImageError(`${r.name}: its ${what} ${digest} is not kept in the store (stored by an older tscompose); pull the image again after removing it (tscompose rmi ${r.name})`);
    }
    plan.blobs.set(digest, file);
  };
  for (const r of records) {
    need(r, 'manifest', r.manifestDigest);
    const bytes = await fs.promises.readFile(layout.blob(r.manifestDigest));
    const manifest = parseManifest(bytes, undefined);
    if (manifest.kind !== 'manifest') throw new ImageError(`${r.name}: ${r.manifestDigest} is not an image manifest`);
    need(r, 'config', manifest.config.digest);
    for (const l of manifest.layers) need(r, 'layer blob', l.digest);
    const ref = parseReference(r.name);
    plan.index.push({
      mediaType: manifest.mediaType,
      digest: r.manifestDigest,
      size: bytes.length,
      platform: parsePlatform(r.platform),
      annotations: { 'io.containerd.image.name': r.name, ...(ref.tag ? { 'org.opencontainers.image.ref.name': ref.tag } : {}) },
    });
    plan.dockerManifest.push({ Config: entryName(manifest.config.digest), RepoTags: ref.tag ? [r.name] : [], Layers: manifest.layers.map((l) => entryName(l.digest)) });
  }
  return plan;
}
