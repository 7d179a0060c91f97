/**
 * Names of everything tscompose makes. Kernel interface names are at most
 * 15 bytes (IFNAMSIZ) and derived from a hash of project + object, never
 * from user-chosen names; `/run/netns` entries are readable so that
 * `ip netns exec tsc.PROJECT.SERVICE.1 …` works for debugging.
 */
import { createHash } from 'node:crypto';

export function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** `tsc-b-<9 hex>`: the bridge of a network (unless the file names it). */
export function bridgeIfname(project: string, network: string): string {
  return `tsc-b-${shortHash(project, 'network', network).slice(0, 9)}`;
}

/** `tsc-d-<9 hex>`: the dummy link a macvlan/ipvlan network without `parent` sits on (Docker's `dm-…`). */
export function dummyIfname(project: string, network: string): string {
  return `tsc-d-${shortHash(project, 'dummy', network).slice(0, 9)}`;
}

/** `tsc-v-<9 hex>`: host end of a container's veth on one network. */
export function vethIfname(project: string, container: string, network: string): string {
  return `tsc-v-${shortHash(project, 'veth', container, network).slice(0, 9)}`;
}

/** `/run/netns` entry of a container. Project names cannot contain '.', so this never collides across projects. */
export function netnsName(project: string, service: string, index: number): string {
  return `tsc.${project}.${service}.${index}`;
}

export function netnsPrefix(project: string): string {
  return `tsc.${project}.`;
}

/** Docker Compose's container naming: `PROJECT-SERVICE-N`. */
export function defaultContainerName(project: string, service: string, index: number): string {
  return `${project}-${service}-${index}`;
}

/**
 * The ownership mark written into the ifalias of every link we create:
 * `down` and drift repair only ever touch links that carry their project's mark.
 */
export function ownerAlias(project: string, object: string): string {
  return `tscompose:${project}:${object}`;
}

export function parseOwnerAlias(alias: string | undefined): { project: string; object: string } | undefined {
  const m = alias ? /^tscompose:([^:]+):(.+)$/.exec(alias) : null;
  return m ? { project: m[1]!, object: m[2]! } : undefined;
}

/** A stable, locally administered unicast MAC (first octet 0x02) for an object. */
export function deterministicMac(...parts: string[]): string {
  const h = shortHash('mac', ...parts);
  return ['02', h.slice(0, 2), h.slice(2, 4), h.slice(4, 6), h.slice(6, 8), h.slice(8, 10)].join(':');
}
