/**
 * A container's metadata: the service's labels plus the ones Compose sets
 * itself (com.docker.compose.project, .service, .container-number,
 * .config-hash, …), its annotations and exposed ports. Recorded in the
 * journal and shown by `ps --json`; nothing in the kernel reads them.
 */
import type { Project, ServiceSpec } from '../compose/types';

export interface ContainerMetadata {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  expose?: string[];
}

export function containerMetadata(project: Project, svc: ServiceSpec, index: number, configHash: string): ContainerMetadata {
  // The loader refuses user labels under com.docker.compose., so these cannot be overridden.
  const own: Record<string, string> = {
    'com.docker.compose.config-hash': configHash,
    'com.docker.compose.container-number': String(index),
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.project': project.name,
    'com.docker.compose.project.config_files': project.files.join(','),
    'com.docker.compose.project.working_dir': project.workingDir,
    'com.docker.compose.service': svc.name,
  };
  const labels: Record<string, string> = {};
  for (const k of [...Object.keys(svc.labels ?? {}), ...Object.keys(own)].sort()) labels[k] = own[k] ?? svc.labels![k]!;
  return {
    labels,
    ...(svc.annotations ? { annotations: { ...svc.annotations } } : {}),
    ...(svc.expose ? { expose: [...svc.expose] } : {}),
  };
}
