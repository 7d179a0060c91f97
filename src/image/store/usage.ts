/** What the store holds and how much room it takes (for `images`). */
import * as fs from 'node:fs';
import type { ImageRecord } from './images';
import type { LayerMeta } from './layers';
import type { StoreLayout } from './layout';

export async function layerMeta(layout: StoreLayout, chainId: string): Promise<LayerMeta | undefined> {
  try {
    return JSON.parse(await fs.promises.readFile(layout.layerMeta(chainId), 'utf8')) as LayerMeta;
  } catch (e: any) {
    if (e?.code === 'ENOENT') return undefined;
    throw e;
  }
}

export interface ImageUsage {
  record: ImageRecord;
  /** Bytes of regular files in its layers (what `du` would roughly say). */
  unpackedBytes: number;
  /** Layers missing from the store (a damaged store: pull again). */
  missingLayers: number;
}

export async function imageUsage(layout: StoreLayout, records: ImageRecord[]): Promise<{ images: ImageUsage[]; layers: number; totalBytes: number }> {
  const seen = new Map<string, number>();
  const images: ImageUsage[] = [];
  for (const record of records) {
    let unpackedBytes = 0;
    let missingLayers = 0;
    for (const chain of record.layers) {
      const meta = await layerMeta(layout, chain);
      if (!meta) missingLayers++;
      unpackedBytes += meta?.unpackedBytes ?? 0;
      if (meta) seen.set(chain, meta.unpackedBytes);
    }
    images.push({ record, unpackedBytes, missingLayers });
  }
  return { images, layers: seen.size, totalBytes: [...seen.values()].reduce((a, b) => a + b, 0) };
}
