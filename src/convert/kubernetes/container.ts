/**
 * The main container of a service's pod: image, command/args, env,
 * workingDir, security context, resources, probes.
 *
 *   entrypoint → command, command → args (Kubernetes' names for the two)
 *   user "uid[:gid]" → runAsUser/runAsGroup (a user name does not map:
 *                      Kubernetes takes numbers)
 *   cap_add/cap_drop → capabilities.add/drop; read_only → readOnlyRootFilesystem
 *   cpus, mem_limit (or deploy limits) → limits; mem_reservation and
 *   cpu_shares/reservations → requests (1024 shares = 1 CPU, as the kubelet counts)
 */
import type { ServiceSpec } from '../../compose/types';
import { probes } from './probes';
import { lsmContext } from './security-labels';
import type { Ctx } from './types';

/**
 * Kubernetes expands `$(VAR)` in command, args and env values, and reads `$$`
 * as `$`: every `$` before `$` or `(` is doubled so the words stay as Compose
 * hands them to the process.
 */
export const noExpansion = (word: string): string => word.replace(/\$(?=[$(])/g, () => '$$');

export function mainContainer(name: string, svc: ServiceSpec, ctx: Ctx, mounts: Array<Record<string, unknown>>): Record<string, unknown> {
  const c: Record<string, unknown> = { name, image: image(svc, ctx) };
  if (svc.entrypoint) c['command'] = svc.entrypoint.map(noExpansion);
  if (svc.command) c['args'] = svc.command.map(noExpansion);
  const env = Object.keys(svc.environment).sort().map((k) => ({ name: k, value: noExpansion(svc.environment[k]!) }));
  if (env.length) c['env'] = env;
  const pull = pullPolicy(svc, ctx);
  if (pull) c['imagePullPolicy'] = pull;
  if (svc.workingDir !== undefined) c['workingDir'] = svc.workingDir;
  if (svc.stdinOpen) c['stdin'] = true;
  const sc = securityContext(svc, ctx);
  if (Object.keys(sc).length) c['securityContext'] = sc;
  const res = resources(svc, ctx);
  if (Object.keys(res).length) c['resources'] = res;
  Object.assign(c, probes(svc, ctx));
  const lifecycle = {
    ...(svc.postStart?.[0] ? { postStart: { exec: { command: [...svc.postStart[0].command] } } } : {}),
    ...(svc.preStop?.[0] ? { preStop: { exec: { command: [...svc.preStop[0].command] } } } : {}),
  };
  if (Object.keys(lifecycle).length) c['lifecycle'] = lifecycle;
  if (mounts.length) c['volumeMounts'] = mounts;
  return c;
}

function image(svc: ServiceSpec, ctx: Ctx): string {
  const base = `services.${svc.name}`;
  if (svc.build) {
    ctx.warn('unmapped', `${base}.build`, `Kubernetes does not build images: build ${svc.image && !svc.image.implicit ? svc.image.reference : 'it'} (tscompose build), push it to a registry the cluster pulls from and set the image`, base);
  }
  if (svc.image && !svc.image.implicit) return svc.image.reference;
  if (svc.image?.implicit) return svc.image.reference;
  const placeholder = `set-image-for-${svc.name.toLowerCase()}`;
  ctx.warn('unmapped', svc.rootfs ? `${base}.x-rootfs` : base, `${svc.name} runs without an image (${svc.rootfs ? `root filesystem ${svc.rootfs}` : "the host's root filesystem"}); a pod needs one: replace "${placeholder}"`, base);
  return placeholder;
}

function securityContext(svc: ServiceSpec, ctx: Ctx): Record<string, unknown> {
  const sc: Record<string, unknown> = {};
  if (svc.user !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(svc.user);
    if (m) {
      sc['runAsUser'] = Number(m[1]);
      if (m[2] !== undefined) sc['runAsGroup'] = Number(m[2]);
    } else {
      ctx.warn('unmapped', `services.${svc.name}.user`, `user ${JSON.stringify(svc.user)} is a name: Kubernetes takes numeric ids (runAsUser/runAsGroup); write uid[:gid]`);
    }
  }
  const caps = {
    ...(svc.capAdd?.length ? { add: [...svc.capAdd] } : {}),
    ...(svc.capDrop?.length ? { drop: [...svc.capDrop] } : {}),
  };
  if (Object.keys(caps).length) sc['capabilities'] = caps;
  if (svc.readOnly) sc['readOnlyRootFilesystem'] = true;
  if (svc.privileged) sc['privileged'] = true;
  if (svc.noNewPrivileges !== undefined && !svc.privileged) sc['allowPrivilegeEscalation'] = !svc.noNewPrivileges;
  if (svc.seccomp === 'unconfined') sc['seccompProfile'] = { type: 'Unconfined' };
  Object.assign(sc, lsmContext(svc).fields);
  return sc;
}

/** Bytes as a Kubernetes quantity: the largest binary unit that divides it (512Mi), else bytes. */
export function bytesQuantity(n: number): string {
  for (const [unit, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) if (n >= size && n % size === 0) return `${n / size}${unit}`;
  return String(n);
}

const milliCpu = (cpus: number) => `${Math.max(1, Math.round(cpus * 1000))}m`;

function resources(svc: ServiceSpec, ctx: Ctx): Record<string, unknown> {
  const r = svc.resources;
  if (!r) return {};
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  if (r.nanoCpus !== undefined) limits['cpu'] = milliCpu(r.nanoCpus / 1e9);
  if (r.memory !== undefined) limits['memory'] = bytesQuantity(r.memory);
  if (r.cpuShares !== undefined) requests['cpu'] = milliCpu(r.cpuShares / 1024);
  if (r.memoryReservation !== undefined) requests['memory'] = bytesQuantity(r.memoryReservation);
  // A request above the limit is refused by the API server: the limit is the request then.
  const over = (k: 'cpu' | 'memory', req: number | undefined, lim: number | undefined) => {
    if (req === undefined || lim === undefined || req <= lim) return;
    requests[k] = limits[k]!;
    ctx.warn('unmapped', `services.${svc.name}`, `the ${k} reservation is above the limit: Kubernetes requires request <= limit, the request is the limit`);
  };
  over('cpu', r.cpuShares !== undefined ? r.cpuShares / 1024 : undefined, r.nanoCpus !== undefined ? r.nanoCpus / 1e9 : undefined);
  over('memory', r.memoryReservation, r.memory);
  return { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(requests).length ? { requests } : {}) };
}

/** `pull_policy` when written: always → Always, missing → IfNotPresent, never → Never. */
function pullPolicy(svc: ServiceSpec, ctx: Ctx): string | undefined {
  const p = svc.image?.pullPolicy;
  const path = `services.${svc.name}.pull_policy`;
  if (!p || !ctx.written(path)) return undefined;
  if (p.kind === 'always') return 'Always';
  if (p.kind === 'missing') return 'IfNotPresent';
  if (p.kind === 'never') return 'Never';
  ctx.warn('unmapped', path, p.kind === 'build' ? 'Kubernetes does not build: the image is pulled if not present' : 'Kubernetes has no periodic pull: the image is pulled if not present (Always pulls at every start)');
  return 'IfNotPresent';
}
