/**
 * `services.<name>` → ServiceSpec: shape, syntax and the checks that need
 * only this service. References to other services and networks are checked
 * in validate.ts.
 */
import { posix } from 'node:path';
import { unbracket } from './canonical';
import { parseDotenv } from './dotenv';
import type { Lookup } from './interpolate';
import { formatIP, parseIP, parseMac } from '../net/ip';
import { ATTACHMENT_KEYS, DEPENDS_ON_KEYS, DEPLOY_KEYS, ENV_FILE_KEYS, SERVICE_KEYS } from './keys';
import { normalizeIsolation } from './isolation';
import { checkContainerName, checkEnvName, checkHostname, checkIfName, checkObjectName } from './names';
import { normalizePorts } from './ports';
import { field, sortedRecord } from './read';
import { ResourceReader } from './resources';
import type { Field, Reader } from './read';
import { ShlexError, shlexSplit } from './shlex';
import { childPath } from './tree';
import type { DependsCondition, Dependency, ExtraHost, NetworkMode, ServiceNetwork, ServiceSpec } from './types';

export interface ServiceContext {
  reader: Reader;
  /** Relative `env_file` paths resolve against it. */
  projectDir: string;
  /** The project environment (process environment over .env). */
  lookup: Lookup;
  /** Reads an env file (size-guarded): its text, whether it is missing, and the name to show in locations. */
  readEnvFile(absPath: string, path: string): { text?: string; missing: boolean; display: string };
  /** Names in the top-level `volumes` (named volumes must be declared). */
  declaredVolumes?: ReadonlySet<string>;
}

const CONDITIONS: readonly DependsCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

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
  const resources = new ResourceReader(r);
  for (const [key, kf] of keys) {
    if (resources.key(key, kf)) continue;
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
      case 'networks':
        svc.networks = attachments(kf, r);
        break;
      case 'network_mode':
        svc.networkMode = networkMode(kf, r) ?? svc.networkMode;
        break;
      case 'sysctls':
        svc.sysctls = sysctls(kf, r);
        break;
      case 'dns':
        svc.dns = (r.strings(kf) ?? []).flatMap(({ value, field: itf }) => {
          const ip = parseIP(value);
          if (!ip) {
            r.error(itf, `DNS server ${value} is not an IP address`);
            return [];
          }
          return [formatIP(ip)];
        });
        break;
      case 'dns_search':
        svc.dnsSearch = (r.strings(kf) ?? []).flatMap(({ value, field: itf }) => {
          const problem = value === '.' ? undefined : checkHostname(value);
          if (problem) r.error(itf, `search domain "${value}" ${problem}`);
          return problem ? [] : [value];
        });
        break;
      case 'dns_opt':
        svc.dnsOpt = (r.strings(kf) ?? []).flatMap(({ value, field: itf }) => {
          if (value === '' || /\s/.test(value)) {
            r.error(itf, `DNS option "${value}" must be a single word such as ndots:2`);
            return [];
          }
          return [value];
        });
        break;
      case 'extra_hosts':
        svc.extraHosts = extraHosts(kf, r);
        break;
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
        replicas = deploy(kf, r, (rf) => resources.deployResources(rf));
        break;
      case 'ports':
        svc.ports = normalizePorts(kf, r);
        break;
    }
  }
  normalizeIsolation(svc, keys, map, f.path, r, {
    projectDir: ctx.projectDir,
    ...(ctx.lookup('HOME') ? { home: ctx.lookup('HOME')! } : {}),
    ...(ctx.declaredVolumes ? { declaredVolumes: ctx.declaredVolumes } : {}),
  });
  svc.environment = sortedRecord(new Map([...envFromFiles, ...envFromKey]));
  if (scale !== undefined && replicas !== undefined && scale !== replicas.value) {
    r.error(replicas.field, `deploy.replicas (${replicas.value}) disagrees with scale (${scale}); set only one`);
  }
  svc.scale = scale ?? replicas?.value ?? 1;
  const res = resources.finish();
  if (res) svc.resources = res;

  const modeField = keys.get('network_mode');
  const networksField = keys.get('networks');
  if (modeField && networksField) {
    // As Compose, whatever the mode (even bridge).
    r.error(modeField, 'network_mode and networks are mutually exclusive; remove one of them');
  }
  const portsField = keys.get('ports');
  if (portsField && svc.ports.length && svc.networkMode.kind !== 'default') {
    if (svc.networkMode.kind === 'host') {
      // As Compose: the container already listens on the host's addresses.
      r.issues.warn(portsField.path, 'published ports are discarded with network_mode: host', portsField.loc);
    } else {
      r.error(portsField, `ports cannot be published with network_mode "${svc.networkMode.kind === 'none' ? 'none' : `service:${svc.networkMode.service}`}" (the container has no network of its own)`);
    }
    svc.ports = [];
  }
  if (svc.networkMode.kind !== 'default') svc.networks = [];
  else if (svc.networks.length === 0 && (!networksField || (networksField.node.kind === 'map' && networksField.node.entries.size === 0))) {
    svc.networks = [defaultAttachment()];
  }
  return svc;
}

