/**
 * `tscompose config` for the isolation keys and top-level volumes: long
 * syntax, except `tmpfs:` entries (their exec/noexec has no long form).
 */
import type { HealthcheckSpec, ServiceMount, ServiceSpec, VolumeSpec } from './types';

type Obj = Record<string, unknown>;

function renderMount(m: ServiceMount): Obj {
  const out: Obj = { type: m.type };
  if (m.type !== 'tmpfs' && m.source !== undefined) out.source = m.source;
  out.target = m.target;
  if (m.readOnly) out.read_only = true;
  if (m.type === 'bind') {
    const bind: Obj = {};
    if (m.propagation !== 'rprivate') bind.propagation = m.propagation;
    if (m.createHostPath) bind.create_host_path = true;
    if (!m.recursive) bind.recursive = 'disabled';
    if (m.selinux) bind.selinux = m.selinux;
    if (Object.keys(bind).length) out.bind = bind;
  } else if (m.type === 'volume') {
    const volume: Obj = {};
    if (m.subpath !== undefined) volume.subpath = m.subpath;
    if (m.nocopy) volume.nocopy = true;
    if (Object.keys(volume).length) out.volume = volume;
  } else {
    const tmpfs: Obj = {};
    if (m.size !== undefined) tmpfs.size = m.size;
    if (m.mode !== undefined) tmpfs.mode = m.mode.toString(8);
    if (Object.keys(tmpfs).length) out.tmpfs = tmpfs;
  }
  return out;
}

function renderTmpfs(m: Extract<ServiceMount, { type: 'tmpfs' }>): string {
  const opts = [
    ...(m.size !== undefined ? [`size=${m.size}`] : []),
    ...(m.mode !== undefined ? [`mode=${m.mode.toString(8)}`] : []),
    ...(m.readOnly ? ['ro'] : []),
    ...(m.exec ? ['exec'] : []),
  ];
  return opts.length ? `${m.target}:${opts.join(',')}` : m.target;
}

export function renderIsolation(s: ServiceSpec): Obj {
  const out: Obj = {};
  const mounts = s.mounts ?? [];
  const short = mounts.filter((m): m is Extract<ServiceMount, { type: 'tmpfs' }> => m.type === 'tmpfs' && m.exec !== undefined);
  const long = mounts.filter((m) => !(m.type === 'tmpfs' && m.exec !== undefined));
  if (long.length) out.volumes = long.map(renderMount);
  if (short.length) out.tmpfs = short.map(renderTmpfs);
  if (s.readOnly) out.read_only = true;
  if (s.privileged) out.privileged = true;
  const secOpts = [
    ...(s.noNewPrivileges !== undefined ? [`no-new-privileges:${s.noNewPrivileges}`] : []),
    ...(s.seccomp ? [`seccomp=${s.seccomp === 'unconfined' ? 'unconfined' : s.seccomp.file}`] : []),
    ...(s.apparmor ? [`apparmor=${s.apparmor}`] : []),
    ...(s.securityLabel ?? []).map((l) => `label=${l}`),
  ];
  if (secOpts.length) out.security_opt = secOpts;
  if (s.init) out.init = true;
  if (s.stdinOpen) out.stdin_open = true;
  if (s.tty) out.tty = true;
  if (s.capAdd?.length) out.cap_add = [...s.capAdd];
  if (s.capDrop?.length) out.cap_drop = [...s.capDrop];
  if (s.devices?.length) out.devices = s.devices.map((d) => ({ source: d.source, target: d.target, permissions: d.permissions }));
  if (s.deviceCgroupRules?.length) out.device_cgroup_rules = [...s.deviceCgroupRules];
  if (s.stopSignal) out.stop_signal = s.stopSignal;
  // A delay exists only in deploy.restart_policy: written back there so it survives (boot records are rendered files).
  if (s.restart?.delayMs !== undefined) {
    const { policy, maxRetries, delayMs } = s.restart;
    out.deploy = { restart_policy: { condition: policy === 'always' ? 'any' : policy, ...(maxRetries ? { max_attempts: maxRetries } : {}), delay: `${delayMs}ms` } };
  } else if (s.restart) out.restart = `${s.restart.policy}${s.restart.maxRetries && s.restart.policy === 'on-failure' ? `:${s.restart.maxRetries}` : ''}`;
  if (s.healthcheck) out.healthcheck = renderHealthcheck(s.healthcheck);
  if (s.stopGracePeriodSec !== undefined) out.stop_grace_period = `${Math.round(s.stopGracePeriodSec * 1000)}ms`;
  return out;
}

export function renderVolume(v: VolumeSpec): Obj {
  const out: Obj = {};
  if (v.externalName !== undefined) out.name = v.externalName;
  if (v.external) out.external = true;
  if (Object.keys(v.labels).length) out.labels = { ...v.labels };
  Object.assign(out, v.extensions);
  return out;
}

function renderHealthcheck(h: HealthcheckSpec): Obj {
  if (h.disabled) return { disable: true };
  const out: Obj = {};
  if (h.test) out.test = ['CMD', ...h.test];
  const ms = (v: number | undefined) => (v === undefined ? undefined : `${v}ms`);
  for (const [key, v] of [
    ['interval', ms(h.intervalMs)],
    ['timeout', ms(h.timeoutMs)],
    ['start_period', ms(h.startPeriodMs)],
    ['start_interval', ms(h.startIntervalMs)],
  ] as const) {
    if (v !== undefined) out[key] = v;
  }
  if (h.retries !== undefined) out.retries = h.retries;
  return out;
}
