/**
 * Test images made by the tests themselves: tar layers written with
 * tar-stream (any entry we like, hostile ones included; binary xattrs as raw
 * PAX records), compressed with gzip, zstd (the zstd CLI) or not at all, put
 * in an OCI image layout directory (one image, or a multi-platform index),
 * ready for `skopeo copy --all oci:DIR:TAG docker://…`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  mtime?: Date;
  devmajor?: number;
  devminor?: number;
  /** Written as raw `SCHILY.xattr.NAME` PAX records (bytes kept as they are). */
  xattrs?: Record<string, Buffer>;
}

export interface LayerSpec {
  entries: TarEntry[];
  compression?: 'gzip' | 'zstd' | 'none';
}

export interface ImageSpec {
  layers: LayerSpec[];
  platform?: { os: string; architecture: string; variant?: string };
  config?: Record<string, unknown>;
}

const EPOCH = new Date('2024-01-02T03:04:05Z');

/** One PAX extended header record: "LEN KEY=VALUE\n" with LEN counting itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = rest.length + 1;
  while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
  return Buffer.concat([Buffer.from(String(len)), rest]);
}

/** tar-stream's header encoder (its exports map hides headers.js; an absolute path reaches it). */
const headers = require(path.join(path.dirname(require.resolve('tar-stream')), 'headers.js')) as {
  encode(h: Record<string, unknown>): Buffer | null;
};

function block(header: Record<string, unknown>, body: Buffer): Buffer[] {
  const h = headers.encode(header);
  if (!h) throw new Error(`tar header for ${header.name} does not fit (name too long?)`);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return [h, body, pad];
}

/**
 * The uncompressed tar of `entries`, block by block (tar-stream's packer
 * refuses bodies for PAX headers we write ourselves, and its PAX encoder
 * would re-encode binary xattr values as UTF-8).
 */
export async function makeTar(entries: TarEntry[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const mtime = e.mtime ?? EPOCH;
    if (e.xattrs) {
      const pax = Buffer.concat(Object.entries(e.xattrs).map(([k, v]) => paxRecord(`SCHILY.xattr.${k}`, v)));
      out.push(...block({ name: `PaxHeaders/${path.basename(e.name)}`, type: 'pax-header', size: pax.length, mode: 0o644, mtime, uid: 0, gid: 0 }, pax));
    }
    const body = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    out.push(
      ...block(
        {
          name: e.name,
          type,
          mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
          uid: e.uid ?? 0,
          gid: e.gid ?? 0,
          mtime,
          linkname: e.linkname ?? null,
          size: body.length,
          devmajor: e.devmajor ?? 0,
          devminor: e.devminor ?? 0,
        },
        body,
      ),
    );
  }
  out.push(Buffer.alloc(1024)); // end of archive: two zero blocks
  return Buffer.concat(out);
}

export function compress(raw: Buffer, how: 'gzip' | 'zstd' | 'none'): Buffer {
  if (how === 'gzip') return zlib.gzipSync(raw);
  if (how === 'zstd') {
    const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: raw, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`zstd: ${r.stderr}`);
    return r.stdout;
  }
  return raw;
}

export const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

const LAYER_TYPE = { gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', none: 'application/vnd.oci.image.layer.v1.tar' };

class Layout {
  constructor(readonly dir: string) {
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  }
  put(mediaType: string, bytes: Buffer, extra: Record<string, unknown> = {}) {
    const digest = sha256(bytes);
    fs.writeFileSync(path.join(this.dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length, ...extra };
  }
}

export interface BuiltImage {
  manifestDigest: string;
  diffIds: string[];
  layerDigests: string[];
}

async function putImage(layout: Layout, spec: ImageSpec): Promise<{ descriptor: any; built: BuiltImage }> {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers = [];
  const diffIds = [];
  for (const l of spec.layers) {
    const raw = await makeTar(l.entries);
    diffIds.push(sha256(raw));
    layers.push(layout.put(LAYER_TYPE[l.compression ?? 'gzip'], compress(raw, l.compression ?? 'gzip')));
  }
  // One history entry per layer, as real images have (buildah refuses a base image whose history disagrees with its layers).
  const history = spec.layers.map((_, i) => ({ created_by: `tscompose test layer ${i}` }));
  const config = Buffer.from(JSON.stringify({ ...platform, config: {}, history, ...spec.config, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: layout.put('application/vnd.oci.image.config.v1+json', config),
      layers,
    }),
  );
  const descriptor = layout.put('application/vnd.oci.image.manifest.v1+json', manifest, { platform });
  return { descriptor, built: { manifestDigest: descriptor.digest, diffIds, layerDigests: layers.map((l) => l.digest) } };
}

/**
 * Write an OCI layout at `dir` whose `tag` is `images[0]` alone, or (with
 * several) an image index of all of them. Returns what was built.
 */
export async function writeLayout(dir: string, tag: string, images: ImageSpec[]): Promise<{ built: BuiltImage[]; topDigest: string }> {
  const layout = new Layout(dir);
  const built: BuiltImage[] = [];
  const descriptors = [];
  for (const spec of images) {
    const r = await putImage(layout, spec);
    built.push(r.built);
    descriptors.push(r.descriptor);
  }
  let top = descriptors[0]!;
  if (images.length > 1) {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descriptors }));
    top = layout.put('application/vnd.oci.image.index.v1+json', index);
  }
  const { platform: _p, ...ref } = top;
  void _p;
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...ref, annotations: { 'org.opencontainers.image.ref.name': tag } }] }),
  );
  return { built, topDigest: top.digest };
}

/**
 * A runnable base layer: Debian's busybox-static as /bin/busybox with a
 * symlink per applet asked for (`sh`, `ls`, …), plus the usual top-level dirs.
 */
export function busyboxLayer(applets: string[] = ['sh', 'ls', 'cat', 'echo', 'sleep', 'id', 'stat']): LayerSpec {
  const binary = fs.readFileSync('/bin/busybox');
  return {
    entries: [
      ...['bin/', 'etc/', 'tmp/', 'proc/', 'sys/', 'dev/', 'root/'].map((name) => ({ name, type: 'directory' as const, mode: name === 'tmp/' ? 0o1777 : 0o755 })),
      { name: 'bin/busybox', content: binary, mode: 0o755 },
      ...applets.map((a) => ({ name: `bin/${a}`, type: 'symlink' as const, linkname: 'busybox' })),
      { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
    ],
  };
}
