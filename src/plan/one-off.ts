/**
 * `run`: the one-off container's service, derived from the file's service
 * as `docker compose run` derives it: its own name
 * (`<project>-<service>-run-<id>`), one replica, no published ports (no
 * `--service-ports` yet), no restart policy, the command (and entrypoint)
 * of the command line, extra environment; its dependencies kept unless
 * `--no-deps`. Pure.
 */
import type { Project, ServiceSpec } from '../compose/types';

export interface OneOffOptions {
  /** Hex id (Docker: 12 characters). */
  id: string;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  noDeps?: boolean;
  name?: string;
}

/** The service key of the one-off (never one of the file's: `-run-` plus a fresh id). */
export const oneOffServiceName = (service: string, id: string) => `${service}-run-${id}`;

export function oneOffService(project: Project, service: string, o: OneOffOptions): ServiceSpec {
  const svc = project.services[service]!;
  const { restart: _restart, profiles: _profiles, ...rest } = svc;
  return {
    ...rest,
    name: oneOffServiceName(service, o.id),
    containerName: o.name ?? `${project.name}-${service}-run-${o.id}`,
    scale: 1,
    ports: [],
    dependsOn: o.noDeps ? {} : svc.dependsOn,
    // As `docker run --entrypoint`: a new entrypoint drops the service's command unless one is given.
    ...(o.entrypoint ? { entrypoint: o.entrypoint, command: o.command ?? [] } : {}),
    ...(o.command && !o.entrypoint ? { command: o.command } : {}),
    environment: { ...svc.environment, ...(o.env ?? {}) },
  };
}
