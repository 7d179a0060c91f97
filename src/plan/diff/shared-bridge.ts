/**
 * The machine's default bridge goes with its last user: when this project
 * no longer wants it, its journal named it, and no other project's journal
 * does (plan/shared-bridge.ts).
 */
import { SHARED_ALIAS, SHARED_BRIDGE } from '../shared-bridge';
import type { DiffContext } from './context';

export function sharedBridgeRemoval(ctx: DiffContext, after: string[]): void {
  const { desired, observed } = ctx;
  if (Object.values(desired.networks).some((n) => n.shared)) return;
  const key = Object.entries(observed.state?.networks ?? {}).find(([, n]) => n.shared)?.[0];
  const link = ctx.hostLinks.get(SHARED_BRIDGE);
  if (key === undefined || !link || link.kind !== 'bridge' || link.alias !== SHARED_ALIAS) return;
  if (observed.otherProjects.some((o) => o.sharedBridge)) return;
  ctx.push({
    kind: 'bridge.delete',
    id: `bridge.delete:${key}`,
    target: SHARED_BRIDGE,
    reason: 'the default bridge: no other project uses it',
    after: [...after],
    network: key,
    bridge: SHARED_BRIDGE,
  });
}
