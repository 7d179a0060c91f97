/**
 * `up --wait`: until every container runs and, if it has a healthcheck, is
 * healthy (Docker Compose's --wait); an exit, an unhealthy verdict or the
 * time limit ends it with an error naming the container.
 */
import { WaitError } from '../errors';
import { observeContainer } from '../observe/containers';
import type { StateDir } from '../sys/state';
import { conditionState } from './handlers/conditions';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntilUp(state: StateDir, project: string, containers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(containers);
  for (let delay = 10; pending.size; delay = Math.min(delay * 2, 200)) {
    for (const name of [...pending]) {
      const o = observeContainer(state.containerDir(project, name), name);
      const verdict = o.health
        ? conditionState({ container: name, service: '', condition: 'service_healthy' }, o)
        : o.running
          ? true
          : !o.restarting && o.exit
            ? `${name} exited with code ${o.exit.exitCode}`
            : undefined;
      if (verdict === true) pending.delete(name);
      else if (typeof verdict === 'string') throw new WaitError(verdict);
    }
    if (!pending.size) return;
    if (Date.now() >= deadline) throw new WaitError(`not running and healthy after ${Math.round(timeoutMs / 1000)} s: ${[...pending].sort().join(', ')}`);
    await sleep(delay);
  }
}
