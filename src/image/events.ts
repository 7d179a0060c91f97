/** Pull progress, emitted by image/pull.ts and rendered by the CLI (lines, bars or --json). */
export type PullEvent =
  | { type: 'resolve'; image: string; manifestDigest: string; platform: string; layers: number }
  /** `resuming`: `bytes` were already received by an interrupted pull; only the rest is downloaded. */
  | { type: 'layer'; image: string; digest: string; phase: 'exists' | 'waiting' | 'resuming' | 'downloading' | 'done'; bytes: number; total: number }
  | { type: 'pulled'; image: string; manifestDigest: string; configDigest: string; downloaded: number; upToDate: boolean };

export type PullEmit = (e: PullEvent) => void;
