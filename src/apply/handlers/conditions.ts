/**
 * `depends_on` conditions, waited for before a container starts, as Docker
 * Compose waits: `service_healthy` until the dependency's healthcheck says
 * healthy, `service_completed_successfully` until it exited 0. A condition
 * that can no longer hold fails the start at once, naming the dependency,
 * its exit code or its last health results; so the wait is bounded by the
 * dependency's own life and healthcheck (its shim decides, and its shim's
 * death is a failure too).
 */
import type { Action } from '../../plan/actions';
import type { WaitCondition } from '../../plan/model';
import { observeContainer } from '../../observe/containers';
import type { ApplyEnv } from '../env';

type Of<K extends Action['kind']> = Extract<Action, { kind: K }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitForConditions(a: Of<'container.start'>, env: ApplyEnv): Promise<void> {
  await Promise.all((a.waitFor ?? []).map((w) => waitFor(w, env, a.container)));
}

/** undefined: not yet; true: holds; a string: can never hold, and why. */
export function conditionState(w: WaitCondition, o: ReturnType<typeof observeContainer>): true | string | undefined {
  const exited = !o.running && !o.restarting;
  if (w.condition === 'service_healthy') {
    if (o.health?.status === 'healthy') return true;
    if (o.health?.status === 'unhealthy') {
      const log = o.health.log.slice(-3).map((r) => `exit ${r.exitCode}: ${r.output.trim().slice(0, 200) || '(no output)'}`);
      return `${w.container} is unhealthy (${o.health.failingStreak} failed checks in a row; last: ${log.join('; ')})`;
    }
    if (exited && o.exit) return `${w.container} exited with code ${o.exit.exitCode} before it was healthy`;
  } else if (exited && o.exit) {
    return o.exit.exitCode === 0 ? true : `${w.container} exited with code ${o.exit.exitCode}: service_completed_successfully cannot hold`;
  }
  if (exited && !o.shimAlive) return `${w.container} is not running and its shim is gone`;
  return undefined;
}

async function waitFor(w: WaitCondition, env: ApplyEnv, who: string): Promise<void> {
  const dir = env.state.containerDir(env.project, w.container);
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const state = conditionState(w, observeContainer(dir, w.container));
    if (state === true) return;
    if (delay === 10) env.emit({ type: 'note', verbose: true, message: `${who} waits for ${w.container} (${w.condition})` });
    if (typeof state === 'string') throw Object.assign(new Error(`dependency failed: ${state}`), { code: 'EDEPENDENCY' });
    await sleep(delay);
  }
}
