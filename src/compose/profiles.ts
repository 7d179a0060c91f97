/**
 * `profiles`, as Compose: a service with profiles is off unless one of them
 * is active (`--profile`, else COMPOSE_PROFILES; `*` activates all) or the
 * service is named on the command line. Disabled services are removed from
 * the project; a required dependency on one is an error (Compose: "service
 * X is required by Y but is disabled"), an optional one is dropped.
 */
import type { Lookup } from './interpolate';
import type { Issues } from './issues';
import type { Field, Reader } from './read';
import type { TreeSourceMap } from './tree';
import type { ServiceSpec } from './types';

const PROFILE_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function readProfiles(f: Field, r: Reader): string[] | undefined {
  const list = r.strings(f);
  if (!list) return undefined;
  const out: string[] = [];
  for (const { value, field } of list) {
    if (!PROFILE_RE.test(value)) r.error(field, `profile "${value}" must start with a letter or digit and contain only letters, digits, "_", "." and "-"`);
    else out.push(value);
  }
  return out;
}

/** `--profile` values if any, else COMPOSE_PROFILES (comma-separated). */
export function activeProfiles(fromCli: readonly string[] | undefined, lookup: Lookup): string[] {
  const raw = fromCli?.length ? fromCli : (lookup('COMPOSE_PROFILES') ?? '').split(',');
  return [...new Set(raw.map((p) => p.trim()).filter(Boolean))];
}

export function applyProfiles(model: { services: Record<string, ServiceSpec> }, active: readonly string[], named: readonly string[], sources: TreeSourceMap, issues: Issues): void {
  const all = active.includes('*');
  const on = (name: string) => {
    const p = model.services[name]?.profiles;
    return !p?.length || all || named.includes(name) || p.some((x) => active.includes(x));
  };
  const disabled = Object.keys(model.services).filter((n) => !on(n));
  if (!disabled.length) return;
  const hint = (dep: string) => {
    const p = model.services[dep]!.profiles!;
    return `service "${dep}" is disabled: it has the profile${p.length > 1 ? 's' : ''} ${p.join(', ')}, none active (use --profile ${p[0]}, COMPOSE_PROFILES, or name it on the command line)`;
  };
  for (const svc of Object.values(model.services)) {
    if (disabled.includes(svc.name)) continue;
    const base = `services.${svc.name}`;
    for (const [dep, d] of Object.entries(svc.dependsOn)) {
      if (!disabled.includes(dep)) continue;
      if (d.required) {
        const path = `${base}.depends_on.${dep}`;
        issues.error(path, `depends on ${hint(dep)}`, sources.get(path));
      }
      // Reported or optional: either way validate.ts must not see it as undefined.
      const rest = { ...svc.dependsOn };
      delete rest[dep];
      svc.dependsOn = rest;
    }
    for (const [i, v] of (svc.volumesFrom ?? []).entries()) {
      if (!disabled.includes(v.service)) continue;
      const path = `${base}.volumes_from.${i}`;
      issues.error(path, `takes the volumes of ${hint(v.service)}`, sources.get(path));
    }
    if (svc.volumesFrom?.some((v) => disabled.includes(v.service))) svc.volumesFrom = svc.volumesFrom.filter((v) => !disabled.includes(v.service));
    if (svc.networkMode.kind === 'service' && disabled.includes(svc.networkMode.service)) {
      const path = `${base}.network_mode`;
      issues.error(path, `shares the network namespace of ${hint(svc.networkMode.service)}`, sources.get(path));
      svc.networkMode = { kind: 'none' };
    }
  }
  for (const n of disabled) delete model.services[n];
}
