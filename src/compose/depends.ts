/** A service's `depends_on` (long syntax: canonical.ts turned the list form into it). */
import { DEPENDS_ON_KEYS } from './keys';
import { field, sortedRecord } from './read';
import type { Field, Reader } from './read';
import type { DependsCondition, Dependency } from './types';

const CONDITIONS: readonly DependsCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

export function dependsOn(f: Field, r: Reader): Record<string, Dependency> {
  const map = r.map(f);
  if (!map) return {};
  const out: Array<[string, Dependency]> = [];
  for (const e of map.entries.values()) {
    const df = field(f.path, e);
    const dmap = r.map(df);
    if (!dmap) continue;
    const keys = r.keys(dmap, df.path, DEPENDS_ON_KEYS);
    const dep: Dependency = { condition: 'service_started', required: true, restart: false };
    const cf = keys.get('condition');
    if (!cf) r.error(df, 'needs a condition (service_started, service_healthy or service_completed_successfully)');
    else {
      const c = r.string(cf);
      if (c !== undefined && !(CONDITIONS as readonly string[]).includes(c)) r.error(cf, `"${c}" is not a condition (use ${CONDITIONS.join(', ')})`);
      else if (c !== undefined) dep.condition = c as DependsCondition;
    }
    const reqf = keys.get('required');
    if (reqf) dep.required = r.bool(reqf, false) ?? true;
    const rf = keys.get('restart');
    if (rf) dep.restart = r.bool(rf) ?? false;
    out.push([e.key, dep]);
  }
  return sortedRecord(out);
}
