/**
 * Checks of `pid: service:NAME` and `ipc: service:NAME` across services:
 * the service exists, is not the service itself, and (ipc) its namespace is
 * `shareable`, as Docker requires of the donor. Joining implies starting the
 * other service first and restarting with it (a depends_on with restart:
 * true: the namespace of a replaced container is gone).
 */
import type { ServiceSpec } from './types';

interface Model {
  services: Record<string, ServiceSpec>;
}

type Report = (path: string, message: string, locPath?: string) => void;

/** The key (`pid` or `ipc`) through which `svc` joins `dep`'s namespace, if any (for cycle messages). */
export function sharedNamespaceKey(svc: ServiceSpec, dep: string): 'pid' | 'ipc' | undefined {
  for (const key of ['pid', 'ipc'] as const) {
    const s = svc.process?.[key];
    if (s?.kind === 'service' && s.service === dep) return key;
  }
  return undefined;
}

export function checkNamespaceShares(model: Model, err: Report): void {
  for (const svc of Object.values(model.services)) {
    for (const key of ['pid', 'ipc'] as const) {
      const s = svc.process?.[key];
      if (s?.kind !== 'service') continue;
      const path = `services.${svc.name}.${key}`;
      const target = model.services[s.service];
      if (s.service === svc.name) err(path, `a service cannot join its own ${key} namespace`);
      else if (!target) err(path, `service "${s.service}" is not defined`);
      else if (key === 'ipc' && target.process?.ipc?.kind !== 'shareable') {
        const mode = target.process?.ipc;
        err(path, mode?.kind === 'host'
          ? `service "${s.service}" uses the host's ipc namespace: use ipc: host`
          : `service "${s.service}" has a non-shareable ipc namespace: give it ipc: shareable (as Docker requires of the donor)`);
      } else if (!svc.dependsOn[s.service]?.restart) {
        // Restarted with it: a namespace of a replaced container is gone for good.
        const dep = svc.dependsOn[s.service] ?? { condition: 'service_started' as const, required: true, restart: true };
        svc.dependsOn = Object.fromEntries(Object.entries({ ...svc.dependsOn, [s.service]: { ...dep, restart: true } }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      }
    }
  }
}