export function defaultAttachment(): ServiceNetwork {
  return { network: 'default', aliases: [], gwPriority: 0, priority: 0 };
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

function environment(f: Field, ctx: ServiceContext): Array<[string, string]> {
  const r = ctx.reader;
  const map = r.map(f);
  if (!map) return [];
  const out: Array<[string, string]> = [];
  for (const e of map.entries.values()) {
    const ef = field(f.path, e);
    const problem = checkEnvName(e.key);
    if (problem) {
      r.error(ef, `environment variable name "${e.key}" ${problem}`);
      continue;
    }
    if (e.value.kind === 'scalar' && e.value.value === null) {
      // `KEY` alone: the value comes from the environment; dropped when unset.
      const v = ctx.lookup(e.key);
      if (v !== undefined) out.push([e.key, v]);
      continue;
    }
    const v = r.text(ef, { bool: true });
    if (v !== undefined) out.push([e.key, v]);
  }
  return out;
}

function envFiles(f: Field, ctx: ServiceContext): Array<[string, string]> {
  const r = ctx.reader;
  if (f.node.kind !== 'seq') return []; // canonical.ts reported other shapes
  const vars = new Map<string, string>();
  f.node.items.forEach((item, i) => {
    const itf: Field = { path: childPath(f.path, i), loc: item.loc, node: item };
    const map = r.map(itf);
    if (!map) return;
    const keys = r.keys(map, itf.path, ENV_FILE_KEYS);
    const pf = keys.get('path');
    if (!pf) {
      r.error(itf, 'an env_file entry needs a "path"');
      return;
    }
    const p = r.string(pf);
    const requiredField = keys.get('required');
    const required = requiredField ? r.bool(requiredField) : true;
    const formatField = keys.get('format');
    const format = formatField ? r.string(formatField) : undefined;
    if (format !== undefined && format !== 'raw') r.error(formatField!, `env_file format "${format}" is not supported yet (only raw, or none for the Compose syntax)`);
    if (p === undefined || required === undefined) return;
    const abs = posix.resolve(ctx.projectDir, p);
    const { text, missing, display } = ctx.readEnvFile(abs, itf.path);
    if (text === undefined) {
      if (required && missing) r.error(pf, `env file ${abs} not found`);
      return;
    }
    const parsed = parseDotenv(text, display, ctx.lookup, r.issues, { path: itf.path, raw: format === 'raw' }, vars);
    for (const [k, v] of parsed) {
      const problem = checkEnvName(k);
      if (problem) r.issues.error(itf.path, `environment variable name "${k}" ${problem}`, { file: display, line: 1, col: 1 });
      else vars.set(k, v);
    }
  });
  return [...vars];
}

function attachments(f: Field, r: Reader): ServiceNetwork[] {
  const map = r.map(f);
  if (!map) return [];
  const out: ServiceNetwork[] = [];
  const ifnames = new Map<string, Field>();
  for (const e of map.entries.values()) {
    const af = field(f.path, e);
    const a: ServiceNetwork = { network: e.key, aliases: [], gwPriority: 0, priority: 0 };
    out.push(a);
    const amap = r.map(af, { nullable: true });
    if (!amap) continue;
    const keys = r.keys(amap, af.path, ATTACHMENT_KEYS);
    for (const [key, kf] of keys) {
      switch (key) {
        case 'aliases':
          for (const { value, field: itf } of r.strings(kf) ?? []) {
            const problem = checkHostname(value);
            if (problem) r.error(itf, `alias "${value}" ${problem}`);
            else a.aliases.push(value);
          }
          break;
        case 'ipv4_address': {
          const v = r.string(kf);
          if (v === undefined) break;
          const ip = parseIP(v);
          if (!ip || ip.family !== 4) r.error(kf, `${v} is not an IPv4 address`);
          else a.ipv4Address = v; // the strict parse accepts only the canonical form
          break;
        }
        case 'ipv6_address': {
          const v = r.string(kf);
          if (v === undefined) break;
          const ip = parseIP(unbracket(v));
          if (!ip || ip.family !== 6) r.error(kf, `${v} is not an IPv6 address`);
          else a.ipv6Address = formatIP(ip);
          break;
        }
        case 'mac_address': {
          const v = r.string(kf);
          if (v === undefined) break;
          const mac = parseMac(v);
          if (!mac) r.error(kf, `${v} is not a MAC address (expected six hex pairs like 02:42:ac:11:00:02)`);
          else if (mac.multicast) r.error(kf, `${v} is a multicast MAC address (the lowest bit of the first byte is set); use a unicast one such as 02:…`);
          else a.macAddress = mac.mac;
          break;
        }
        case 'interface_name': {
          const v = r.string(kf);
          if (v === undefined) break;
          const problem = v === 'lo' ? 'is the loopback interface' : checkIfName(v);
          const dup = ifnames.get(v);
          if (problem) r.error(kf, `interface name "${v}" ${problem}`);
          else if (dup) r.error(kf, `interface name "${v}" is already used for network "${dup.path.split('.').at(-2)}" of this service`);
          else {
            ifnames.set(v, kf);
            a.interfaceName = v;
          }
          break;
        }
        case 'priority':
        case 'gw_priority': {
          const v = r.int(kf, { allowString: false });
          if (v !== undefined) a[key === 'priority' ? 'priority' : 'gwPriority'] = v;
          break;
        }
      }
    }
  }
  // Compose's attachment order: priority (desc), then network name.
  return out.sort((x, y) => y.priority - x.priority || (x.network < y.network ? -1 : x.network > y.network ? 1 : 0));
}

function networkMode(f: Field, r: Reader): NetworkMode | undefined {
  const v = r.string(f);
  if (v === undefined) return undefined;
  if (v === 'bridge') return { kind: 'default' };
  if (v === 'none' || v === 'host') return { kind: v };
  if (v.startsWith('service:')) {
    const service = v.slice('service:'.length);
    if (service === '') {
      r.error(f, 'network_mode "service:" needs a service name');
      return undefined;
    }
    return { kind: 'service', service };
  }
  if (v.startsWith('container:')) {
    r.error(f, 'network_mode "container:…" is not supported yet');
    return undefined;
  }
  r.error(f, `"${v}" is not a network mode (use bridge, none, host or service:<name>)`);
  return undefined;
}

function sysctls(f: Field, r: Reader): Record<string, string> {
  const map = r.map(f);
  if (!map) return {};
  const out: Array<[string, string]> = [];
  for (const e of map.entries.values()) {
    const sf = field(f.path, e);
    if (!e.key.startsWith('net.') || e.key.length <= 4) {
      r.error(sf, `sysctl "${e.key}" is not supported: only network namespace sysctls (net.*) can be set`);
      continue;
    }
    const v = r.text(sf, { bool: true });
    if (v !== undefined) out.push([e.key, v]);
  }
  return sortedRecord(out);
}

function extraHosts(f: Field, r: Reader): ExtraHost[] {
  const map = r.map(f);
  if (!map) return [];
  const out: ExtraHost[] = [];
  for (const e of map.entries.values()) {
    const hf = field(f.path, e);
    if (e.key === '' || /[\s#]/.test(e.key)) {
      r.error(hf, `"${e.key}" is not a host name`);
      continue;
    }
    if (e.value.kind !== 'seq') continue; // canonical.ts made every value a list
    for (const it of e.value.items) {
      if (it.kind !== 'scalar' || typeof it.value !== 'string') continue;
      if (it.value === 'host-gateway') {
        r.error(hf, '"host-gateway" is not supported yet; write the address');
        continue;
      }
      const ip = parseIP(it.value);
      if (!ip) r.error(hf, `${it.value} is not an IP address`);
      else out.push({ host: e.key, ip: formatIP(ip) });
    }
  }
  return out;
}

function dependsOn(f: Field, r: Reader): Record<string, Dependency> {
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

function deploy(f: Field, r: Reader, onResources: (f: Field) => void): { value: number; field: Field } | undefined {
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
  const rf = keys.get('replicas');
  if (!rf) return undefined;
  const v = r.int(rf, { min: 0 });
  return v === undefined ? undefined : { value: v, field: rf };
}
