/**
 * `tscompose config`: the normalized project as a compose file, keys sorted,
 * long syntax everywhere, variables already substituted (a literal `$` is
 * written `$$` so loading the output again gives the same project).
 */
import type { WatchRule } from './develop-types';
import { renderBuild } from './build';
import { renderImage } from './image';
import { dump, visit } from 'js-yaml';
import type { Document } from 'js-yaml';
import { renderResources } from './resources';
import { renderProcess } from './process-keys';
import { setOwn } from './tree';
import { renderIsolation, renderVolume } from './render-isolation';
import type { HookSpec, IpamPool, NetemSpec, NetworkSpec, PortRange, PortSpec, Project, ServiceNetwork, ServiceLogging, ServiceSpec } from './types';

type Obj = Record<string, unknown>;

export function renderConfig(project: Project, format: 'yaml' | 'json' = 'yaml'): string {
  const doc = escapeDollars(configDocument(project));
  if (format === 'json') return JSON.stringify(doc, null, 2) + '\n';
  return dump(doc, { noRefs: true, lineWidth: -1, transform: sortKeys });
}

/** The project as compose keys again (what `config` prints). */
function configDocument(project: Project): Obj {
  const doc: Obj = { name: project.name };
  // Networks made from `x-links` are written as the x-links entries they came from.
  const networks = entries(Object.fromEntries(Object.entries(project.networks).filter(([, n]) => !n.fromLink && !(n.shared && !n.external))), renderNetwork);
  if (Object.keys(networks).length > 0) doc.networks = networks;
  doc.services = entries(project.services, renderService);
  if (project.volumes) doc.volumes = entries(project.volumes, renderVolume);
  Object.assign(doc, renderFileDefinitions(project));
  for (const [k, v] of Object.entries(project.extensions)) setOwn(doc, k, v);
  return doc;
}

/** Top-level secrets and configs, as the services use them (an environment value by its variable's name). */
function renderFileDefinitions(project: Project): Obj {
  const out: Obj = {};
  for (const f of Object.values(project.services).flatMap((s) => s.files ?? [])) {
    const group = (out[`${f.kind}s`] ??= {}) as Obj;
    const src = f.source;
    group[f.name] = 'file' in src ? { file: src.file } : src.fromEnvironment ? { environment: src.fromEnvironment } : { content: src.content };
  }
  return out;
}

function entries<T>(rec: Record<string, T>, fn: (v: T) => unknown): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(rec)) setOwn(out, k, fn(v));
  return out;
}

function renderNetwork(n: NetworkSpec): Obj {
  const out: Obj = {};
  if (n.externalName !== undefined) out.name = n.externalName;
  if (n.external) {
    out.external = true;
    Object.assign(out, n.extensions);
    return out;
  }
  out.driver = n.driver;
  if (Object.keys(n.driverOpts).length > 0) out.driver_opts = { ...n.driverOpts };
  if (n.ipam.length > 0) out.ipam = { driver: 'default', config: n.ipam.map(renderPool) };
  if (n.internal) out.internal = true;
  if (n.enableIpv6) out.enable_ipv6 = true;
  if (n.ipv6Only) out.enable_ipv4 = false;
  if (Object.keys(n.labels).length > 0) out.labels = { ...n.labels };
  for (const [k, v] of Object.entries(n.extensions)) setOwn(out, k, v);
  return out;
}

function renderPool(p: IpamPool): Obj {
  const out: Obj = {};
  if (p.subnet !== undefined) out.subnet = p.subnet;
  if (p.gateway !== undefined) out.gateway = p.gateway;
  if (p.ipRange !== undefined) out.ip_range = p.ipRange;
  if (Object.keys(p.auxAddresses).length > 0) out.aux_addresses = { ...p.auxAddresses };
  return out;
}

function renderService(s: ServiceSpec): Obj {
  const out: Obj = renderImage(s);
  if (s.build) out.build = renderBuild(s.build);
  for (const kind of ['secret', 'config'] as const) {
    const refs = (s.files ?? []).filter((f) => f.kind === kind);
    if (refs.length) out[`${kind}s`] = refs.map((f) => ({ source: f.name, target: f.target, uid: String(f.uid), gid: String(f.gid), mode: f.mode }));
  }
  if (s.command !== undefined) out.command = [...s.command];
  if (s.entrypoint !== undefined) out.entrypoint = [...s.entrypoint];
  if (Object.keys(s.environment).length > 0) out.environment = { ...s.environment };
  if (s.hostname !== undefined) out.hostname = s.hostname;
  if (s.domainname !== undefined) out.domainname = s.domainname;
  if (s.containerName !== undefined) out.container_name = s.containerName;
  const mode = s.networkMode;
  if (mode.kind === 'default' && mode.shared) out.network_mode = 'bridge';
  else if (mode.kind === 'default') {
    const nets: Obj = {};
    const written = s.networks.filter((a) => a.fromLink === undefined);
    for (const a of written) setOwn<unknown>(nets, a.network, renderAttachment(a));
    // A lab node (links only) is written without `networks`, as it was.
    if (written.length || !s.networks.length) out.networks = nets;
  } else out.network_mode = mode.kind === 'service' ? `service:${mode.service}` : mode.kind;
  if (Object.keys(s.sysctls).length > 0) out.sysctls = { ...s.sysctls };
  if (s.dns.length > 0) out.dns = [...s.dns];
  if (s.dnsSearch.length > 0) out.dns_search = [...s.dnsSearch];
  if (s.dnsOpt.length > 0) out.dns_opt = [...s.dnsOpt];
  if (s.extraHosts.length > 0) out.extra_hosts = s.extraHosts.map((h) => `${h.host}=${h.ip}`);
  if (Object.keys(s.dependsOn).length > 0) {
    out.depends_on = entries(s.dependsOn, (d) => ({ condition: d.condition, required: d.required, restart: d.restart }));
  }
  if (s.workingDir !== undefined) out.working_dir = s.workingDir;
  if (s.user !== undefined) out.user = s.user;
  if (s.scale !== 1) out.scale = s.scale;
  if (s.ports.length > 0) out.ports = s.ports.map(renderPort);
  if (s.resources) Object.assign(out, renderResources(s.resources));
  Object.assign(out, renderIsolation(s));
  Object.assign(out, renderProcess(s));
  // label_file is folded into labels, as `docker compose config` does.
  if (s.profiles) out.profiles = [...s.profiles];
  if (s.links) out.links = s.links.map((l) => (l.alias === l.service ? l.service : `${l.service}:${l.alias}`));
  if (s.externalLinks) out.external_links = s.externalLinks.map((l) => (l.alias === l.container ? l.container : `${l.container}:${l.alias}`));
  if (s.labels) out.labels = { ...s.labels };
  if (s.annotations) out.annotations = { ...s.annotations };
  if (s.expose) out.expose = [...s.expose];
  if (s.attach === false) out.attach = false;
  if (s.logging) out.logging = renderLogging(s.logging);
  if (s.volumesFrom) out.volumes_from = s.volumesFrom.map((v) => `service:${v.service}${v.readOnly ? ':ro' : ''}`);
  if (s.postStart) out.post_start = s.postStart.map(renderHook);
  if (s.preStop) out.pre_stop = s.preStop.map(renderHook);
  if (s.develop) out.develop = { watch: s.develop.watch.map(renderWatchRule) };
  for (const [k, v] of Object.entries(s.extensions)) setOwn(out, k, v);
  return out;
}

