/**
 * Progress events: apply/ emits them, the CLI renders them (one replaceable
 * function), nothing else prints.
 */
import type { Action } from './plan/actions';
import type { PullEvent } from './image/events';

export type ProgressEvent =
  | { type: 'action'; phase: 'start'; action: Action }
  | { type: 'action'; phase: 'done'; action: Action; ms: number }
  | { type: 'action'; phase: 'failed'; action: Action; error: Error }
  | { type: 'wave'; index: number; actions: number; ms: number }
  /** A step of a command finished, `ms` after the process started (shown with --verbose). */
  | { type: 'phase'; name: string; ms: number }
  /** `verbose`: a detail shown with --verbose only. */
  | { type: 'note'; message: string; verbose?: boolean }
  /** An image being pulled before planning (`pull_policy`). */
  | { type: 'pull'; event: PullEvent }
  /** A service's image being built before planning (`build`): its start, each line the builder prints, its end. */
  | { type: 'build'; phase: 'start'; service: string; image: string }
  | { type: 'build'; phase: 'output'; service: string; image: string; line: string }
  | { type: 'build'; phase: 'done'; service: string; image: string; ms: number };

export type Emit = (e: ProgressEvent) => void;
