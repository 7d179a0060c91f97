/**
 * Stop (not remove) running containers: what Ctrl-C on an attached `up`
 * and `tscompose stop` do, as Docker Compose does. Each container gets its
 * stop_signal and stop_grace_period unless `timeoutSec` (-t) is given.
 */
import type { Action } from '../plan/actions';
import { stopSettings } from '../plan/diff';
import { lifecycleOrder } from '../plan/lifecycle';
import { execute } from './execute';
import type { Session } from './session';

export async function stopContainers(
  session: Session,
  containers: Array<{ name: string; service: string }>,
  timeoutSec?: number,
): Promise<void> {
  const journal = session.state.readState(session.project);
  const opts = timeoutSec === undefined ? {} : { stopTimeoutSec: timeoutSec };
  // Dependents first, as Docker Compose stops them.
  const first = lifecycleOrder(containers.map((c) => c.name), (n) => journal?.containers[n]?.startAfter, 'stop');
  const wave: Action[] = containers.map((c) => ({
    kind: 'container.stop',
    id: `container.stop:${c.name}`,
    target: c.name,
    reason: 'interrupted',
    after: first.get(c.name)!.map((d) => `container.stop:${d}`),
    container: c.name,
    service: c.service,
    ...stopSettings(opts, journal?.containers[c.name]?.launch),
    remove: false,
  }));
  if (wave.length) await execute({ version: 1, project: session.project, waves: [wave] }, session.env(), { continueOnError: true });
}
