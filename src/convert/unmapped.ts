/**
 * What the file says that a containerlab topology cannot: every key the user
 * wrote (the loader's source map records each one) that the converter does
 * not carry over becomes a warning naming its file:line. Nothing is dropped
 * silently, and a key added to Compose later shows up here by default.
 */
import type { Project } from '../compose/types';
import type { ConvertWarning } from './warnings';

/** Service keys containerlab.ts carries over itself (or warns about in detail). */
const MAPPED_SERVICE_KEYS = new Set([
  'image', 'command', 'entrypoint', 'environment', 'env_file', 'sysctls', 'x-routes', 'networks',
  'user', 'hostname', 'labels', 'cap_add', 'privileged', 'volumes', 'tmpfs', 'x-rootfs', 'build', 'network_mode',
  'dns', 'dns_search', 'dns_opt', 'mem_limit', 'cpus', 'cpuset', 'restart', 'deploy', 'label_file',
  // Resolved by the loader into the keys above.
  'extends',
]);

/** The parts of `deploy` that become node keys (containerlab-node.ts). */
const MAPPED_DEPLOY_LEAVES = new Set([
  'resources.limits.cpus', 'resources.limits.memory',
  'restart_policy.condition', 'restart_policy.max_attempts', 'restart_policy.delay',
]);

/** Attachment keys that become exec commands or link settings. */
const MAPPED_ATTACHMENT_KEYS = new Set(['ipv4_address', 'ipv6_address', 'interface_name', 'x-mtu', 'x-netem']);

/** Network keys the bridge nodes carry (or the gateway warning covers). */
const MAPPED_NETWORK_KEYS = new Set(['driver', 'external', 'name', 'ipam', 'internal', 'x-netem', 'driver_opts']);

/** The driver options the bridge node (its name) and the exec commands (the MTU) carry. */
const MAPPED_DRIVER_OPTS = new Set(['com.docker.network.bridge.name', 'com.docker.network.driver.mtu']);

const WHY: Record<string, string> = {
  ports: 'published ports need the management network, which these nodes do not have (network-mode: none); forward them on the host',
  expose: 'containerlab records no exposed ports',
  depends_on: 'containerlab starts nodes without Compose dependency conditions (see its `stages`)',
  healthcheck: 'not converted; containerlab has its own `healthcheck` node key',
  scale: 'containerlab has one container per node: one node is written',
  secrets: 'containerlab has no secrets: bind the file instead',
  configs: 'containerlab has no configs: bind the file instead',
  container_name: 'containerlab names containers clab-<lab>-<node>',
  'x-verify': 'containerlab has no reachability checks; run `tscompose verify` against the lab yourself',
  volumes: 'containerlab has no named volumes: use bind mounts',
};

/** Keys one level below `prefix` that the user wrote, in file order. */
export function childKeys(project: Project, prefix: string): string[] {
  const out: string[] = [];
  for (const path of project.sources.keys()) {
    if (!path.startsWith(`${prefix}.`)) continue;
    const rest = path.slice(prefix.length + 1);
    if (!rest.includes('.')) out.push(rest);
  }
  return out;
}

export function unmappedKeys(project: Project): ConvertWarning[] {
  const out: ConvertWarning[] = [];
  const add = (path: string, message: string) => out.push({ kind: 'unmapped', path, loc: project.sources.get(path), message });
  for (const top of topLevelKeys(project)) {
    if (top === 'x-verify' || top === 'volumes' || top === 'secrets' || top === 'configs') add(top, `not converted: ${WHY[top]}`);
  }
  for (const name of Object.keys(project.services)) {
    const base = `services.${name}`;
    for (const key of childKeys(project, base)) {
      if (MAPPED_SERVICE_KEYS.has(key)) continue;
      add(`${base}.${key}`, `not converted: ${WHY[key] ?? 'containerlab has no equivalent node setting'}`);
    }
    for (const leaf of leafPaths(project, `${base}.deploy`)) {
      if (MAPPED_DEPLOY_LEAVES.has(leaf)) continue;
      add(`${base}.deploy.${leaf}`, `not converted: ${leaf === 'replicas' ? WHY['scale'] : 'containerlab has no equivalent node setting'}`);
    }
    for (const net of childKeys(project, `${base}.networks`)) {
      for (const key of childKeys(project, `${base}.networks.${net}`)) {
        if (!MAPPED_ATTACHMENT_KEYS.has(key)) add(`${base}.networks.${net}.${key}`, 'not converted: containerlab links have no such setting');
      }
    }
  }
  for (const net of Object.keys(project.networks)) {
    for (const key of childKeys(project, `networks.${net}`)) {
      if (!MAPPED_NETWORK_KEYS.has(key)) add(`networks.${net}.${key}`, 'not converted: a containerlab bridge node is an existing host bridge, with no such setting');
    }
    for (const opt of leafPaths(project, `networks.${net}.driver_opts`)) {
      if (!MAPPED_DRIVER_OPTS.has(opt)) add(`networks.${net}.driver_opts.${opt}`, 'not converted: containerlab does not make the bridge, so it takes no driver options');
    }
  }
  return out;
}

/** The paths under `prefix` that have nothing under them, relative to it (`resources.limits.cpus`). */
export function leafPaths(project: Project, prefix: string): string[] {
  const under = [...project.sources.keys()].filter((p) => p.startsWith(`${prefix}.`));
  return under.filter((p) => !under.some((q) => q.startsWith(`${p}.`))).map((p) => p.slice(prefix.length + 1));
}

/** Top-level keys: paths without a dot. */
export function topLevelKeys(project: Project): string[] {
  return [...project.sources.keys()].filter((p) => !p.includes('.'));
}
