/**
 * The one pass over a layer's bytes: count and hash what arrives (the blob
 * digest), decompress, hash again (the diff ID the image config promises),
 * then hand the tar stream on. Nothing is trusted until both digests match.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import type { LayerCompression } from '../registry/manifest';

/** A pass-through that hashes (and counts) what flows through it. */
export class Digester extends Transform {
  private readonly hash: Hash;
  bytes = 0;
  constructor(
    private readonly algorithm: string,
    private readonly onProgress?: (bytes: number) => void,
    /** Fail as soon as more than this many bytes arrive (a blob larger than its descriptor says). */
    private readonly limit = Infinity,
  ) {
    super();
    this.hash = createHash(algorithm);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return done(new Error(`more than the ${this.limit} bytes announced; refused`));
    this.hash.update(chunk);
    this.onProgress?.(this.bytes);
    done(null, chunk);
  }
  /** `algorithm:hex`, once the stream has ended. */
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/** zstd decompression as a stream (fzstd: pure JavaScript, Node 20 has no zstd). */
class ZstdDecompress extends Transform {
  private readonly z = new Decompress((out) => this.push(Buffer.from(out)));
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.z.push(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      this.z.push(new Uint8Array(0), true);
      done();
    } catch (e) {
      done(e as Error);
    }
  }
}

export function decompressor(compression: LayerCompression): Transform {
  switch (compression) {
    case 'gzip':
      return zlib.createGunzip({ chunkSize: 256 * 1024 });
    case 'zstd':
      return new ZstdDecompress();
    case 'none':
      return new Transform({ transform: (chunk, _enc, done) => done(null, chunk) });
  }
}

/** `sha256:…` → [`sha256`, hex]. */
export function splitDigest(digest: string): [string, string] {
  const i = digest.indexOf(':');
  return [digest.slice(0, i), digest.slice(i + 1)];
}

/**
 * Chain IDs (OCI image spec): ChainID(L0) = DiffID(L0),
 * ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
 */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : 'sha256:' + createHash('sha256').update(`${prev} ${d}`).digest('hex'));
  }
  return out;
}
