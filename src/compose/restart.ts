/**
 * `restart` and `deploy.restart_policy`: what the container's shim does when
 * the process exits (native/shim/restart.c). Docker's policies; the deploy
 * form maps as Docker Compose maps it without Swarm (`any` → always, `none` →
 * no, `max_attempts` → the retry limit), and its `delay` is the first back-off.
 */
import { parseDuration } from './duration';
import { RESTART_POLICY_KEYS } from './keys';
import type { Field, Reader } from './read';
import type { RestartPolicy } from './types';

const POLICIES = ['no', 'always', 'on-failure', 'unless-stopped'] as const;

/** `restart` or `deploy.restart_policy` (not both); undefined: never restart. */
export function restartPolicy(restart: Field | undefined, deploy: Field | undefined, r: Reader): RestartPolicy | undefined {
  if (restart && deploy) r.error(deploy, 'deploy.restart_policy and restart both say how to restart; set only one');
  if (restart) return restartKey(restart, r);
  return deploy ? deployRestartPolicy(deploy, r) : undefined;
}

/** `restart: no | always | on-failure[:N] | unless-stopped`; undefined for `no`. */
function restartKey(f: Field, r: Reader): RestartPolicy | undefined {
  const v = r.text(f, { bool: true });
  if (v === undefined) return undefined;
  // YAML 1.1 reads a bare `no` as false.
  const text = v === 'false' ? 'no' : v;
  const m = /^(no|always|on-failure|unless-stopped)(?::(\d+))?$/.exec(text);
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure')) {
    r.error(f, `"${text}" is not a restart policy (${POLICIES.join(', ')}, or on-failure:N)`);
    return undefined;
  }
  if (m[1] === 'no') return undefined;
  const policy = m[1] as RestartPolicy['policy'];
  return m[2] !== undefined && Number(m[2]) > 0 ? { policy, maxRetries: Number(m[2]) } : { policy };
}

/** `deploy.restart_policy: {condition, delay, max_attempts, window}`; `condition: none` is no policy. */
function deployRestartPolicy(f: Field, r: Reader): RestartPolicy | undefined {
  const map = r.map(f, { nullable: true });
  if (!map) return undefined;
  const keys = r.keys(map, f.path, RESTART_POLICY_KEYS);
  let policy: RestartPolicy['policy'] | null = 'always'; // Swarm's default condition is `any`
  const cf = keys.get('condition');
  if (cf) {
    const c = r.string(cf);
    if (c === 'none') policy = null;
    else if (c === 'on-failure') policy = 'on-failure';
    else if (c === 'any') policy = 'always';
    else if (c !== undefined) r.error(cf, `"${c}" is not a restart condition (none, on-failure or any)`);
  }
  const out: RestartPolicy = { policy: policy ?? 'always' };
  const mf = keys.get('max_attempts');
  const max = mf ? r.int(mf, { min: 0 }) : undefined;
  if (max) out.maxRetries = max;
  const df = keys.get('delay');
  if (df) {
    const d = duration(df, r);
    if (d !== undefined) out.delayMs = d;
  }
  const wf = keys.get('window');
  if (wf) duration(wf, r); // read and checked; see README: a restart counts as soon as the process runs
  return policy === null ? undefined : out;
}

function duration(f: Field, r: Reader): number | undefined {
  const v = r.text(f);
  if (v === undefined) return undefined;
  const sec = parseDuration(v);
  if (sec === undefined) {
    r.error(f, `"${v}" is not a duration (e.g. 5s, 1m30s, 500ms)`);
    return undefined;
  }
  return Math.round(sec * 1000);
}
