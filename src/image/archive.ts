/**
 * `image load`: an image archive (`docker save`, `podman save`, `skopeo
 * copy … oci-archive:` / `docker-archive:`) into the store. The archive is
 * unpacked into a private temporary directory (regular files and
 * directories only, each name checked to stay inside it), then read as an
 * OCI layout (oci-layout.ts) or, for docker-save archives, through their
 * manifest.json; every blob is verified against its digest, layers as a
 * pull verifies them. Names come from the archive (RepoTags, or the OCI
 * index's image-name annotations) unless the caller gives one.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { ImageError } from './errors';
import { importLayout } from './oci-layout';
import { canonical, parseReference } from './reference';
import { formatPlatform, hostPlatform, MEDIA, type ImageManifest } from './registry/manifest';
import type { ImageRecord } from './store/images';
import type { StoreLayout } from './store/layout';
import { withLock } from './store/lock';
import { entryComponents } from './store/safe-path';
import { storeImage } from './store/store-image';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Load every image of the archive at `file`; `name` names a single unnamed one. */
export async function loadArchive(file: string, layout: StoreLayout, name?: string): Promise<ImageRecord[]> {
  await fs.promises.mkdir(layout.tmp, { recursive: true, mode: 0o700 });
  const dir = await fs.promises.mkdtemp(path.join(layout.tmp, 'load-'));
  try {
    await unpackArchive(file, dir);
    const has = (f: string) => fs.existsSync(path.join(dir, f));
    const dockerManifest = has('manifest.json') ? readJson(dir, 'manifest.json') : undefined;
    if (has('oci-layout') && has('index.json')) return await loadOci(dir, layout, name, dockerManifest);
    if (Array.isArray(dockerManifest)) return await loadDockerSave(dir, dockerManifest, layout, name);
    throw new ImageError(`${file} is neither an OCI archive (oci-layout, index.json) nor a docker-save archive (manifest.json)`);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Regular files and directories only, beneath `dir`. */
async function unpackArchive(file: string, dir: string): Promise<void> {
  const extract = tar.extract();
  const consume = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      let parts: string[];
      try {
        parts = entryComponents(h.name);
      } catch {
        throw new ImageError(`${file}: the entry ${JSON.stringify(h.name)} would land outside the archive`);
      }
      const target = path.join(dir, ...parts);
      if (h.type === 'directory') await fs.promises.mkdir(target, { recursive: true, mode: 0o700 });
      else if (h.type === 'file' && parts.length) {
        await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        await pipeline(entry, fs.createWriteStream(target, { mode: 0o600, flags: 'wx' }));
        continue;
      }
      entry.resume(); // links, devices: an image archive needs none
    }
  })();
  await Promise.all([pipeline(fs.createReadStream(file), extract).catch((e) => {
    throw e instanceof ImageError ? e : new ImageError(`${file}: not a readable tar archive (${(e as Error).message})`, e);
  }), consume]);
}

function readJson(dir: string, rel: string): any {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, ...entryComponents(rel)), 'utf8'));
  } catch (e) {
    throw new ImageError(`${rel} in the archive cannot be read: ${(e as Error).message}`);
  }
}

const canonicalName = (text: string) => canonical(parseReference(text));

/** Every image of index.json, each under its annotated names (or the one given, or docker's RepoTags for a single image). */
async function loadOci(dir: string, layout: StoreLayout, name: string | undefined, dockerManifest: any): Promise<ImageRecord[]> {
  const manifests: any[] = readJson(dir, 'index.json').manifests ?? [];
  if (name && manifests.length !== 1) throw new ImageError('a name can only be given to an archive of one image');
  const tags: string[] = Array.isArray(dockerManifest) && manifests.length === 1 ? dockerManifest.flatMap((m: any) => m.RepoTags ?? []) : [];
  const out: ImageRecord[] = [];
  for (const m of manifests) {
    const a = m.annotations ?? {};
    const annotated = [a['io.containerd.image.name'], a['org.opencontainers.image.ref.name']].filter((n: unknown) => typeof n === 'string' && /[/:]/.test(n as string));
    const names = name ? [name] : [...new Set([...tags, ...annotated])];
    if (!names.length) throw new ImageError(`image ${m.digest} of the archive names no image: give one (image load -i FILE NAME)`);
    out.push(await importLayout(dir, layout, { names: names.map(canonicalName), digest: m.digest }));
  }
  return out;
}

/** A docker-save archive: per image, its config file and uncompressed layer tars. */
async function loadDockerSave(dir: string, entries: any[], layout: StoreLayout, name: string | undefined): Promise<ImageRecord[]> {
  if (name && entries.length !== 1) throw new ImageError('a name can only be given to an archive of one image');
  const out: ImageRecord[] = [];
  for (const e of entries) {
    const names: string[] = name ? [name] : (e.RepoTags ?? []);
    if (!names.length) throw new ImageError(`image ${e.Config} in the archive has no name: give one (image load -i FILE NAME)`);
    const configBytes = fs.readFileSync(path.join(dir, ...entryComponents(String(e.Config))));
    const layerFiles: string[] = (e.Layers ?? []).map((l: string) => path.join(dir, ...entryComponents(l)));
    const layers = await Promise.all(layerFiles.map(async (f) => ({ mediaType: layerType(f), digest: await fileDigest(f), size: fs.statSync(f).size })));
    const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(configBytes), size: configBytes.length };
    const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config, layers }));
    const manifest: ImageManifest = { kind: 'manifest', mediaType: MEDIA.ociManifest, config, layers };
    const [first, ...aliases] = names.map(canonicalName);
    const byDigest = new Map(layers.map((l, i) => [l.digest, layerFiles[i]!]));
    out.push(
      await withLock(
        layout.gcLock,
        () =>
          storeImage(layout, {
            name: first!,
            aliases,
            manifestDigest: sha256(manifestBytes),
            manifest,
            configBytes,
            blobs: [[sha256(manifestBytes), manifestBytes], [config.digest, configBytes]],
            platform: formatPlatform(hostPlatform()),
            openLayer: async (d) => ({ stream: fs.createReadStream(byDigest.get(d.digest)!), from: 0 }),
            emit: () => {},
            concurrency: 2,
          }),
        true,
      ),
    );
  }
  return out;
}

/** docker-save layers are plain tars, but `docker load` (and skopeo's docker-archive) also take gzip or zstd ones: by their magic. */
function layerType(file: string): string {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(4);
  try {
    fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'application/vnd.oci.image.layer.v1.tar+gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'application/vnd.oci.image.layer.v1.tar+zstd';
  return 'application/vnd.oci.image.layer.v1.tar';
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return `sha256:${hash.digest('hex')}`;
}
