/**
 * One service as a containerlab `kind: linux` node: the keys both have
 * (image, cmd, env, binds, tmpfs, sysctls, user, hostname, labels, cap-add,
 * privileged, dns, memory, cpu, cpu-set, restart-policy); what has no
 * equivalent is a warning at its key.
 */
import type { ServiceSpec } from '../compose/types';
import type { ClabNode } from './containerlab-types';
import type { Warn } from './warnings';

/** A word as a POSIX shell reads it back (containerlab splits `cmd` like a shell). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function serviceNode(svc: ServiceSpec, warn: Warn): ClabNode {
  const base = `services.${svc.name}`;
  const node: ClabNode = { kind: 'linux', image: imageOf(svc, warn) };
  const mode = svc.networkMode;
  node['network-mode'] = mode.kind === 'default' ? 'none' : mode.kind === 'service' ? `container:${mode.service}` : mode.kind;
  if (svc.command) node.cmd = svc.command.map(shellQuote).join(' ');
  // Without image or command tscompose runs a pause process that only holds the namespaces.
  else if (!svc.image && !svc.entrypoint) node.cmd = 'sleep infinity';
  if (svc.entrypoint) node.entrypoint = svc.entrypoint.map(shellQuote).join(' ');
  if (Object.keys(svc.environment).length) node.env = { ...svc.environment };
  const binds: string[] = [];
  for (const m of svc.mounts ?? []) {
    if (m.type === 'bind') binds.push(`${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
    else if (m.type === 'tmpfs') {
      // Docker's tmpfs options, as containerlab hands them to the runtime.
      const opts = [...(m.readOnly ? ['ro'] : []), ...(m.size !== undefined ? [`size=${m.size}`] : []), ...(m.mode !== undefined ? [`mode=${m.mode.toString(8)}`] : []), ...(m.exec ? ['exec'] : [])];
      node.tmpfs = { ...node.tmpfs, [m.target]: opts.join(',') };
    } else {
      warn('unmapped', `${base}.volumes`, `${m.type} mount at ${m.target} not converted: containerlab nodes take bind mounts only (bind a host directory instead)`, base);
    }
  }
  if (binds.length) node.binds = binds;
  if (Object.keys(svc.sysctls).length) node.sysctls = { ...svc.sysctls };
  if (svc.user !== undefined) node.user = svc.user;
  if (svc.hostname !== undefined) node.hostname = svc.hostname;
  if (svc.labels && Object.keys(svc.labels).length) node.labels = { ...svc.labels };
  if (svc.capAdd?.length) node['cap-add'] = [...svc.capAdd];
  if (svc.privileged) node.privileged = true;
  Object.assign(node, runtimeKeys(svc, warn));
  dollarNote(svc, node, warn);
  return node;
}

/** The image, or a placeholder that cannot be pulled (so the user must set it) and a warning saying so. */
function imageOf(svc: ServiceSpec, warn: Warn): string {
  const base = `services.${svc.name}`;
  if (svc.build) {
    warn('unmapped', `${base}.build`, `containerlab does not build images: build ${svc.image?.reference ?? 'it'} first (tscompose build) and make it available to the container runtime containerlab uses`, base);
  }
  if (svc.image) return svc.image.reference;
  const placeholder = `SET-IMAGE-FOR-${svc.name}`;
  const from = svc.rootfs ? `runs on the root filesystem ${svc.rootfs} (x-rootfs)` : "runs on the host's root filesystem (no image)";
  warn('unmapped', svc.rootfs ? `${base}.x-rootfs` : base, `${svc.name} ${from}; containerlab needs an image: replace the placeholder "${placeholder}" (one with iproute2 for the exec commands)${svc.command || svc.entrypoint ? '' : '; its cmd is `sleep infinity`, as tscompose runs nothing there: drop it to run the image\'s own command'}`, base);
  return placeholder;
}


/** Resource limits, DNS and the restart policy, in containerlab's node keys. */
function runtimeKeys(svc: ServiceSpec, warn: Warn): Partial<ClabNode> {
  const out: Partial<ClabNode> = {};
  const r = svc.resources;
  // containerlab passes memory through Docker's RAMInBytes: a plain number is bytes.
  if (r?.memory !== undefined) out.memory = String(r.memory);
  if (r?.nanoCpus !== undefined) out.cpu = r.nanoCpus / 1e9;
  if (r?.cpuset !== undefined) out['cpu-set'] = r.cpuset;
  const dns = {
    ...(svc.dns.length ? { servers: [...svc.dns] } : {}),
    ...(svc.dnsSearch.length ? { search: [...svc.dnsSearch] } : {}),
    ...(svc.dnsOpt.length ? { options: [...svc.dnsOpt] } : {}),
  };
  if (Object.keys(dns).length) out.dns = dns;
  if (svc.restart) {
    out['restart-policy'] = svc.restart.policy;
    if (svc.restart.maxRetries !== undefined || svc.restart.delayMs !== undefined) {
      warn('unmapped', `services.${svc.name}.restart`, 'the number of retries and the back-off delay have no containerlab equivalent: on-failure restarts without limit', `services.${svc.name}`);
    }
  }
  return out;
}

/** containerlab expands `$VAR` and `${VAR}` in the whole topology file when it reads it. */
function dollarNote(svc: ServiceSpec, node: ClabNode, warn: Warn): void {
  const fields = [
    ['command', node.cmd],
    ['entrypoint', node.entrypoint],
    ['environment', Object.values(node.env ?? {}).join(' ')],
  ] as const;
  for (const [key, text] of fields) {
    if (text?.includes('$')) {
      warn('note', `services.${svc.name}.${key}`, 'contains "$": containerlab substitutes environment variables in the topology file when it reads it; check the deployed value', `services.${svc.name}`);
    }
  }
}