function renderLogging(l: ServiceLogging): Obj {
  const options: Obj = {};
  if (l.maxSize !== undefined) options['max-size'] = String(l.maxSize);
  if (l.maxFiles !== undefined) options['max-file'] = String(l.maxFiles);
  return { driver: l.driver, ...(Object.keys(options).length ? { options } : {}) };
}

function renderHook(h: HookSpec): Obj {
  const out: Obj = { command: [...h.command] };
  if (h.user !== undefined) out.user = h.user;
  if (h.privileged) out.privileged = true;
  if (h.workingDir !== undefined) out.working_dir = h.workingDir;
  if (Object.keys(h.environment).length) out.environment = { ...h.environment };
  return out;
}

function renderWatchRule(r: WatchRule): Obj {
  const out: Obj = { path: r.path, action: r.action };
  if (r.target !== undefined) out.target = r.target;
  if (r.ignore.length) out.ignore = [...r.ignore];
  if (r.include) out.include = [...r.include];
  if (r.exec) out.exec = renderHook(r.exec);
  if (r.initialSync) out.initial_sync = true;
  return out;
}

function renderPort(p: PortSpec): Obj {
  const range = (r: PortRange) => (r.start === r.end ? String(r.start) : `${r.start}-${r.end}`);
  const out: Obj = { target: p.target.start === p.target.end ? p.target.start : range(p.target) };
  if (p.published) out.published = range(p.published);
  if (p.hostIp !== undefined) out.host_ip = p.hostIp;
  out.protocol = p.protocol;
  out.mode = p.mode;
  if (p.name !== undefined) out.name = p.name;
  if (p.appProtocol !== undefined) out.app_protocol = p.appProtocol;
  return out;
}

function renderAttachment(a: ServiceNetwork): Obj | null {
  const out: Obj = {};
  if (a.aliases.length > 0) out.aliases = [...a.aliases];
  if (a.ipv4Address !== undefined) out.ipv4_address = a.ipv4Address;
  if (a.ipv6Address !== undefined) out.ipv6_address = a.ipv6Address;
  if (a.macAddress !== undefined) out.mac_address = a.macAddress;
  if (a.interfaceName !== undefined) out.interface_name = a.interfaceName;
  if (a.priority !== 0) out.priority = a.priority;
  if (a.gwPriority !== 0) out.gw_priority = a.gwPriority;
  if (a.mtu !== undefined) out['x-mtu'] = a.mtu;
  if (a.netem) out['x-netem'] = renderNetem(a.netem);
  if (a.endpointSysctls) out.driver_opts = { 'com.docker.network.endpoint.sysctls': Object.entries(a.endpointSysctls).map(([k, v]) => `${k}=${v}`).join(',') };
  return Object.keys(out).length > 0 ? out : null;
}

function renderNetem(n: NetemSpec): Obj {
  const out: Obj = {};
  if (n.rate !== undefined) out.rate = `${n.rate}bit`;
  if (n.delayUs !== undefined) out.delay = `${n.delayUs}us`;
  if (n.jitterUs !== undefined) out.jitter = `${n.jitterUs}us`;
  for (const k of ['loss', 'duplicate', 'corrupt', 'reorder'] as const) if (n[k] !== undefined) out[k] = `${n[k]}%`;
  if (n.limit !== undefined) out.limit = n.limit;
  return out;
}

/** Every string value (not key) gets `$` doubled: the output is read back with interpolation. */
function escapeDollars(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('$') ? v.replace(/\$/g, '$$$$') : v;
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (v !== null && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k, escapeDollars(x));
    return out;
  }
  return v;
}

/** Sorts mapping keys by code unit (not locale), so the output is stable everywhere. */
function sortKeys(docs: Document[]): void {
  visit(docs, (node) => {
    if (node.kind !== 'mapping') return;
    node.items.sort((a, b) => {
      const x = a.key.kind === 'scalar' ? a.key.value : '';
      const y = b.key.kind === 'scalar' ? b.key.value : '';
      return x < y ? -1 : x > y ? 1 : 0;
    });
  });
}
