/**
 * A layer blob's bytes as they arrive, recorded in tmp/partial-… so that an
 * interrupted pull resumes where it stopped with an HTTP Range request (as
 * `curl -C -` does). The bytes already on disk are read back first: the
 * whole blob is still hashed, decompressed and unpacked from its start, only
 * the network transfer is skipped. Once verified, the file becomes the kept
 * blob (blobs/sha256/HEX); a blob refused for its content is discarded, so
 * only a transfer cut short is ever resumed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';

export interface OpenedBlob {
  stream: Readable;
  /** Where `stream` starts in the blob: the offset asked for, or 0 when the source ignored it. */
  from: number;
}

/** Opens a blob's bytes from offset `from` (a source that cannot seek answers from 0). */
export type BlobOpener = (from: number) => Promise<OpenedBlob>;

export class PartialBlob {
  /** Set when the transfer itself failed (no answer, an error answer, reset, timeout, closed early): the bytes so far are worth keeping. */
  private networkError: unknown;
  /** Bytes that came from disk rather than the network, for the report. */
  resumedFrom = 0;

  constructor(
    readonly file: string,
    private readonly size: number,
  ) {}

  /** The blob's whole byte stream: what is on disk, then the rest from `open`, recorded as it passes. */
  async source(open: BlobOpener): Promise<Readable> {
    let have = await fs.promises.stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (have > this.size) have = 0; // not this blob's prefix: start again
    let opened: OpenedBlob;
    try {
      opened = have < this.size ? await open(have) : { stream: Readable.from([]), from: have };
    } catch (e) {
      this.networkError = e; // the registry did not answer: what is on disk stays good
      throw e;
    }
    if (opened.from !== 0 && opened.from !== have) {
      opened.stream.destroy();
      throw new Error(`asked for the blob from byte ${have}, got it from byte ${opened.from}`);
    }
    const from = opened.from;
    this.resumedFrom = from;
    const file = await fs.promises.open(this.file, from ? 'r+' : 'w', 0o600);
    await file.truncate(from);
    const self = this;
    // Only the transfer's own errors: a consumer failing (a refused entry) throws into the generator too.
    opened.stream.once('error', (e) => (self.networkError = e));
    async function* bytes(): AsyncGenerator<Buffer> {
      try {
        if (from) yield* fs.createReadStream(self.file, { start: 0, end: from - 1 });
        let at = from;
        for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
          await file.write(chunk, 0, chunk.length, at); // on disk before it is used: a resume never skips a byte
          at += chunk.length;
          yield chunk;
        }
      } finally {
        opened.stream.destroy();
        await file.close();
      }
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  /** After a failure: keep the bytes for a resume only when the transfer was what failed. */
  async settle(): Promise<void> {
    if (this.networkError === undefined) await fs.promises.rm(this.file, { force: true });
  }

  /** Verified: it becomes the blob the store keeps (a rename, the last step). */
  async keep(dest: string): Promise<void> {
    await fs.promises.mkdir(path.dirname(dest), { recursive: true, mode: 0o700 });
    await fs.promises.rename(this.file, dest);
  }
}
