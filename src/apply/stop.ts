/**
 * Stop (not remove) running containers: what Ctrl-C on an attached `up`
 * does, as Docker Compose does.
 */
import type { Action } from '../plan/actions';
import { execute } from './execute';
import type { Session } from './session';

export async function stopContainers(
  session: Session,
  containers: Array<{ name: string; service: string }>,
  timeoutSec: number,
): Promise<void> {
  const wave: Action[] = containers.map((c) => ({
    kind: 'container.stop',
    id: `container.stop:${c.name}`,
    target: c.name,
    reason: 'interrupted',
    after: [],
    container: c.name,
    service: c.service,
    timeoutSec,
    remove: false,
  }));
  if (wave.length) await execute({ version: 1, project: session.project, waves: [wave] }, session.env(), { continueOnError: true });
}
