/**
 * The lifecycle keys of a service: `restart`/`deploy.restart_policy`
 * (restart.ts), `healthcheck` (healthcheck.ts) and `x-restart-on-unhealthy`
 * (what moby#28400 asks Docker for: an unhealthy container is killed, and
 * its restart policy brings it back).
 */
import type { YMap } from './tree';
import { healthcheck } from './healthcheck';
import { field, type Field, type Reader } from './read';
import { restartPolicy } from './restart';
import type { ServiceSpec } from './types';

export function normalizeLifecycle(svc: ServiceSpec, keys: Map<string, Field>, map: YMap, path: string, deployRestartPolicy: Field | undefined, r: Reader): void {
  const policy = restartPolicy(keys.get('restart'), deployRestartPolicy, r);
  if (policy) svc.restart = policy;
  const hf = keys.get('healthcheck');
  const health = hf ? healthcheck(hf, r) : undefined;
  if (health) svc.healthcheck = health;
  const entry = map.entries.get('x-restart-on-unhealthy');
  if (!entry) return;
  const f = field(path, entry);
  if (!r.bool(f)) return;
  if (!svc.restart) r.error(f, 'an unhealthy container is killed and its restart policy starts it again: set restart (always, unless-stopped or on-failure) too');
  else if (svc.healthcheck?.disabled) r.error(f, 'the healthcheck is disabled: nothing would ever find the container unhealthy');
  else svc.restart.onUnhealthy = true;
}
