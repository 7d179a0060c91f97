/**
 * Fault injection for crash-safety tests: TSCOMPOSE_FAULT=POINT makes the
 * process SIGKILL itself when it reaches POINT (`after-wave:2`,
 * `mid:veth.create`, …), exactly as a crash or `kill -9` would. Tests then
 * check that `down` still removes everything.
 */
export function faultPoint(point: string): void {
  if (process.env.TSCOMPOSE_FAULT === point) process.kill(process.pid, 'SIGKILL');
}
