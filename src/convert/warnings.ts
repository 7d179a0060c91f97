/** What a conversion could not carry over, or what the user must do for it to work. */
import type { SourceLoc } from '../errors';

export interface ConvertWarning {
  /**
   * `unmapped`: the target behaves differently from tscompose unless the user
   * acts (`--strict` makes these errors); `note`: it maps, with a step the user
   * must take on the host (create a bridge).
   */
  kind: 'unmapped' | 'note';
  /** The compose key, dotted (`services.r1.ports`). */
  path: string;
  loc?: SourceLoc | undefined;
  message: string;
}

/** Adds a warning at `path` (located by the source map, else at `fallback`'s location). */
export type Warn = (kind: ConvertWarning['kind'], path: string, message: string, fallback?: string) => void;
