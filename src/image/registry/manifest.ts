/**
 * Manifests and indexes: OCI (application/vnd.oci.image.*) and Docker v2
 * schema 2 (application/vnd.docker.distribution.manifest.*), read into one
 * shape; platform selection from an index / manifest list.
 */
export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

/** The Accept header of a manifest request: every kind we can read. */
export const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ImageIndex;

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** How a layer is compressed, from its media type; throws for what is not a layer we can unpack. */
export function layerCompression(mediaType: string): LayerCompression {
  switch (mediaType) {
    case 'application/vnd.oci.image.layer.v1.tar+gzip':
    case 'application/vnd.docker.image.rootfs.diff.tar.gzip':
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip':
    case 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip':
      return 'gzip';
    case 'application/vnd.oci.image.layer.v1.tar+zstd':
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd':
      return 'zstd';
    case 'application/vnd.oci.image.layer.v1.tar':
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar':
      return 'none';
    default:
      throw new Error(`unsupported layer media type ${mediaType}`);
  }
}

function descriptor(d: any, where: string): Descriptor {
  if (!d || typeof d.digest !== 'string' || typeof d.mediaType !== 'string' || typeof d.size !== 'number') {
    throw new Error(`${where}: a descriptor needs mediaType, digest and size`);
  }
  if (!/^sha256:[a-f0-9]{64}$/.test(d.digest) && !/^sha512:[a-f0-9]{128}$/.test(d.digest)) {
    throw new Error(`${where}: unsupported digest ${d.digest}`);
  }
  return d as Descriptor;
}

/** Parse manifest bytes; `contentType` is the response's (a manifest may also say its own mediaType). */
export function parseManifest(bytes: Buffer, contentType: string | undefined): Manifest {
  let doc: any;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('manifest is not JSON');
  }
  const mediaType: string = doc.mediaType ?? contentType?.split(';')[0]?.trim() ?? '';
  if (doc.schemaVersion !== 2) throw new Error(`unsupported manifest schemaVersion ${doc.schemaVersion} (${mediaType || 'no media type'}): only schema 2 / OCI`);
  if (mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || (!doc.config && Array.isArray(doc.manifests))) {
    if (!Array.isArray(doc.manifests)) throw new Error('index without manifests');
    return { kind: 'index', mediaType: mediaType || MEDIA.ociIndex, manifests: doc.manifests.map((m: any, i: number) => descriptor(m, `manifests[${i}]`)) };
  }
  if (mediaType === MEDIA.ociManifest || mediaType === MEDIA.dockerManifest || doc.config) {
    if (!Array.isArray(doc.layers)) throw new Error('manifest without layers');
    return {
      kind: 'manifest',
      mediaType: mediaType || MEDIA.ociManifest,
      config: descriptor(doc.config, 'config'),
      layers: doc.layers.map((l: any, i: number) => descriptor(l, `layers[${i}]`)),
    };
  }
  throw new Error(`unsupported manifest media type ${mediaType || '(none)'}`);
}

/** `linux/arm64/v8` ⇄ Platform. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  if (!os || !architecture || rest.length) throw new Error(`invalid platform "${text}" (os/arch[/variant], e.g. linux/amd64)`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** This machine's platform in OCI words (Node's `x64` is OCI's `amd64`). */
export function hostPlatform(arch: string = process.arch): Platform {
  const map: Record<string, Platform> = {
    x64: { os: 'linux', architecture: 'amd64' },
    arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
    ia32: { os: 'linux', architecture: '386' },
    ppc64: { os: 'linux', architecture: 'ppc64le' },
    s390x: { os: 'linux', architecture: 's390x' },
    riscv64: { os: 'linux', architecture: 'riscv64' },
  };
  return map[arch] ?? { os: 'linux', architecture: arch };
}

/** arm64 images often omit the variant (v8 is implied). */
function variantMatches(want: Platform, got: Platform): boolean {
  if (!want.variant) return true;
  if (want.architecture === 'arm64' && want.variant === 'v8' && !got.variant) return true;
  return want.variant === got.variant;
}

/**
 * The index entry for `want`, or an error listing what the image offers.
 * Attestation manifests (platform unknown/unknown) never match.
 */
export function selectPlatform(index: ImageIndex, want: Platform): Descriptor {
  const found = index.manifests.find(
    (m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture && variantMatches(want, m.platform),
  );
  if (found) return found;
  const offered = index.manifests
    .filter((m) => m.platform && m.platform.os !== 'unknown')
    .map((m) => formatPlatform(m.platform!));
  throw new Error(`no ${formatPlatform(want)} image: it offers ${offered.length ? offered.join(', ') : 'no platform at all'}`);
}
