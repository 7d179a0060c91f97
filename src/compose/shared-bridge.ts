/**
 * `network_mode: bridge`: Docker's default bridge (docker0), which ours is
 * `tsc0`, shared by every project that asks for it. In the file it is the
 * network `bridge` (Docker's name for it), made by the loader; the planner
 * knows it by `shared` (plan/shared-bridge.ts).
 */
import { defaultNetworkSpec } from './network';
import type { NetworkSpec, ServiceNetwork, ServiceSpec } from './types';

export const SHARED_NETWORK = 'bridge';

export function sharedAttachment(): ServiceNetwork {
  return { network: SHARED_NETWORK, aliases: [], gwPriority: 0, priority: 0 };
}

export function sharedNetworkSpec(): NetworkSpec {
  return { ...defaultNetworkSpec(SHARED_NETWORK), shared: true };
}

/** Services on the default bridge (their `network_mode: bridge`). */
export const usesSharedBridge = (services: Array<[string, ServiceSpec]>) => services.filter(([, s]) => s.networkMode.kind === 'default' && s.networkMode.shared);
