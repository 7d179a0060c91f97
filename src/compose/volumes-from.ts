/**
 * `volumes_from`: another service's volumes (bind mounts, named and
 * anonymous volumes), mounted at the same targets (plan/volumes-from.ts).
 * Entries: `NAME`, `service:NAME`, either with `:ro` (every mount
 * read-only) or `:rw` (each keeps its own mode, the default).
 * `container:NAME` (a container outside the project) is refused: tscompose
 * shares volumes between the project's services only.
 */
import type { Field, Reader } from './read';
import type { ServiceSpec } from './types';

export function volumesFrom(f: Field, r: Reader): ServiceSpec['volumesFrom'] {
  const out: NonNullable<ServiceSpec['volumesFrom']> = [];
  for (const { value, field } of r.strings(f) ?? []) {
    const parts = value.split(':');
    if (parts[0] === 'container') {
      r.error(field, `"${value}": volumes_from a container is not supported yet (name a service of the project: service:NAME)`);
      continue;
    }
    if (parts[0] === 'service') parts.shift();
    const [service, mode, ...rest] = parts;
    if (!service || rest.length || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
      r.error(field, `"${value}" is not a volumes_from entry (NAME, service:NAME, with :ro or :rw)`);
      continue;
    }
    out.push({ service, ...(mode === 'ro' ? { readOnly: true as const } : {}) });
  }
  return out;
}
