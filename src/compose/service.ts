/**
 * `services.<name>` → ServiceSpec: shape, syntax and the checks that need
 * only this service. References to other services and networks are checked
 * in validate.ts. Key families have their own modules: service-network.ts,
 * environment.ts, depends.ts, isolation.ts (and volumes.ts), ports.ts,
 * resources.ts.
 */
import { normalizeBuild } from './build';
import { dependsOn } from './depends';
import { environment, envFiles, type EnvContext } from './environment';
import { DEPLOY_KEYS, SERVICE_KEYS } from './keys';
import { normalizeImage } from './image';
import { normalizeIsolation } from './isolation';
import { serviceMetadata } from './metadata';
import { checkContainerName, checkHostname, checkObjectName } from './names';
import { normalizePorts } from './ports';
import { sortedRecord } from './read';
import { ResourceReader } from './resources';
import { normalizeLifecycle } from './lifecycle';
import { normalizeLogging } from './logging';
import { volumesFrom } from './volumes-from';
import { normalizeHooks } from './hooks';
import { normalizeDevelop } from './develop';
import { normalizeProcess } from './process-keys';
import type { Field, Reader } from './read';
import { networkingKey, settleNetworking } from './service-network';
import { ShlexError, shlexSplit } from './shlex';
import { childPath } from './tree';
import type { ProjectFileSource, ServiceSpec } from './types';
import { serviceFiles } from './secrets';

/** What a service's keys are read with. */
export interface ServiceContext extends EnvContext {
  /** Names in the top-level `volumes` (named volumes must be declared). */
  declaredVolumes?: ReadonlySet<string>;
  /** The top-level `secrets` and `configs` (undefined: defined, but unusable and reported). */
  declaredFiles?: { secrets: ReadonlyMap<string, ProjectFileSource | undefined>; configs: ReadonlyMap<string, ProjectFileSource | undefined> };
}

export function normalizeService(name: string, f: Field, ctx: ServiceContext): ServiceSpec | undefined {
  const r = ctx.reader;
  const nameProblem = checkObjectName(name);
  if (nameProblem) r.error(f, `service name "${name}" ${nameProblem}`);
  const map = r.map(f);
  if (!map) return undefined;
  const svc: ServiceSpec = {
    name,
    environment: {},
    networkMode: { kind: 'default' },
    networks: [],
    sysctls: {},
    dns: [],
    dnsSearch: [],
    dnsOpt: [],
    extraHosts: [],
    dependsOn: {},
    ports: [],
    scale: 1,
    extensions: {},
  };
  const keys = r.keys(map, f.path, SERVICE_KEYS, svc.extensions);
  const envFromFiles: Array<[string, string]> = [];
  let envFromKey: Array<[string, string]> = [];
  let scale: number | undefined;
  let replicas: { value: number; field: Field } | undefined;
  let restartPolicyField: Field | undefined;
  const resources = new ResourceReader(r);
  for (const [key, kf] of keys) {
    if (resources.key(key, kf) || networkingKey(svc, key, kf, r)) continue;
    switch (key) {
      case 'command':
        svc.command = argv(kf, r);
        break;
      case 'entrypoint':
        svc.entrypoint = argv(kf, r);
        break;
      case 'environment':
        envFromKey = environment(kf, ctx);
        break;
      case 'env_file':
        envFromFiles.push(...envFiles(kf, ctx));
        break;
      case 'hostname':
        svc.hostname = hostname(kf, r);
        break;
      case 'domainname':
        svc.domainname = hostname(kf, r);
        break;
      case 'container_name': {
        const v = r.string(kf);
        const problem = v === undefined || v === '' ? undefined : checkContainerName(v);
        if (problem) r.error(kf, `container name "${v}" ${problem}`);
        else if (v !== '') svc.containerName = v;
        break;
      }
      case 'depends_on':
        svc.dependsOn = dependsOn(kf, r);
        break;
      case 'working_dir': {
        const v = r.string(kf);
        if (v !== undefined && v !== '' && !v.startsWith('/')) r.error(kf, `working directory "${v}" must be an absolute path`);
        else if (v !== '') svc.workingDir = v;
        break;
      }
      case 'user': {
        const v = r.string(kf);
        if (v !== '') svc.user = v;
        break;
      }
      case 'scale':
        scale = r.int(kf, { min: 0 });
        break;
      case 'deploy':
        replicas = deploy(kf, r, (rf) => resources.deployResources(rf), (pf) => (restartPolicyField = pf));
        break;
      case 'ports':
        svc.ports = normalizePorts(kf, r);
        break;
      case 'build': {
        const b = normalizeBuild(kf, ctx);
        if (b) svc.build = b;
        break;
      }
      case 'secrets':
      case 'configs': {
        const files = serviceFiles(key, kf, ctx, ctx.declaredFiles?.[key] ?? new Map());
        if (files.length) svc.files = [...(svc.files ?? []), ...files];
        break;
      }
    }
  }
  normalizeIsolation(svc, keys, map, f.path, r, {
    projectDir: ctx.projectDir,
    ...(ctx.lookup('HOME') ? { home: ctx.lookup('HOME')! } : {}),
    ...(ctx.declaredVolumes ? { declaredVolumes: ctx.declaredVolumes } : {}),
    readFile: (abs) => ctx.readEnvFile(abs, `services.${name}.security_opt`).text,
  });
  normalizeImage(svc, keys, r);
  const logging = keys.get('logging') && normalizeLogging(keys.get('logging')!, r);
  if (logging) svc.logging = logging;
  const from = keys.get('volumes_from') && volumesFrom(keys.get('volumes_from')!, r);
  if (from?.length) svc.volumesFrom = from;
  svc.environment = sortedRecord(new Map([...envFromFiles, ...envFromKey]));
  if (scale !== undefined && replicas !== undefined && scale !== replicas.value) {
    r.error(replicas.field, `deploy.replicas (${replicas.value}) disagrees with scale (${scale}); set only one`);
  }
  svc.scale = scale ?? replicas?.value ?? 1;
  normalizeLifecycle(svc, keys, map, f.path, restartPolicyField, r);
  normalizeHooks(svc, keys, ctx);
  normalizeDevelop(svc, keys, ctx);
  const res = resources.finish();
  if (res) svc.resources = res;
  normalizeProcess(svc, keys, r);
  serviceMetadata(svc, keys, ctx);
  settleNetworking(svc, keys, r);
  return svc;
}

