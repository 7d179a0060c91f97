/**
 * The isolation keys of a service: `volumes`, `tmpfs`, `read_only`,
 * `cap_add`, `cap_drop`, `privileged`, `security_opt` (security-opt.ts),
 * `devices` and `device_cgroup_rules` (devices.ts), `init`, `stop_signal`,
 * `stop_grace_period`, and the extensions `x-rootfs` (the root filesystem's
 * lower layer: a directory, absolute or relative to the project) and
 * `x-host-secrets` (true, or a list of paths: the host's secrets a container
 * on the host's root sees again; plan/host-secrets.ts).
 */
import { posix } from 'node:path';
import { canonicalCapability } from '../linux/capabilities';
import { field } from './read';
import type { Field, Reader } from './read';
import { canonicalSignal } from '../linux/signals';
import { parseDuration } from './duration';
import { deviceCgroupRules, devices } from './devices';
import { securityOptions } from './security-opt';
import type { YMap } from './tree';
import type { ServiceSpec } from './types';
import { normalizeMounts, type VolumeContext } from './volumes';

function capabilities(f: Field, r: Reader): string[] {
  const out: string[] = [];
  for (const { value, field: itf } of r.strings(f) ?? []) {
    const c = canonicalCapability(value);
    if (!c) r.error(itf, `"${value}" is not a Linux capability (e.g. NET_ADMIN, SYS_TIME, or ALL)`);
    else if (!out.includes(c)) out.push(c);
  }
  return out;
}

export function normalizeIsolation(svc: ServiceSpec, keys: Map<string, Field>, map: YMap, path: string, r: Reader, ctx: VolumeContext): void {
  const mounts = normalizeMounts(keys.get('volumes'), keys.get('tmpfs'), r, ctx);
  if (mounts.length) svc.mounts = mounts;
  const bool = (key: string) => {
    const f = keys.get(key);
    return f ? (r.bool(f) ?? false) : false;
  };
  if (bool('read_only')) svc.readOnly = true;
  if (bool('privileged')) svc.privileged = true;
  if (bool('init')) svc.init = true;
  if (bool('stdin_open')) svc.stdinOpen = true;
  if (bool('tty')) svc.tty = true;
  const so = keys.get('security_opt');
  if (so) Object.assign(svc, securityOptions(so, r, ctx.projectDir, ctx.readFile ?? (() => undefined)));
  const add = keys.get('cap_add');
  if (add) svc.capAdd = capabilities(add, r);
  const drop = keys.get('cap_drop');
  if (drop) svc.capDrop = capabilities(drop, r);
  const devs = keys.get('devices');
  if (devs) svc.devices = devices(devs, r);
  const rules = keys.get('device_cgroup_rules');
  if (rules) svc.deviceCgroupRules = deviceCgroupRules(rules, r);

  const sig = keys.get('stop_signal');
  if (sig) {
    const v = r.string(sig);
    const name = v === undefined ? undefined : canonicalSignal(v);
    if (v !== undefined && !name) r.error(sig, `"${v}" is not a signal (e.g. SIGTERM, SIGINT, SIGUSR1)`);
    else if (name) svc.stopSignal = name;
  }
  const grace = keys.get('stop_grace_period');
  if (grace) {
    const v = r.string(grace);
    const sec = v === undefined ? undefined : parseDuration(v);
    if (v !== undefined && sec === undefined) r.error(grace, `"${v}" is not a duration (e.g. 10s, 1m30s, 500ms)`);
    else if (sec !== undefined) svc.stopGracePeriodSec = sec;
  }

  const secretsEntry = map.entries.get('x-host-secrets');
  if (secretsEntry) {
    const f = field(path, secretsEntry);
    if (f.node.kind === 'seq') {
      const paths = (r.strings(f) ?? []).filter(({ value, field: itf }) => posix.isAbsolute(value) || void r.error(itf, `"${value}" must be an absolute path (e.g. /etc/shadow, /root)`));
      svc.hostSecrets = paths.map((p) => p.value);
    } else if (r.bool(f)) svc.hostSecrets = true;
  }
  const rootfsEntry = map.entries.get('x-rootfs');
  if (rootfsEntry) {
    const f = field(path, rootfsEntry);
    const v = r.string(f);
    if (v === '') r.error(f, 'must be a directory');
    else if (v !== undefined) svc.rootfs = posix.resolve(ctx.projectDir, v);
  }
}
