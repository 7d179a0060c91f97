/**
 * Stop (not remove) running containers: what Ctrl-C on an attached `up`
 * and `tscompose stop` do, as Docker Compose does. Each container gets its
 * stop_signal and stop_grace_period unless `timeoutSec` (-t) is given.
 */
import { complete } from '../plan/actions';
import { lifecycleIds, lifecycleOrder, stopAction } from '../plan/lifecycle';
import { execute } from './execute';
import type { Session } from './session';

export async function stopContainers(
  session: Session,
  containers: Array<{ name: string; service: string }>,
  timeoutSec?: number,
): Promise<void> {
  const journal = session.state.readState(session.project);
  // Dependents first, as Docker Compose stops them.
  const first = lifecycleOrder(containers.map((c) => c.name), (n) => journal?.containers[n]?.startAfter, 'stop');
  const wave = containers.map((c) =>
    complete(
      stopAction(c, 'interrupted', {
        timeoutSec,
        launch: journal?.containers[c.name]?.launch,
        remove: false,
        after: lifecycleIds('stop', first.get(c.name)!),
      }),
    ),
  );
  if (wave.length) await execute({ version: 1, project: session.project, waves: [wave] }, session.env(), { continueOnError: true });
}