function argv(f: Field, r: Reader): string[] | undefined {
  const n = f.node;
  if (n.kind === 'scalar' && n.value === null) return undefined;
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    try {
      return shlexSplit(n.value);
    } catch (err) {
      if (!(err instanceof ShlexError)) throw err;
      r.error(f, `cannot split "${n.value}" into arguments: ${err.message}`);
      return undefined;
    }
  }
  if (n.kind === 'seq') {
    const out: string[] = [];
    for (const [i, it] of n.items.entries()) {
      if (it.kind === 'scalar' && typeof it.value === 'string') out.push(it.value);
      else r.error({ path: childPath(f.path, i), loc: it.loc, node: it }, 'must be a string (quote numbers in exec form)');
    }
    return out;
  }
  r.error(f, 'must be a string, a list of strings or null');
  return undefined;
}

function hostname(f: Field, r: Reader): string | undefined {
  const v = r.string(f);
  // Empty (e.g. an unset variable) means "not set", as Docker reads it.
  if (v === undefined || v === '') return undefined;
  // 64 bytes: the kernel's limit for the UTS host and domain names.
  const problem = checkHostname(v, 64);
  if (problem) {
    r.error(f, `"${v}" ${problem}`);
    return undefined;
  }
  return v;
}

function deploy(
  f: Field,
  r: Reader,
  onResources: (f: Field) => void,
  onRestartPolicy: (f: Field) => void,
): { value: number; field: Field } | undefined {
  const map = r.map(f, { nullable: true });
  if (!map) return undefined;
  const keys = r.keys(map, f.path, DEPLOY_KEYS);
  const mf = keys.get('mode');
  if (mf) {
    const m = r.string(mf);
    if (m !== undefined && m !== 'replicated') r.error(mf, `deploy mode "${m}" is not supported yet (only replicated)`);
  }
  const resf = keys.get('resources');
  if (resf) onResources(resf);
  const pf = keys.get('restart_policy');
  if (pf) onRestartPolicy(pf);
  const rf = keys.get('replicas');
  if (!rf) return undefined;
  const v = r.int(rf, { min: 0 });
  return v === undefined ? undefined : { value: v, field: rf };
}
