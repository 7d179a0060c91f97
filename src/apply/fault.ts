/**
 * Fault injection for crash-safety tests: TSCOMPOSE_FAULT=POINT makes the
 * process SIGKILL itself when it reaches POINT, exactly as a crash or
 * `kill -9` would. Tests then check that `down` (or the next `up`) still
 * finds and removes everything. Points:
 *
 * - `after-action:K`: right after the K-th action of the run finished
 *   (1-based, in completion order, failed actions count too);
 * - `after-wave:N`: when every action of wave N has finished;
 * - `mid:KIND`: inside a handler, between two of its kernel operations.
 */
export function faultPoint(point: string): void {
  if (process.env.TSCOMPOSE_FAULT === point) process.kill(process.pid, 'SIGKILL');
}

let actionsDone = 0;

/** An action of this run has finished: the `after-action:K` point. */
export function actionFinished(): void {
  if (process.env.TSCOMPOSE_FAULT === undefined) return;
  faultPoint(`after-action:${++actionsDone}`);
}
