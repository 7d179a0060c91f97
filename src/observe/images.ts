/**
 * The images the file names, read from the image store: their record, the
 * run settings of their config blob, their layer directories (top first)
 * and their user database. Only reads; an image not in the store is left
 * out (the planner says so, or the CLI pulls it first).
 */
import * as fs from 'node:fs';
import { findImage } from '../image/store/images';
import { StoreLayout } from '../image/store/layout';
import type { ImageRunConfig, ObservedImage } from '../plan/model';
import { ObserveError } from '../errors';
import { readFileInRoot } from '../sys/native';

/** Docker's config keys (image-spec `config`), as they are in the blob. */
interface ConfigBlob {
  config?: {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    StopSignal?: string;
    Labels?: Record<string, string> | null;
    Volumes?: Record<string, unknown> | null;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number } | null;
  };
}

/** The run settings of a config blob; what it leaves empty is absent. */
export function runConfig(blob: ConfigBlob): ImageRunConfig {
  const c = blob.config ?? {};
  const h = c.Healthcheck;
  const keys = (o: Record<string, unknown> | null | undefined) => (o && Object.keys(o).length ? Object.keys(o).sort() : undefined);
  const out: ImageRunConfig = {
    ...(c.Entrypoint?.length ? { entrypoint: c.Entrypoint } : {}),
    ...(c.Cmd?.length ? { cmd: c.Cmd } : {}),
    ...(c.Env?.length ? { env: c.Env } : {}),
    ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
    ...(c.User ? { user: c.User } : {}),
    ...(keys(c.ExposedPorts) ? { exposedPorts: keys(c.ExposedPorts)! } : {}),
    ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
    ...(c.Labels && Object.keys(c.Labels).length ? { labels: c.Labels } : {}),
    ...(keys(c.Volumes) ? { volumes: keys(c.Volumes)! } : {}),
  };
  if (h?.Test?.length) {
    out.healthcheck = {
      test: h.Test,
      ...(h.Interval ? { interval: h.Interval } : {}),
      ...(h.Timeout ? { timeout: h.Timeout } : {}),
      ...(h.StartPeriod ? { startPeriod: h.StartPeriod } : {}),
      ...(h.StartInterval ? { startInterval: h.StartInterval } : {}),
      ...(h.Retries ? { retries: h.Retries } : {}),
    };
  }
  return out;
}

/** A file of the image's root filesystem: from the topmost layer that has it (read inside the layer). */
function fromLayers(dirs: string[], file: string): string {
  for (const dir of dirs) {
    const text = readFileInRoot(dir, file);
    if (text !== undefined) return text;
  }
  return '';
}

export async function observeImages(names: string[], layout: StoreLayout = new StoreLayout()): Promise<Record<string, ObservedImage>> {
  const out: Record<string, ObservedImage> = {};
  for (const name of new Set(names)) {
    const record = await findImage(layout, name);
    if (!record) continue;
    let blob: ConfigBlob;
    try {
      blob = JSON.parse(fs.readFileSync(layout.blob(record.configDigest), 'utf8')) as ConfigBlob;
    } catch (e) {
      throw new ObserveError(`the config ${record.configDigest} of image ${name}`, e);
    }
    const layerDirs = [...record.layers].reverse().map((chain) => layout.layerDiff(chain));
    for (const dir of layerDirs) {
      if (!fs.existsSync(dir)) throw new ObserveError(`layer ${dir} of image ${name}`, new Error('missing from the image store (pull the image again)'));
    }
    out[name] = {
      name,
      manifestDigest: record.manifestDigest,
      configDigest: record.configDigest,
      layerDirs,
      config: runConfig(blob),
      passwd: fromLayers(layerDirs, 'etc/passwd'),
      group: fromLayers(layerDirs, 'etc/group'),
      pulledAt: record.pulledAt,
    };
  }
  return out;
}
