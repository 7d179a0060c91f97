/** `develop.watch` as the file says it (compose/develop.ts); what a change does is planned in plan/watch.ts. */
import type { SourceLoc } from '../errors';
import type { HookSpec } from './lifecycle-types';

export type WatchAction = 'sync' | 'rebuild' | 'restart' | 'sync+restart' | 'sync+exec';

export interface WatchRule {
  action: WatchAction;
  /** The watched host path, absolute (relative ones are against the project directory). */
  path: string;
  /** Where `sync*` actions copy it in the container (absolute). */
  target?: string;
  /** Patterns (.dockerignore syntax), relative to `path`, whose changes are not acted on. */
  ignore: string[];
  /** When given: only changes matching one of these patterns are acted on. */
  include?: string[];
  /** `sync*`: copy `path` to `target` once when `watch` starts. */
  initialSync?: true;
  /** `sync+exec`: the command run in the container after a sync. */
  exec?: HookSpec;
  /** Where the rule is written (`services.web.develop.watch.0`), for messages. */
  where: { path: string; loc: SourceLoc };
}
